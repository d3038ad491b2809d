"""The press office's extra endpoints: CSV case import, compliance as CSV, silence expiry, dead-letter resend.

Each calls the alerts functions that own the logic (case_import, compliance_report, expire_silence,
outbox.retry_dead).
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, File, HTTPException, Query, Response, UploadFile

from yuqing.alerts import outbox as alerts_outbox
from yuqing.alerts import service
from yuqing.alerts.case_import import import_rows, read_rows
from yuqing.clock import local_iso
from yuqing.clock import now as clock_now
from yuqing.store.audit import record
from yuqing.store.models import Notification, Silence
from yuqing.vocab import Outcome

from .. import schemas as S
from ..deps import Allowed, CurrentUser, IdPath, SessionDep, SettingsDep
from .cases import period

router = APIRouter(prefix="/api/v1", tags=["office"])

MAX_IMPORT_BYTES = 5 * 1024 * 1024  # a year of a bureau's 台账 is far smaller


@router.post("/cases/import", status_code=201, summary="从 CSV 导入事项（先校验全部行，有错则一行也不导入）")
def import_cases(
    who: Allowed("case.manage"),
    session: SessionDep,
    settings: SettingsDep,
    file: UploadFile = File(..., description="UTF-8 CSV，列：kind,title,received_at[,complex,body,…]"),
) -> dict[str, Any]:
    data = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise HTTPException(status_code=413, detail="文件过大（上限 5 MB）")
    if not data.strip():
        raise HTTPException(status_code=422, detail="文件为空")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.csv"
        path.write_bytes(data)
        try:
            rows, errors = read_rows(path)
        except UnicodeDecodeError as exc:
            raise HTTPException(status_code=422, detail="文件不是 UTF-8 编码的 CSV") from exc
    if errors:
        raise HTTPException(
            status_code=422,
            detail={
                "message": f"{len(errors)} 行有误，未导入任何事项",
                "errors": [{"line": e.line, "message": e.message} for e in errors],
            },
        )
    created, refused = import_rows(session, rows, actor=who.name, now=clock_now(), settings=settings)
    record(
        session,
        actor=who.name,
        action="case.import",
        target=None,
        after={"created": created},
        data={"filename": (file.filename or "")[:200], "refused": len(refused)},
    )
    session.commit()
    return {
        "created": created,
        "refused": [{"line": e.line, "message": e.message} for e in refused],
    }


OUTCOME_NAMES = Outcome.labels()


def compliance_csv(report: dict[str, Any]) -> str:
    """The report as one CSV: a row per kind plus the total, every late or missed window, then the
    处置评估 of the grade I/II incidents closed in the period (已评估 / 应评估, each conclusion)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["考核期", report["start"], report["end"]])
    w.writerow([])
    w.writerow(["类型", "代码", *OUTCOME_NAMES.values(), "合计", "按时率"])
    lines = [(v["label"], k, v) for k, v in report["by_kind"].items()]
    lines.append(("合计", "total", report["total"]))
    for label, code, v in lines:
        rate = "" if v["on_time_rate"] is None else f"{v['on_time_rate']:.4f}"
        w.writerow([label, code, *(v[k] for k in OUTCOME_NAMES), v["total"], rate])
    w.writerow([])
    w.writerow(["时限编号", "类型", "事件", "事项", "截止", "完成", "结果"])
    for r in report["late_or_missed"]:
        w.writerow(
            [
                r["deadline_id"],
                r["kind"],
                r["incident_id"] or "",
                r["case_id"] or "",
                r["due_at"],
                r["met_at"] or "",
                Outcome.label_of(r["outcome"]),
            ]
        )
    ev = report["evaluations"]
    w.writerow([])
    w.writerow(["处置评估", ev["summary"]])
    w.writerow(["事件", "标题", "级别", "责任人", "关闭", "评估状态", "时效", "针对性", "效果", "经验教训"])
    for r in ev["rows"]:
        w.writerow([r["incident_id"], r["title"], r["grade_label"], r["owner"] or "", r["closed_at"],
                    r["status_label"], r.get("timeliness", ""), r.get("addressed_label", ""),
                    r.get("effect", ""), r.get("lessons", "")])
    return out.getvalue()


@router.get("/compliance.csv", summary="时限执行情况（CSV 下载）", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "CSV（UTF-8，带 BOM）"}})
def compliance_download(
    _: CurrentUser,
    session: SessionDep,
    start: S.LocalTime | None = Query(None, description="默认 30 天前；不带时区时按北京时间理解"),
    end: S.LocalTime | None = Query(None, description="默认现在"),
) -> Response:
    start_at, end_at = period(start, end)
    report = service.compliance_report(session, start=start_at, end=end_at)
    name = quote(f"时限考核-{local_iso(start_at)[:10]}-{local_iso(end_at)[:10]}.csv")
    # BOM: Excel, which the office opens it with, needs it to read UTF-8.
    return Response(
        "\ufeff" + compliance_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.post("/silences/{silence_id}/expire", summary="提前结束静默")
def expire_silence(who: Allowed("silence.manage"), silence_id: IdPath, session: SessionDep) -> dict[str, Any]:
    """Ending a silence only makes notices go out again, so whoever may silence may end one."""
    old_end = getattr(session.get(Silence, silence_id), "ends_at", None)
    silence = service.expire_silence(session, silence_id=silence_id, actor=who.name, now=clock_now())
    record(session, actor=who.name, action="silence.expire", target=f"silence:{silence.id}",
           before={"ends_at": old_end}, after={"ends_at": silence.ends_at})
    session.commit()
    return {"id": silence.id, "ends_at": local_iso(silence.ends_at), "active": False}


@router.post("/notifications/{notification_id}/retry", summary="重发失败的通知（死信）")
def retry_notification(
    who: Allowed("notification.retry"), notification_id: IdPath, session: SessionDep
) -> dict[str, Any]:
    existing = session.get(Notification, notification_id)
    before = None if existing is None else {"status": existing.status}
    row = alerts_outbox.retry_dead(session, notification_id=notification_id, now=clock_now())
    record(session, actor=who.name, action="notification.retry", target=f"notification:{notification_id}",
           before=before, after={"status": row.status})
    session.commit()
    return {"id": row.id, "status": row.status}
