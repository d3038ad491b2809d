"""Issue 9: tokens with scope, expiry and revocation; server-side sessions with timeouts; brute-force
throttling; the production secret, cookies and docs; security headers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from yuqing.api.app import create_app
from yuqing.api.auth import create_token, create_user, ensure_user, set_active, set_password
from yuqing.api.sessions import SESSION_COOKIE
from yuqing.config import Settings
from yuqing.store.models import ApiToken, AuditLog, LoginThrottle, WebSession

T0 = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # 10:00 Beijing
PASSWORD = "Correct-horse-42"
STRONG_SECRET = "k3Y-9fQ2_zL8wPx1VbN7cR4tH6mJ0sDe-prod"


def _user(session_maker: sessionmaker[Session], name: str = "duty", role: str = "press") -> None:
    with session_maker() as s:
        create_user(s, username=name, password=PASSWORD, role=role, actor="tests")
        s.commit()


def _login(client: TestClient, name: str = "duty", password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"username": name, "password": password}, follow_redirects=False)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ---- tokens ---------------------------------------------------------------------------------


def test_token_scope_expiry_last_use_and_revocation(
    anon: TestClient, session_maker, session: Session  # type: ignore[no-untyped-def]
) -> None:
    _user(session_maker)
    with time_machine.travel(T0, tick=False):
        creds = {"username": "duty", "password": PASSWORD, "token_name": "脚本", "expires_in_days": 7}
        r = anon.post("/api/v1/auth/token", json=creds)
        assert r.status_code == 200
        body = r.json()
        assert body["scope"] == "read" and body["expires_at"].startswith("2026-11-17T10:00")
        read = body["access_token"]
        assert anon.get("/api/v1/me", headers=_bearer(read)).status_code == 200
        # A read token reads, never changes, whatever its owner's role.
        refused = anon.post("/api/v1/incidents", json={"title": "t", "grade": "IV"}, headers=_bearer(read))
        assert refused.status_code == 403 and "只读" in refused.json()["detail"]
        act = anon.post("/api/v1/auth/token", json={"username": "duty", "password": PASSWORD, "scope": "act"})
        act_token = act.json()["access_token"]
        made = anon.post("/api/v1/incidents", json={"title": "t", "grade": "IV"}, headers=_bearer(act_token))
        assert made.status_code == 201
    row = session.scalar(select(ApiToken).where(ApiToken.name == "脚本"))
    assert row is not None and row.last_used_at == T0
    with time_machine.travel(T0 + timedelta(days=7, seconds=1), tick=False):
        assert anon.get("/api/v1/me", headers=_bearer(read)).status_code == 401  # expired
        listed = anon.get("/api/v1/tokens", headers=_bearer(act_token)).json()
        assert {t["state_label"] for t in listed} == {"已过期", "有效"}
        own = next(t for t in listed if t["state"] == "active")
        assert anon.post(f"/api/v1/tokens/{own['id']}/revoke", headers=_bearer(act_token)).status_code == 200
        assert anon.get("/api/v1/me", headers=_bearer(act_token)).status_code == 401  # revoked
    session.rollback()  # a new read: see what the app committed since
    actions = session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions.count("token.create") == 2 and "token.revoke" in actions


def test_only_admins_revoke_other_peoples_tokens(client_as, session_maker) -> None:  # type: ignore[no-untyped-def]
    press, other, admin = client_as("press"), client_as("leader"), client_as("admin")
    mine = press.get("/api/v1/tokens").json()
    assert len(mine) == 1 and mine[0]["user"] == "press-user"
    assert len(admin.get("/api/v1/tokens").json()) == 3  # the admin sees every token
    assert other.post(f"/api/v1/tokens/{mine[0]['id']}/revoke").status_code == 403
    assert admin.post(f"/api/v1/tokens/{mine[0]['id']}/revoke").status_code == 200
    assert press.get("/api/v1/me").status_code == 401


def test_password_change_and_deactivation_revoke_tokens_and_sessions(
    anon: TestClient, app, session_maker  # type: ignore[no-untyped-def]
) -> None:
    _user(session_maker)
    with session_maker() as s:
        user = ensure_user(s, "duty", "", "press", "")
        token = create_token(s, user=user, name="t", actor="tests")
        s.commit()
    assert _login(anon).status_code == 303
    assert anon.get("/api/v1/me").status_code == 200
    with session_maker() as s:
        set_password(s, username="duty", password="Another-pass-77", actor="admin")
        s.commit()
    assert anon.get("/api/v1/me").status_code == 401
    assert anon.get("/api/v1/me", headers=_bearer(token)).status_code == 401

    with TestClient(app) as browser:
        assert _login(browser, password="Another-pass-77").status_code == 303
        with session_maker() as s:
            token2 = create_token(s, user=ensure_user(s, "duty", "", "press", ""), name="t2", actor="tests")
            set_active(s, username="duty", active=False, actor="admin")
            s.commit()
        assert browser.get("/api/v1/me").status_code == 401
        assert browser.get("/api/v1/me", headers=_bearer(token2)).status_code == 401
        assert _login(browser, password="Another-pass-77").status_code == 401


# ---- sessions -------------------------------------------------------------------------------


def test_logout_ends_the_session_on_the_server(anon: TestClient, session_maker, session: Session) -> None:
    _user(session_maker)
    assert _login(anon).status_code == 303
    cookie = anon.cookies[SESSION_COOKIE]
    assert anon.get("/api/v1/me").status_code == 200
    assert anon.post("/logout", follow_redirects=False).status_code == 303
    anon.cookies.set(SESSION_COOKIE, cookie)  # the stolen or replayed cookie
    assert anon.get("/api/v1/me").status_code == 401
    row = session.scalar(select(WebSession))
    assert row is not None and row.revoked_at is not None
    assert cookie not in row.id_hash  # only the hash of the id is stored
    assert "auth.logout" in session.scalars(select(AuditLog.action)).all()


def test_idle_and_absolute_session_timeouts(anon: TestClient, session_maker) -> None:
    _user(session_maker)
    with time_machine.travel(T0, tick=False):
        assert _login(anon).status_code == 303
    # Active every 3 hours (idle limit 4 h): alive until the 24-hour absolute limit.
    for hours in (3, 6, 9, 12, 15, 18, 21):
        with time_machine.travel(T0 + timedelta(hours=hours), tick=False):
            assert anon.get("/api/v1/me").status_code == 200, hours
    with time_machine.travel(T0 + timedelta(hours=24), tick=False):
        assert anon.get("/api/v1/me").status_code == 401
    with time_machine.travel(T0 + timedelta(hours=30), tick=False):
        assert _login(anon).status_code == 303
    with time_machine.travel(T0 + timedelta(hours=34, seconds=1), tick=False):
        assert anon.get("/api/v1/me").status_code == 401  # idle for more than 4 hours


def test_admin_logs_a_user_out_everywhere(app, anon: TestClient, client_as, session_maker) -> None:  # type: ignore[no-untyped-def]
    _user(session_maker)
    with TestClient(app) as phone:
        assert _login(anon).status_code == 303 and _login(phone).status_code == 303
        admin = client_as("admin")
        users = {u["username"]: u for u in admin.get("/api/v1/users").json()}
        assert users["duty"]["live_sessions"] == 2
        assert client_as("leader").post(f"/api/v1/users/{users['duty']['id']}/logout").status_code == 403
        ended = admin.post(f"/api/v1/users/{users['duty']['id']}/logout")
        assert ended.json() == {"sessions_ended": 2}
        assert anon.get("/api/v1/me").status_code == 401 and phone.get("/api/v1/me").status_code == 401


def test_a_forged_cookie_is_refused(anon: TestClient, session_maker) -> None:
    _user(session_maker)
    _login(anon)
    cookie = anon.cookies[SESSION_COOKIE]
    anon.cookies.set(SESSION_COOKIE, cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    assert anon.get("/api/v1/me").status_code == 401
    from itsdangerous import URLSafeSerializer

    anon.cookies.set(SESSION_COOKIE, URLSafeSerializer("", salt="yuqing-session-id").dumps("x"))
    assert anon.get("/api/v1/me").status_code == 401  # signed with an empty key


# ---- brute force ----------------------------------------------------------------------------


def test_login_locks_the_account_with_backoff_and_audits_without_attacker_text(
    anon: TestClient, session_maker, session: Session
) -> None:
    _user(session_maker)
    hostile = "duty<script>"
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            assert _login(anon, password="wrong-password").status_code == 401
        locked = _login(anon, password="wrong-password")
        assert locked.status_code == 429 and "锁定" in locked.text and locked.headers["Retry-After"] == "30"
        # Locked: even the right password is refused, on the form and on the token endpoint.
        assert _login(anon).status_code == 429
        token = anon.post("/api/v1/auth/token", json={"username": "duty", "password": PASSWORD})
        assert token.status_code == 429 and "锁定" in token.json()["detail"]
        _login(anon, name=hostile, password="x")
    with time_machine.travel(T0 + timedelta(seconds=31), tick=False):
        again = _login(anon, password="wrong-password")  # the 7th failure: the lock doubles
        assert again.status_code == 429 and again.headers["Retry-After"] == "60"
    with time_machine.travel(T0 + timedelta(seconds=92), tick=False):
        assert _login(anon).status_code == 303  # after the backoff the right password works
    session.rollback()
    rows = session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    refusals = {r.actor for r in rows if r.action.startswith("auth.") and r.action != "auth.login"}
    assert refusals == {"anonymous"}
    assert not any(hostile in str((r.actor, r.target, r.data)) for r in rows)
    lockouts = [r for r in rows if r.action == "auth.lockout"]
    assert lockouts and lockouts[0].target is not None and lockouts[0].data["by"] == "account"
    keys = session.scalars(select(LoginThrottle.key)).all()
    assert not any("duty" in k for k in keys)  # names are stored hashed
    duty = next(k for k in keys if k.startswith("account:"))
    assert session.get(LoginThrottle, duty).failures in (0, 1)  # cleared by the success (hostile's key aside)


def test_the_address_is_throttled_across_accounts_and_processes(  # type: ignore[no-untyped-def]
    app, settings, session_maker
) -> None:
    other_process = create_app(settings, session_maker)  # another API process on the same database
    with time_machine.travel(T0, tick=False), TestClient(app) as one, TestClient(other_process) as two:
        for i in range(10):
            assert _login(one, name=f"user{i}", password="x").status_code == 401
        for i in range(10, 20):
            assert _login(two, name=f"user{i}", password="x").status_code == 401
        assert _login(one, name="user20", password="x").status_code == 429
        assert two.post("/api/v1/auth/token", json={"username": "anyone", "password": "x"}).status_code == 429


def test_thirty_wrong_passwords_then_the_right_one_does_not_log_in(anon: TestClient, session_maker) -> None:
    _user(session_maker)
    with time_machine.travel(T0, tick=False):
        codes = [
            anon.post("/api/v1/auth/token", json={"username": "duty", "password": f"guess{i}"}).status_code
            for i in range(30)
        ]
        assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
        right = anon.post("/api/v1/auth/token", json={"username": "duty", "password": PASSWORD})
        assert right.status_code == 429


# ---- production -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "secret", ["", "x", "dev-insecure-secret-change-me", "a" * 64, "short-but-varied-123"]
)
def test_production_refuses_weak_secret_keys(secret: str) -> None:
    with pytest.raises(ValueError, match="YUQING_SECRET_KEY"):
        Settings(env="production", secret_key=secret)
    weak = Settings.model_construct(env="production", secret_key=secret)  # built without validation
    with pytest.raises(RuntimeError, match="拒绝启动"):
        create_app(weak, session_factory=None)  # type: ignore[arg-type]


def test_production_cookies_are_secure_and_docs_need_login(database_url: str, session_maker) -> None:
    prod = Settings(env="production", database_url=database_url, secret_key=STRONG_SECRET,
                    base_url="http://bureau.example")
    _user(session_maker)
    with TestClient(create_app(prod, session_maker)) as c:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert c.get(path).status_code == 401, path
        r = _login(c)
        assert r.status_code == 303
        cookie = r.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
        assert r.headers["strict-transport-security"].startswith("max-age=")
    with TestClient(create_app(prod, session_maker), base_url="https://bureau.example") as c:
        _login(c)
        assert c.get("/openapi.json").status_code == 200 and c.get("/docs").status_code == 200


def test_development_cookie_not_secure_on_http(anon: TestClient, session_maker) -> None:
    _user(session_maker)
    assert "secure" not in _login(anon).headers["set-cookie"].lower()


# ---- headers --------------------------------------------------------------------------------


def test_security_headers_on_pages_api_docs_and_reports(anon: TestClient, session_maker) -> None:
    _user(session_maker)
    for path in ("/login", "/api/v1/health", "/static/app.css", "/docs"):
        r = anon.get(path)
        assert r.headers["x-frame-options"] == "DENY", path
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["referrer-policy"] == "same-origin", path
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp
    _login(anon)
    board = anon.get("/")
    assert "<script>" not in board.text  # no inline script: every script is a file
    docs = anon.get("/docs").text
    assert "<script>" not in docs and "/static/swagger-init.js" in docs
    report = anon.get("/api/v1/reports/daily", params={"format": "html"})
    assert report.status_code == 200
    assert "script-src 'none'" in report.headers["content-security-policy"]
    assert report.headers["x-frame-options"] == "DENY"
    # The archived file carries its policy too, for when it is opened from a disk or a mail.
    assert '<meta http-equiv="Content-Security-Policy"' in report.text and "script-src 'none'" in report.text
