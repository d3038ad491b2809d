"""存档: every generated report is kept as the exact bytes people received (HTML, DOCX, PDF).

A download serves the stored bytes, never a rebuild from live data. Generating again adds a version
(kind + subject + version is unique); nothing is overwritten. Two processes racing to add the same
version: the loser's savepoint rolls back and it takes the next number.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yuqing.alerts.channels import email as email_channel
from yuqing.config import Settings
from yuqing.store.models import Briefing
from yuqing.vocab import ReportKind, trigger_label  # noqa: F401 - trigger_label: the archive's pages use it

from .blocks import Report
from .render import render

KIND_LABELS = ReportKind.labels()  # the vocabulary's, named here for the pages that list the archive


def latest(session: Session, *, kind: str, subject: str, trigger: str | None = None) -> Briefing | None:
    stmt = select(Briefing).where(Briefing.kind == kind, Briefing.subject == subject)
    if trigger is not None:
        stmt = stmt.where(Briefing.trigger == trigger)
    return session.scalar(stmt.order_by(Briefing.version.desc()).limit(1))


def versions(session: Session, *, kind: str, subject: str) -> list[Briefing]:
    return list(
        session.scalars(
            select(Briefing).where(Briefing.kind == kind, Briefing.subject == subject)
            .order_by(Briefing.version.desc())
        )
    )


def archived(session: Session, *, kind: str | None = None, subject: str | None = None, limit: int = 30
             ) -> list[Briefing]:
    """Archived reports, the latest generated first, of one kind and subject when given."""
    stmt = select(Briefing)
    if kind is not None:
        stmt = stmt.where(Briefing.kind == kind)
    if subject is not None:
        stmt = stmt.where(Briefing.subject == subject)
    return list(session.scalars(stmt.order_by(Briefing.generated_at.desc(), Briefing.id.desc()).limit(limit)))


def superseded(session: Session, row: Briefing) -> Briefing | None:
    """The version `row` replaced (the latest other version of its kind and subject), or None."""
    return session.scalar(
        select(Briefing)
        .where(Briefing.kind == row.kind, Briefing.subject == row.subject, Briefing.id != row.id)
        .order_by(Briefing.version.desc()).limit(1)
    )


def store_report(
    session: Session,
    report: Report,
    *,
    kind: str,
    subject: str,
    day: date,
    trigger: str,
    now: datetime,
    created_by: str = "system",
    period: tuple[datetime, datetime] | None = None,
) -> Briefing:
    """Render `report` in every format and keep it as the next version of (kind, subject). Flushes."""
    html = render(report, "html").decode("utf-8")
    docx = render(report, "docx")
    pdf = render(report, "pdf")
    for _ in range(5):
        version = (
            session.scalar(
                select(func.max(Briefing.version)).where(Briefing.kind == kind, Briefing.subject == subject)
            )
            or 0
        ) + 1
        row = Briefing(
            kind=kind, subject=subject, version=version, trigger=trigger, title=report.title, day=day,
            period_start=period[0] if period else None, period_end=period[1] if period else None,
            generated_at=now, created_by=created_by, html=html, docx=docx, pdf=pdf,
        )
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            continue  # another process took this version number: take the next
        return row
    raise RuntimeError(f"无法为 {kind} {subject} 分配版本号")


def stored_bytes(row: Briefing, fmt: str) -> bytes | None:
    """The archived document in `fmt`, or None when this version was archived without it."""
    if fmt == "html":
        return row.html.encode("utf-8")
    return row.docx if fmt == "docx" else row.pdf if fmt == "pdf" else None


@lru_cache(maxsize=4)
def _engine(url: str) -> Engine:
    from yuqing.store.db import make_engine

    return make_engine(url)


def attachment(spec: dict[str, Any], settings: Settings) -> tuple[str, bytes, str] | None:
    """The archived document a notice names (email attaches it): (filename, bytes, media type)."""
    from sqlalchemy.orm import Session

    from .render import MEDIA_TYPES

    briefing_id, fmt = spec.get("briefing_id"), spec.get("format", "pdf")
    if not isinstance(briefing_id, int) or fmt not in ("docx", "pdf"):
        return None
    with Session(_engine(settings.database_url)) as session:
        row = session.get(Briefing, briefing_id)
        content = stored_bytes(row, fmt) if row is not None else None
        if content is None:
            return None
        name = str(spec.get("filename") or f"{row.title}.{fmt}")
    return name, content, MEDIA_TYPES[fmt]


if attachment not in email_channel.ATTACHMENT_LOADERS:
    email_channel.ATTACHMENT_LOADERS.append(attachment)
