"""Chinese message templates (提醒文案): incident, grade, deadline in Asia/Shanghai time, and a link.

Titles come from crawled text and are untrusted: the markdown channels get them with markdown
control characters neutralised; the email channel sends plain text only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from yuqing.clock import to_local
from yuqing.vocab import Audience, Category, DeadlineKind, Grade, TimelineKind

_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]()#<>!|~"})


def safe_text(text: str, limit: int = 120) -> str:
    """One line, bounded length, markdown/HTML control characters escaped."""
    line = " ".join(text.split())
    if len(line) > limit:
        line = line[: limit - 1] + "…"
    return line.translate(_MD_SPECIAL)


def local_time(dt: datetime) -> str:
    return to_local(dt).strftime("%Y-%m-%d %H:%M")


def remaining(due_at: datetime, now: datetime) -> str:
    minutes = int((due_at - now).total_seconds() // 60)
    if minutes >= 0:
        return f"剩余 {minutes // 60} 小时 {minutes % 60} 分钟" if minutes >= 60 else f"剩余 {minutes} 分钟"
    late = -minutes
    return f"已超时 {late // 60} 小时 {late % 60} 分钟" if late >= 60 else f"已超时 {late} 分钟"


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def incident_link(base_url: str, incident_id: int) -> str:
    return f"{base_url.rstrip('/')}/incidents/{incident_id}"


def incident_notice(
    *, kind: str, incident_id: int, title: str, grade: str, category: str, link: str,
    deadlines: list[tuple[str, datetime]],
) -> Text:
    """An incident opened or upgraded, with the clocks it started."""
    verb = "新开舆情事件" if kind == TimelineKind.OPENED else f"舆情事件升级为 {grade} 级"
    lines = [
        f"**【{verb}】** {safe_text(title)}",
        f"- 级别：{Grade.label_of(grade)}",
        f"- 类别：{Category.label_of(category)}",
    ]
    lines += [f"- 时限：{DeadlineKind.label_of(k)} 截止 {local_time(due)}（北京时间）"
              for k, due in deadlines]
    lines.append(f"- 详情：{link}")
    return Text(f"【舆情】{verb}：{safe_text(title, 40)}（{grade}级，事件{incident_id}）", "\n".join(lines))


def deadline_notice(
    *, step: str, deadline_kind: str, due_at: datetime, now: datetime, subject_title: str, grade: str | None,
    link: str, audience: str, remaining_text: str | None = None,
) -> Text:
    """A reminder before the deadline, a breach, or a repeat while breached. `remaining_text` replaces
    the hours left (a working-day clock says its last working day instead)."""
    name = DeadlineKind.label_of(deadline_kind)
    if step.startswith("lead-"):
        head = f"即将到期：{name}"
    elif step == "breach":
        head = f"已超时：{name}"
    elif step.startswith("repeat-"):
        head = f"仍未完成（超时）：{name}"
    else:
        head = f"升级提醒：{name}即将到期且尚未回应"
    lines = [
        f"**【{head}】** {safe_text(subject_title)}",
        f"- 截止时间：{local_time(due_at)}（北京时间），{remaining_text or remaining(due_at, now)}",
    ]
    if grade:
        lines.append(f"- 级别：{Grade.label_of(grade)}")
    if audience == Audience.LEADERSHIP:
        lines.append("- 请局领导督办")
    lines.append(f"- 详情：{link}")
    return Text(f"【舆情时限】{head}：{safe_text(subject_title, 40)}", "\n".join(lines))
