"""The response policy (时限策略): which windows an incident or case gets. Frozen at creation.

`freeze` turns settings.policy into a plain dict stored on the incident or deadline, so editing the
configuration later changes no running clock. Everything else here reads only that dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yuqing.config import PolicyConfig

GRADES = ("I", "II", "III", "IV")
CATEGORIES = (
    "vital_interests", "market_expectations", "public_emergency", "data_credibility", "misreading", "other",
)
KEY_MATTERS = frozenset({"vital_interests", "market_expectations", "public_emergency"})
DEADLINE_KINDS = (
    "authoritative_info", "press_conference", "update", "timely_response",
    "suggestion_reply", "complaint_reply", "repost",
)
CASE_KINDS = {"suggestion": "suggestion_reply", "consultation": "complaint_reply",
              "complaint": "complaint_reply", "repost": "repost"}

# An action meets deadlines of these kinds (a press conference is also authoritative information).
ACTION_MEETS: dict[str, frozenset[str]] = {
    "authoritative_info": frozenset({"authoritative_info", "update", "timely_response"}),
    "press_conference": frozenset({"press_conference", "authoritative_info", "update", "timely_response"}),
    "update": frozenset({"update", "timely_response"}),
    "timely_response": frozenset({"timely_response"}),
    "statement": frozenset({"timely_response", "authoritative_info", "update"}),
    "reply": frozenset({"suggestion_reply", "complaint_reply"}),
    "suggestion_reply": frozenset({"suggestion_reply"}),
    "complaint_reply": frozenset({"complaint_reply"}),
    "repost": frozenset({"repost"}),
}

GRADE_NAMES = {"I": "特别重大（I级）", "II": "重大（II级）", "III": "较大（III级）", "IV": "一般（IV级）"}
CATEGORY_NAMES = {
    "vital_interests": "群众切身利益", "market_expectations": "市场预期", "public_emergency": "突发公共事件",
    "data_credibility": "数据质量/造假质疑", "misreading": "误读", "other": "其他",
}
STATUS_NAMES = {
    "detected": "已发现", "acknowledged": "已确认", "assessing": "研判中", "responding": "回应中",
    "monitoring": "持续监测", "closed": "已关闭",
}
STATE_NAMES = {
    "pending": "进行中", "due_soon": "即将到期", "met": "已完成", "breached": "已超时", "waived": "已豁免",
}
KIND_NAMES = {
    "authoritative_info": "发布权威信息", "press_conference": "召开新闻发布会", "update": "权威信息更新",
    "timely_response": "及时回应", "suggestion_reply": "意见建议答复", "complaint_reply": "咨询投诉答复",
    "repost": "上级政策转载",
}


@dataclass(frozen=True)
class WindowSpec:
    """One window to open: a deadline kind and its length in hours or working days."""

    kind: str
    hours: float | None = None
    working_days: int | None = None


def freeze(policy: PolicyConfig) -> dict[str, Any]:
    return policy.model_dump(mode="json")


def incident_windows(policy: dict[str, Any], grade: str, category: str) -> list[WindowSpec]:
    """Windows opened with an incident of this grade and category (updates come later, from tick)."""
    specs: list[WindowSpec] = []
    if grade in ("I", "II"):
        specs.append(WindowSpec("authoritative_info", hours=float(policy["authoritative_hours"])))
        specs.append(WindowSpec("press_conference", hours=float(policy["press_conference_hours"])))
    if category in KEY_MATTERS:
        specs.append(WindowSpec("timely_response", hours=float(policy["key_matter_hours"])))
    return specs


def case_window(policy: dict[str, Any], case_kind: str, complex_: bool) -> WindowSpec:
    """The working-day window of a case: suggestion 7 (15 if complex), complaint 15, re-post 1."""
    if case_kind not in CASE_KINDS:
        raise ValueError(f"未知的事项类型 {case_kind!r}，应为 {'、'.join(CASE_KINDS)}")
    deadline_kind = CASE_KINDS[case_kind]
    if deadline_kind == "suggestion_reply":
        days = policy["suggestion_complex_working_days"] if complex_ else policy["suggestion_working_days"]
    elif deadline_kind == "complaint_reply":
        days = policy["complaint_working_days"]
    else:
        days = policy["repost_working_days"]
    return WindowSpec(deadline_kind, working_days=int(days))
