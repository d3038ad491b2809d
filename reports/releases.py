"""The release list (upcoming and past) with the ids the assessment commands take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.clock import local_iso
from yuqing.store.models import Briefing, Release
from yuqing.vocab import ReportKind, indicator_label

from .queries import release_reactions
from .timefmt import fmt_dt, fmt_share


@dataclass(frozen=True)
class ReleaseRow:
    id: int
    indicator: str
    indicator_name: str
    period_label: str
    title: str
    published_at: datetime | None
    published: bool
    mentions: int
    negative: int
    assessments: int  # archived 研判 versions

    @property
    def state_label(self) -> str:
        return "已发布" if self.published else "待发布"

    @property
    def reception(self) -> str:
        if not self.published:
            return "—"
        return f"{self.mentions} 条，负面 {fmt_share(self.negative, self.mentions)}"

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id, "indicator": self.indicator, "indicator_name": self.indicator_name,
            "period_label": self.period_label, "title": self.title,
            "published_at": local_iso(self.published_at) if self.published_at else None,
            "state": "published" if self.published else "upcoming", "state_label": self.state_label,
            "mentions": self.mentions, "negative": self.negative, "assessments": self.assessments,
            "links": {"assessment": f"/api/v1/reports/releases/{self.id}/assessment"},
        }

    def line(self) -> str:
        """One line of the CLI listing."""
        return (f"{self.id:>5}  {self.state_label}  {fmt_dt(self.published_at):16}  "
                f"{self.indicator_name}（{self.period_label}）  反应：{self.reception}  "
                f"研判存档 {self.assessments} 份")


def release_rows(
    session: Session, *, now: datetime, upcoming_days: int = 30, past_days: int = 90
) -> list[ReleaseRow]:
    """Releases from `past_days` ago to `upcoming_days` ahead, soonest upcoming first, then latest past."""
    rows = session.scalars(
        select(Release)
        .where(Release.published_at >= now - timedelta(days=past_days),
               Release.published_at <= now + timedelta(days=upcoming_days))
        .order_by(Release.published_at)
    ).all()
    reactions = release_reactions(session, [r.id for r in rows], until=now)
    subjects = {f"release:{r.id}": r.id for r in rows}  # the archive's subject of each release's 研判
    archived: dict[int, int] = {
        subjects[subject]: n for subject, n in session.execute(
            select(Briefing.subject, func.count()).where(
                Briefing.kind == ReportKind.ASSESSMENT, Briefing.subject.in_(list(subjects)))
            .group_by(Briefing.subject))
    } if subjects else {}
    out = []
    for r in rows:
        n, k, _ = reactions.get(r.id, (0, 0, 0.0))
        out.append(ReleaseRow(
            id=r.id, indicator=r.indicator, indicator_name=indicator_label(r.indicator, r.indicator_name),
            period_label=r.period_label or "—", title=r.title, published_at=r.published_at,
            published=r.published_at is not None and r.published_at <= now, mentions=n, negative=k,
            assessments=archived.get(r.id, 0),
        ))
    upcoming = [r for r in out if not r.published]
    past = [r for r in out if r.published]
    return upcoming + past[::-1]
