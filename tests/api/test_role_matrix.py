"""Every role × every API route, generated from the OpenAPI schema: a route added without a decision
here fails `test_every_route_has_a_decision`.

A decision is who may call the route: PUBLIC (no login), ANY (every signed-in role) or a set of
roles. Refused roles get 403 before anything else is looked at; allowed roles get past the role
check (404 for the missing object, 422 for the empty body, 200/201 otherwise).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from yuqing.api.app import create_app
from yuqing.config import Settings

ROLES = ("press", "leader", "analyst", "admin")
PUBLIC: frozenset[str] = frozenset()
ANY = frozenset(ROLES)
HANDLERS = frozenset({"press", "leader", "admin"})

DECISIONS: dict[str, frozenset[str]] = {
    "GET /api/v1/health": PUBLIC,
    "POST /api/v1/auth/token": PUBLIC,
    "GET /api/v1/me": ANY,
    "GET /api/v1/tokens": ANY,  # one's own; an administrator sees all
    "POST /api/v1/tokens/{token_id}/revoke": ANY,  # one's own; an administrator any
    "GET /api/v1/incidents": ANY,
    "POST /api/v1/incidents": HANDLERS,
    "GET /api/v1/incidents/{incident_id}": ANY,
    "GET /api/v1/incidents/{incident_id}/timeline": ANY,
    "GET /api/v1/incidents/{incident_id}/mentions": ANY,
    "GET /api/v1/incidents/{incident_id}/effect": ANY,
    "POST /api/v1/incidents/{incident_id}/acknowledge": HANDLERS,
    "POST /api/v1/incidents/{incident_id}/status": HANDLERS,
    "POST /api/v1/incidents/{incident_id}/grade": HANDLERS,
    "POST /api/v1/incidents/{incident_id}/assign": HANDLERS,
    "POST /api/v1/incidents/{incident_id}/notes": HANDLERS,
    "POST /api/v1/incidents/{incident_id}/actions": HANDLERS,
    "GET /api/v1/mentions": ANY,
    "GET /api/v1/mentions/{mention_id}": ANY,
    "POST /api/v1/mentions/{mention_id}/sentiment": frozenset({"press", "analyst", "admin"}),
    "GET /api/v1/stories": ANY,
    "GET /api/v1/stories/{story_id}": ANY,
    "GET /api/v1/releases": ANY,
    "GET /api/v1/releases/{release_id}": ANY,
    "GET /api/v1/sources": ANY,
    "GET /api/v1/quarantine": ANY,
    "POST /api/v1/cases/import": frozenset({"press", "admin"}),
    "GET /api/v1/compliance.csv": ANY,
    "POST /api/v1/silences/{silence_id}/expire": HANDLERS,
    "POST /api/v1/notifications/{notification_id}/retry": HANDLERS,
    "GET /api/v1/cases": ANY,
    "POST /api/v1/cases": frozenset({"press", "admin"}),
    "GET /api/v1/cases/{case_id}": ANY,
    "POST /api/v1/cases/{case_id}/actions": frozenset({"press", "admin"}),
    "GET /api/v1/deadlines": ANY,
    "POST /api/v1/deadlines/{deadline_id}/waive": frozenset({"leader", "admin"}),
    "GET /api/v1/compliance": ANY,
    "GET /api/v1/notifications": ANY,
    "GET /api/v1/silences": ANY,
    # press may only silence its own notices; muting leadership is leader/admin (test_silence_rules)
    "POST /api/v1/silences": HANDLERS,
    "GET /api/v1/stream": ANY,
    "GET /api/v1/reports/briefings": ANY,
    "POST /api/v1/reports/briefings": frozenset({"press", "admin"}),  # overwrites the archived record
    "GET /api/v1/reports/briefings/{briefing_id}": ANY,
    "GET /api/v1/reports/daily": ANY,
    "GET /api/v1/reports/releases/{release_id}/assessment": ANY,
    "GET /api/v1/users": frozenset({"admin"}),
    "POST /api/v1/users/{user_id}/logout": frozenset({"admin"}),
    "GET /api/v1/audit": frozenset({"leader", "admin"}),
    "GET /api/v1/audit.csv": frozenset({"leader", "admin"}),
    # the incident page's data and one-click decisions
    "GET /api/v1/incidents/{incident_id}/series": ANY,
    "GET /api/v1/incidents/{incident_id}/mention-groups": ANY,
    "GET /api/v1/incidents/{incident_id}/response-candidates": ANY,
    "POST /api/v1/incidents/{incident_id}/response-candidates/{mention_id}/confirm": HANDLERS,
    "GET /api/v1/incidents/{incident_id}/evaluation": ANY,
    "POST /api/v1/incidents/{incident_id}/evaluation": HANDLERS,
    "GET /api/v1/warnings": ANY,
    "POST /api/v1/warnings/{warning_id}/acknowledge": HANDLERS,
    "POST /api/v1/warnings/{warning_id}/dismiss": HANDLERS,
    "POST /api/v1/warnings/{warning_id}/promote": HANDLERS,
    # search, and watch topics that decide what is monitored at all
    "GET /api/v1/search": ANY,
    "GET /api/v1/search.{fmt}": ANY,
    "GET /api/v1/watch-topics": ANY,
    "POST /api/v1/watch-topics": frozenset({"analyst", "admin"}),
    "GET /api/v1/off-topic": ANY,
    # the working-day calendar and the crawl quarantine are administrators' to change
    "GET /api/v1/holidays": ANY,
    "POST /api/v1/holidays/import": frozenset({"admin"}),
    "POST /api/v1/quarantine/{quarantine_id}/release": frozenset({"admin"}),
    # reports: reading is for everyone; a new archived version is the press office's (or admin's)
    "GET /api/v1/reports/incidents/{incident_id}/special": ANY,
    "POST /api/v1/reports/incidents/{incident_id}/special": frozenset({"press", "admin"}),
    "GET /api/v1/reports/incidents/{incident_id}/record": ANY,
    "GET /api/v1/reports/releases": ANY,
    "POST /api/v1/reports/releases/{release_id}/assessment": frozenset({"press", "admin"}),
    "GET /api/v1/reports/releases/{release_id}/plan": ANY,
    "PUT /api/v1/reports/releases/{release_id}/plan": frozenset({"press", "analyst", "admin"}),
    "POST /api/v1/reports/releases/{release_id}/plan/approve": frozenset({"leader", "admin"}),
    "PUT /api/v1/reports/releases/{release_id}/interpretation": frozenset({"press", "analyst", "admin"}),
    "GET /api/v1/reports/audit": frozenset({"leader", "admin"}),
    "GET /api/v1/reports/scorecard": ANY,
}
NEVER_CALLED_WHEN_ALLOWED = {"GET /api/v1/stream"}  # an endless event stream


def _operations() -> list[str]:
    spec = create_app(Settings(env="test", database_url="sqlite:///:memory:")).openapi()
    return sorted(f"{method.upper()} {path}" for path, ops in spec["paths"].items() for method in ops)


OPERATIONS = _operations()


def test_every_route_has_a_decision() -> None:
    missing = set(OPERATIONS) - set(DECISIONS)
    assert not missing, f"routes without a role decision: {sorted(missing)}"
    assert not set(DECISIONS) - set(OPERATIONS), "decisions for routes that no longer exist"


def _call(client: TestClient, op: str):  # type: ignore[no-untyped-def]
    method, path = op.split(" ", 1)
    path = path.replace("{fmt}", "csv").replace("{", "").replace("}", "")
    for name in ("token_id", "incident_id", "mention_id", "story_id", "release_id", "silence_id",
                 "notification_id", "case_id", "deadline_id", "briefing_id", "user_id", "warning_id",
                 "quarantine_id"):
        path = path.replace(name, "999999")
    if method == "GET":
        return client.get(path)
    if path.endswith(("/cases/import", "/holidays/import")):
        return client.post(path, files={})
    return client.request(method, path, json={})


def test_anonymous_is_refused_everywhere_but_public_routes(anon: TestClient) -> None:
    wrong = []
    for op in OPERATIONS:
        code = _call(anon, op).status_code
        public = DECISIONS[op] is PUBLIC
        if (public and code in (401, 403)) or (not public and code != 401):
            wrong.append((op, code))
    assert not wrong


@pytest.mark.parametrize("role", ROLES)
def test_role_route_matrix(role: str, client_as) -> None:  # type: ignore[no-untyped-def]
    """One user per role (argon2 hashing is slow on purpose); every route, every decision."""
    client = client_as(role)
    wrong = []
    for op in OPERATIONS:
        allowed_roles = DECISIONS[op]
        if allowed_roles is PUBLIC or (role in allowed_roles and op in NEVER_CALLED_WHEN_ALLOWED):
            continue
        r = _call(client, op)
        if role in allowed_roles and r.status_code in (401, 403, 500):
            wrong.append((op, "refused or failed", r.status_code, r.text[:200]))
        elif role not in allowed_roles and r.status_code != 403:
            wrong.append((op, "not refused", r.status_code, r.text[:200]))
    assert not wrong, wrong


def test_silence_rules_press_cannot_mute_leadership(client_as) -> None:  # type: ignore[no-untyped-def]
    body = {"starts_at": "2026-11-10T09:00", "ends_at": "2026-11-10T12:00", "reason": "演练"}
    press, leader = client_as("press"), client_as("leader")
    for matcher in ({"incident_id": 3}, {"audience": "leadership"}, {"step": "escalate"}):
        r = press.post("/api/v1/silences", json={**body, "matcher": matcher})
        assert r.status_code == 403 and "局领导" in r.json()["detail"], matcher
        assert leader.post("/api/v1/silences", json={**body, "matcher": matcher}).status_code == 201
    assert press.post("/api/v1/silences", json={**body, "matcher": {"incident_id": 3, "audience": "press"}}
                      ).status_code == 201


def test_read_scope_tokens_cannot_change_anything(app, session_maker) -> None:  # type: ignore[no-untyped-def]
    from yuqing.api.auth import create_token, ensure_user

    with session_maker() as s:
        token = create_token(s, user=ensure_user(s, "boss", "x", "admin", "管理员"), name="r", actor="t",
                             scope="read")
        s.commit()
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
        for op in OPERATIONS:
            if op.startswith("POST") and DECISIONS[op] is not PUBLIC:
                assert _call(c, op).status_code == 403, op
        assert c.get("/api/v1/audit").status_code == 200  # reading the audit log is reading
        assert c.get("/api/v1/users").status_code == 403  # user administration needs the admin scope
