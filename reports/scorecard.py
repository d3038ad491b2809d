"""考核 by unit and person: were the response windows met, and did 解读 go out with each release?

The rules assess units (Anhui 五(四): timeliness is assessed and failures reported), so the compliance
count by deadline kind is broken down by the owner unit and person: an incident's owner, a release
plan's 解读 owner and unit. A person's unit comes from the plan, else from settings.reports.units.
The 处置评估 of the grade I/II incidents closed in the period follows (Anhui: responses are evaluated).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.alerts.evaluation import evaluations_in
from yuqing.config import Settings
from yuqing.store.models import Deadline, Incident, Release, ReleaseInterpretation
from yuqing.vocab import DeadlineKind, DeadlineState

from .blocks import Block, Heading, Paragraph, Report, Table
from .briefing import classify_deadline
from .plans import current_plan, interpretation_status
from .timefmt import fmt_dt, fmt_share

NO_UNIT = "未指定单位"
NO_PERSON = "未指定"


@dataclass
class ScoreRow:
    unit: str
    person: str
    on_time: int = 0
    late: int = 0
    missed: int = 0
    pending: int = 0
    waived: int = 0
    interpretation_on_time: int = 0
    interpretation_late: int = 0  # late or never published
    failures: list[str] = field(default_factory=list)

    @property
    def decided(self) -> int:
        return self.on_time + self.late + self.missed

    @property
    def rate(self) -> str:
        return fmt_share(self.on_time, self.decided)

    @property
    def interpretation_rate(self) -> str:
        return fmt_share(self.interpretation_on_time, self.interpretation_on_time + self.interpretation_late)


@dataclass
class Scorecard:
    bureau: str
    start: datetime
    end: datetime
    generated_at: datetime
    rows: list[ScoreRow]
    evaluations: dict[str, Any] = field(default_factory=lambda: {"due": 0, "evaluated": 0, "rows": []})


def build_scorecard(
    session: Session, settings: Settings, *, start: datetime, end: datetime, now: datetime
) -> Scorecard:
    """Deadlines due and releases published in [start, end), by (unit, person), as of `now`."""
    units = settings.reports.units
    rows: dict[tuple[str, str], ScoreRow] = {}

    def row(unit: str | None, person: str | None) -> ScoreRow:
        person = person or NO_PERSON
        unit = unit or units.get(person) or NO_UNIT
        return rows.setdefault((unit, person), ScoreRow(unit, person))

    due = session.execute(
        select(Deadline, Incident)
        .outerjoin(Incident, Incident.id == Deadline.incident_id)
        .where(Deadline.due_at >= start, Deadline.due_at < end)
        .order_by(Deadline.due_at, Deadline.id)
    ).all()

    for d, inc in due:
        r = row(None, inc.owner if inc is not None else None)
        if d.state == DeadlineState.WAIVED:
            r.waived += 1
            continue
        text, on_time = classify_deadline(d.state, d.due_at, d.met_at, now)
        if on_time is True:
            r.on_time += 1
        elif on_time is False:
            if d.met_at is not None:
                r.late += 1
            else:
                r.missed += 1
            what = f"事件「{inc.title}」" if inc is not None else f"工单 {d.case_id}"
            r.failures.append(f"{what}{DeadlineKind.label_of(d.kind)}{text}")
        else:
            r.pending += 1
    releases = session.scalars(
        select(Release)
        .where(Release.published_at >= start, Release.published_at < end, Release.published_at <= now)
        .order_by(Release.published_at)
    ).all()
    for rel in releases:
        plan = current_plan(session, rel.id)
        record = session.scalar(
            select(ReleaseInterpretation).where(ReleaseInterpretation.release_id == rel.id)
        )
        status = interpretation_status(rel, record, now)
        if status.on_time is None:
            continue
        person = (plan.owners or {}).get("解读") if plan is not None else None
        r = row(plan.owner_unit if plan is not None else None, person)
        if status.on_time:
            r.interpretation_on_time += 1
        else:
            r.interpretation_late += 1
            r.failures.append(
                f"{rel.indicator_name or rel.indicator}（{rel.period_label or '—'}）解读{status.text}"
            )
    ordered = sorted(
        rows.values(), key=lambda r: (r.unit == NO_UNIT, r.unit, r.person == NO_PERSON, r.person)
    )
    return Scorecard(settings.bureau_name, start, end, now, ordered,
                     evaluations_in(session, start=start, end=min(end, now)))


HEADER = [
    "责任单位",
    "责任人",
    "按时",
    "超时完成",
    "超时未回应",
    "待回应",
    "豁免",
    "按时率",
    "解读随发布",
    "解读滞后或未发布",
    "解读及时率",
]


def _cells(r: ScoreRow) -> list[str]:
    return [
        r.unit,
        r.person,
        str(r.on_time),
        str(r.late),
        str(r.missed),
        str(r.pending),
        str(r.waived),
        r.rate,
        str(r.interpretation_on_time),
        str(r.interpretation_late),
        r.interpretation_rate,
    ]


EVALUATION_HEADER = ["事件", "级别", "责任人", "关闭时间", "评估状态", "时效", "针对性", "效果", "经验教训"]


def _evaluation_cells(r: dict[str, Any]) -> list[str]:
    closed = datetime.fromisoformat(r["closed_at"]) if r["closed_at"] else None
    return [f"{r['title']}（编号 {r['incident_id']}）", r["grade_label"], r["owner"] or NO_PERSON,
            fmt_dt(closed), r["status_label"], r.get("timeliness", "—"), r.get("addressed_label", "—"),
            r.get("effect", "—"), r.get("lessons") or "—"]


def scorecard_csv(card: Scorecard) -> bytes:
    """CSV for spreadsheets (UTF-8 with BOM, so Excel opens the Chinese as Chinese): the table by unit
    and person, then the 处置评估 of each grade I/II incident closed in the period."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADER)
    for r in card.rows:
        w.writerow(_cells(r))
    w.writerow([])
    w.writerow(["处置评估", card.evaluations.get("summary", "")])
    w.writerow(EVALUATION_HEADER)
    for e in card.evaluations["rows"]:
        w.writerow(_evaluation_cells(e))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def scorecard_report(card: Scorecard, *, classification: str = "") -> Report:
    units: dict[str, list[ScoreRow]] = defaultdict(list)
    for r in card.rows:
        units[r.unit].append(r)
    summary = []
    for unit, rs in units.items():
        ok = sum(r.on_time for r in rs)
        decided = sum(r.decided for r in rs)
        summary.append(f"{unit}按时 {ok}/{decided}（{fmt_share(ok, decided)}）")
    blocks: list[Block] = [
        Heading("一、总体情况"),
        Paragraph("；".join(summary) + "。" if summary else "本期无到期的回应时限和数据发布。"),
        Heading("二、按责任单位和责任人"),
        Table(HEADER, [_cells(r) for r in card.rows]) if card.rows else Paragraph("无。"),
        Heading("三、超时及未落实事项"),
    ]
    failures = [f"{r.unit}·{r.person}：{f}" for r in card.rows for f in r.failures]
    blocks.append(Table(["事项"], [[f] for f in failures]) if failures else Paragraph("无。"))
    ev = card.evaluations
    blocks.append(Heading("四、处置评估"))
    if ev["rows"]:
        blocks += [Paragraph(f"本期关闭的 I、II 级事件{ev.get('summary', '')}。"),
                   Table(EVALUATION_HEADER, [_evaluation_cells(e) for e in ev["rows"]])]
    else:
        blocks.append(Paragraph("本期没有关闭的 I、II 级事件。"))
    return Report(
        title=f"{card.bureau}舆情回应考核统计",
        meta=[
            f"统计时段：{fmt_dt(card.start)} 至 {fmt_dt(card.end)}（北京时间）",
            f"生成时间：{fmt_dt(card.generated_at)}",
        ],
        blocks=blocks,
        bureau=card.bureau,
        classification=classification,
        kind_label="考核统计",
    )
