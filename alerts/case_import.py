"""Importing cases from CSV (意见建议/咨询投诉台账). Every row is checked before any is written."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from yuqing.clock import SHANGHAI, as_utc
from yuqing.config import Settings
from yuqing.vocab import CaseKind

from . import service
from .errors import AlertsError
from .policy import CASE_KINDS

COLUMNS = ("kind", "title", "received_at", "complex", "body", "channel", "contact", "external_ref")
TRUE = {"1", "true", "yes", "y", "是", "复杂"}


@dataclass
class RowError:
    line: int
    message: str


def parse_local_time(value: str) -> datetime:
    """"2026-09-28 10:00" (Asia/Shanghai) or ISO 8601 with an offset -> aware UTC."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"时间格式应为 YYYY-MM-DD HH:MM（北京时间），收到 {value!r}") from exc
    return as_utc(parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI))


def read_rows(path: Path) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Parse and validate; returns good rows and the errors (with line numbers) of bad ones."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"kind", "title", "received_at"} - set(reader.fieldnames or ())
        if missing:
            return [], [RowError(1, f"缺少列：{'、'.join(sorted(missing))}")]
        rows, errors = [], []
        for line, raw in enumerate(reader, start=2):
            kind = (raw.get("kind") or "").strip()
            title = (raw.get("title") or "").strip()
            if kind not in CASE_KINDS:
                errors.append(RowError(line, f"类型 {kind!r} 无效，应为 {'、'.join(CASE_KINDS)}"
                                                   f"（{'、'.join(CaseKind.labels().values())}）"))
                continue
            if not title:
                errors.append(RowError(line, "标题为空"))
                continue
            try:
                received = parse_local_time(raw.get("received_at") or "")
            except ValueError as exc:
                errors.append(RowError(line, str(exc)))
                continue
            rows.append({"line": line, "kind": kind, "title": title, "received_at": received,
                         "complex": (raw.get("complex") or "").strip().lower() in TRUE,
                         **{k: (raw.get(k) or "").strip() or None
                            for k in ("body", "channel", "contact", "external_ref")}})
        return rows, errors


def import_rows(
    session: Session, rows: list[dict[str, Any]], *, actor: str, now: datetime, settings: Settings
) -> tuple[list[int], list[RowError]]:
    """Create the cases; a row the service refuses is reported, the others still go in."""
    created, errors = [], []
    for row in rows:
        fields = {k: v for k, v in row.items() if k != "line"}
        try:
            with session.begin_nested():
                case = service.create_case(session, actor=actor, now=now, settings=settings, **fields)
            created.append(case.id)
        except AlertsError as exc:
            errors.append(RowError(row["line"], str(exc)))
    return created, errors
