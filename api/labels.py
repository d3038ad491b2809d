"""Chinese labels the dashboard and API show for stored codes.

Grade, category and deadline-kind names come from `alerts.policy` (one vocabulary for the
whole product); the rest are the board's own.
"""

from __future__ import annotations

from alerts.policy import CATEGORY_NAMES, GRADE_NAMES, KIND_NAMES

__all__ = [
    "ACTION_KINDS",
    "CATEGORY_NAMES",
    "DEADLINE_STATES",
    "GRADE_NAMES",
    "INCIDENT_STATUSES",
    "KIND_NAMES",
    "PLATFORMS",
    "SENSITIVE_TOPICS",
    "SENTIMENTS",
    "SOURCE_STATUSES",
    "label",
]

INCIDENT_STATUSES = {
    "detected": "已发现",
    "acknowledged": "已确认",
    "assessing": "研判中",
    "responding": "回应中",
    "monitoring": "持续监测",
    "closed": "已关闭",
}
DEADLINE_STATES = {
    "pending": "进行中",
    "due_soon": "即将到期",
    "met": "已完成",
    "breached": "已超时",
    "waived": "已豁免",
}
SENTIMENTS = {"negative": "负面", "neutral": "中性", "positive": "正面"}
PLATFORMS = {"news": "新闻", "weibo": "微博", "tieba": "贴吧", "discuz": "论坛"}
SENSITIVE_TOPICS = {
    "data_credibility": "数据质量/造假质疑",
    "livelihood": "群众切身利益",
    "market_expectations": "市场预期",
    "emergency": "突发公共事件",
    "misreading": "误读",
}
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


def label(table: dict[str, str], code: str | None) -> str:
    """The label of `code`, or the code itself when the table does not know it."""
    if code is None:
        return ""
    return table.get(code, code)
