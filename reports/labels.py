"""Chinese labels for the codes stored in the database: the product's one vocabulary
(`alerts.policy`, `analysis.labels`) under the names the report templates use."""

from __future__ import annotations

from alerts.policy import CATEGORY_NAMES, GRADE_NAMES, KIND_NAMES, STATE_NAMES, STATUS_NAMES
from analysis.labels import PLATFORM_NAMES, SENSITIVE_TOPIC_NAMES, SENTIMENT_NAMES

PLATFORMS = PLATFORM_NAMES
SENTIMENTS = SENTIMENT_NAMES
SENSITIVE_TOPICS = SENSITIVE_TOPIC_NAMES
INCIDENT_STATUSES = STATUS_NAMES
INCIDENT_CATEGORIES = CATEGORY_NAMES
GRADES = GRADE_NAMES
DEADLINE_KINDS = KIND_NAMES
DEADLINE_STATES = STATE_NAMES
SOURCE_STATUSES = {"ok": "正常", "warning": "告警", "blocked": "被封禁", "error": "错误", "unknown": "未知"}
RISK_LEVELS = {"high": "高", "medium": "中", "low": "低"}
# What a recorded response was (actions.kind): the deadline kinds plus the generic ones.
ACTION_KINDS = {**KIND_NAMES, "statement": "发表声明", "reply": "答复"}
CASE_KINDS = {
    "suggestion": "意见建议", "consultation": "咨询", "complaint": "咨询投诉", "repost": "上级政策转载",
}


def label(table: dict[str, str], code: str | None) -> str:
    """The Chinese label of `code`, or the code itself when the table does not know it."""
    if code is None:
        return "—"
    return table.get(code, code)
