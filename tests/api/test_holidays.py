"""Admin API: the calendar's state and importing a year's holiday notice (recomputes provisional clocks)."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from sqlalchemy import select

from yuqing.alerts import service
from yuqing.clock import SHANGHAI
from yuqing.store.models import AuditLog, Deadline, IncidentEvent

NOTICE = "日期,结束日期,类型,名称\n2027-01-01,2027-01-03,休,元旦\n2027-02-05,2027-02-13,休,春节\n"


def test_admin_imports_a_notice_and_provisional_deadlines_follow(client_as, session_maker, settings):
    received = datetime(2026, 12, 28, 10, tzinfo=SHANGHAI).astimezone(UTC)
    with session_maker() as s, s.begin():
        case_id = service.create_case(s, kind="complaint", title="跨年投诉", received_at=received, actor="c",
                                      now=received, settings=settings).id
    admin, press = client_as("admin"), client_as("press")
    with time_machine.travel(datetime(2026, 11, 20, 10, tzinfo=SHANGHAI), tick=False):
        status = admin.get("/api/v1/holidays").json()
        assert status["next_year_known"] is False and "2027" in status["warning"]
        refused = press.post("/api/v1/holidays/import?year=2027",
                             files={"file": ("2027.csv", NOTICE.encode(), "text/csv")})
        assert refused.status_code == 403
        bad = admin.post("/api/v1/holidays/import?year=2027",
                         files={"file": ("2027.csv", "日期,类型\n2027-01-01,也许\n".encode(), "text/csv")})
        assert bad.status_code == 422 and "类型" in bad.json()["detail"]
        wrong_year = admin.post("/api/v1/holidays/import?year=1900",
                                files={"file": ("2027.csv", NOTICE.encode(), "text/csv")})
        assert wrong_year.status_code == 422 and "year" in str(wrong_year.json()["detail"])
        done = admin.post("/api/v1/holidays/import?year=2027",
                          files={"file": ("2027.csv", NOTICE.encode(), "text/csv")})
        assert done.status_code == 201, done.text
        assert done.json()["days"] == 12 and len(done.json()["recomputed"]) == 1
        status = admin.get("/api/v1/holidays").json()
        assert status["next_year_known"] is True and status["warning"] is None
        assert status["imported"][0]["year"] == 2027
    with session_maker() as s:
        deadline = s.scalar(select(Deadline).where(Deadline.case_id == case_id))
        assert not deadline.provisional
        assert s.scalar(select(IncidentEvent).where(IncidentEvent.case_id == case_id,
                                                    IncidentEvent.kind == "deadline_recomputed"))
        assert s.scalar(select(AuditLog).where(AuditLog.action == "holidays.import")).actor == "admin-user"
