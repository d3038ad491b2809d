"""Authentication: tokens, the login cookie, CSRF header, roles, the audit log."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.api.auth import authenticate, ensure_user, hash_token
from yuqing.api.sessions import SESSION_COOKIE
from yuqing.store.models import ApiToken, AuditLog, User


def test_health_needs_no_login_and_tells_beijing_time(anon: TestClient) -> None:
    body = anon.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert body["now"].endswith("+08:00")


def test_everything_else_needs_credentials(anon: TestClient) -> None:
    for path in ("/api/v1/incidents", "/api/v1/mentions", "/api/v1/sources", "/api/v1/stream"):
        r = anon.get(path)
        assert r.status_code == 401, path
        assert r.json()["detail"] == "未登录或凭据无效"
    assert (
        anon.get("/api/v1/incidents", headers={"Authorization": "Bearer yq_not-a-token"}).status_code == 401
    )


def test_password_login_issues_a_token_stored_only_hashed(anon: TestClient, session: Session) -> None:
    ensure_user(session, "demo", "demo", "press", "演示值班员")
    session.commit()
    assert anon.post("/api/v1/auth/token", json={"username": "demo", "password": "nope"}).status_code == 401
    r = anon.post("/api/v1/auth/token", json={"username": "demo", "password": "demo"})
    assert r.status_code == 200
    token = r.json()["access_token"]
    session.expire_all()
    stored = session.scalars(select(ApiToken.token_hash)).all()
    assert stored == [hash_token(token)] and token not in stored
    me = anon.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me == {"username": "demo", "display_name": "演示值班员", "role": "press", "role_label": "新闻宣传"}
    actions = session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["user.create", "auth.token_refused", "token.create"]


def test_ensure_user_hashes_with_argon2_and_is_idempotent(session: Session) -> None:
    first = ensure_user(session, "demo", "demo", "press", "演示")
    again = ensure_user(session, "demo", "other", "admin", "x")
    session.commit()
    assert first.id == again.id and again.role == "press"
    assert first.password_hash.startswith("$argon2")
    assert authenticate(session, "demo", "demo") is not None
    assert authenticate(session, "demo", "other") is None
    assert session.scalar(select(User).where(User.username == "demo")).display_name == "演示"


def test_cookie_login_then_changes_need_the_csrf_header(anon: TestClient, session: Session) -> None:
    ensure_user(session, "duty", "secret", "press", "值班员")
    session.commit()
    assert anon.get("/", follow_redirects=False).headers["location"] == "/login?next=/"
    bad = anon.post("/login", data={"username": "duty", "password": "wrong", "next": "/"})
    assert bad.status_code == 401 and "用户名或密码错误" in bad.text
    r = anon.post(
        "/login",
        data={"username": "duty", "password": "secret", "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/"  # no open redirect
    assert SESSION_COOKIE in anon.cookies
    assert "值班看板" in anon.get("/").text
    assert anon.get("/api/v1/me").json()["username"] == "duty"
    body = {"title": "人工立案", "grade": "IV", "category": "other"}
    refused = anon.post("/api/v1/incidents", json=body)
    assert refused.status_code == 403 and "X-Yuqing-Request" in refused.json()["detail"]
    assert anon.post("/api/v1/incidents", json=body, headers={"X-Yuqing-Request": "1"}).status_code == 201


def test_tampered_cookie_and_changed_password_log_out(anon: TestClient, session: Session) -> None:
    user = ensure_user(session, "duty", "secret", "press", "值班员")
    session.commit()
    anon.post("/login", data={"username": "duty", "password": "secret"})
    cookie = anon.cookies[SESSION_COOKIE]
    anon.cookies.set(SESSION_COOKIE, cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    assert anon.get("/api/v1/me").status_code == 401
    anon.cookies.set(SESSION_COOKIE, cookie)
    assert anon.get("/api/v1/me").status_code == 200
    from yuqing.api.auth import set_password

    set_password(session, username=user.username, password="new-secret", actor="admin")
    session.commit()
    assert anon.get("/api/v1/me").status_code == 401


def test_roles_limit_changes(client_as, session: Session) -> None:  # type: ignore[no-untyped-def]
    analyst = client_as("analyst")
    r = analyst.post("/api/v1/incidents", json={"title": "t", "grade": "IV", "category": "other"})
    assert r.status_code == 403 and r.json()["detail"] == "当前角色无权执行此操作"
    assert analyst.get("/api/v1/incidents").status_code == 200
    assert analyst.get("/api/v1/audit").status_code == 403
    assert client_as("admin").get("/api/v1/audit").status_code == 200


def test_login_page_escapes_what_it_echoes(anon: TestClient) -> None:
    r = anon.get("/login", params={"next": '/"><script>alert(1)</script>'})
    assert "<script>alert(1)" not in r.text
    assert "&lt;script&gt;" in r.text or 'value="/"' in r.text
