"""Chinese labels the dashboard and API show for stored codes.

Incident and deadline names come from `alerts.policy`, sentiment, platform and topic names
from `analysis.labels` (one vocabulary for the whole product); the rest are the board's own.
"""

from __future__ import annotations

from alerts.policy import CATEGORY_NAMES, GRADE_NAMES, KIND_NAMES, STATE_NAMES, STATUS_NAMES
from analysis.labels import PLATFORM_NAMES, SENSITIVE_TOPIC_NAMES, SENTIMENT_NAMES

__all__ = [
    "ACTION_KINDS",
    "CATEGORY_NAMES",
    "DEADLINE_STATES",
    "GRADE_NAMES",
    "INCIDENT_ACTION_KINDS",
    "INCIDENT_STATUSES",
    "KIND_NAMES",
    "PLATFORMS",
    "SENSITIVE_TOPICS",
    "SENTIMENTS",
    "SOURCE_STATUSES",
    "label",
]

INCIDENT_STATUSES = STATUS_NAMES
DEADLINE_STATES = STATE_NAMES
SENTIMENTS = SENTIMENT_NAMES
PLATFORMS = PLATFORM_NAMES
SENSITIVE_TOPICS = SENSITIVE_TOPIC_NAMES
SOURCE_STATUSES = {"ok": "正常", "warning": "告警", "blocked": "被封禁", "error": "错误", "unknown": "未运行"}
# Response actions a user can record (回应); each meets the deadline kinds alerts.policy says.
ACTION_KINDS = {
    "authoritative_info": "发布权威信息",
    "press_conference": "召开新闻发布会",
    "update": "权威信息更新",
    "statement": "发布回应声明",
    "timely_response": "及时回应",
    "reply": "答复",
    "repost": "转载上级政策",
}

# What can answer an incident's clocks: replies and re-posts belong to cases (工单) only.
CASE_ONLY_ACTIONS = frozenset({"reply", "repost"})
INCIDENT_ACTION_KINDS = {k: v for k, v in ACTION_KINDS.items() if k not in CASE_ONLY_ACTIONS}


def label(table: dict[str, str], code: str | None) -> str:
    """The label of `code`, or the code itself when the table does not know it."""
    if code is None:
        return ""
    return table.get(code, code)
