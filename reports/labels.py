"""Chinese labels for the codes stored in the database, as the reports show them."""

from __future__ import annotations

PLATFORMS = {"news": "新闻网站", "weibo": "微博", "tieba": "贴吧", "discuz": "论坛", "release": "发布"}
SENTIMENTS = {"negative": "负面", "neutral": "中性", "positive": "正面"}
SENSITIVE_TOPICS = {
    "data_credibility": "数据质量/造假质疑",
    "livelihood": "群众切身利益",
    "market_expectations": "市场预期",
    "emergency": "突发公共事件",
    "misreading": "误读",
}
INCIDENT_STATUSES = {
    "detected": "已发现",
    "acknowledged": "已确认",
    "assessing": "研判中",
    "responding": "回应中",
    "monitoring": "持续监测",
    "closed": "已关闭",
}
INCIDENT_CATEGORIES = {
    "vital_interests": "群众切身利益",
    "market_expectations": "市场预期",
    "public_emergency": "突发公共事件",
    "data_credibility": "数据质量质疑",
    "misreading": "误读",
    "other": "其他",
}
GRADES = {"I": "I级（特别重大）", "II": "II级（重大）", "III": "III级（较大）", "IV": "IV级（一般）"}
DEADLINE_KINDS = {
    "authoritative_info": "发布权威信息",
    "press_conference": "召开新闻发布会",
    "update": "持续发布权威信息",
    "timely_response": "及时回应",
    "suggestion_reply": "意见建议答复",
    "complaint_reply": "咨询投诉答复",
    "repost": "转载上级政策信息",
}
DEADLINE_STATES = {
    "pending": "待办",
    "due_soon": "即将到期",
    "met": "已完成",
    "breached": "已超时",
    "waived": "已豁免",
}
SOURCE_STATUSES = {"ok": "正常", "warning": "告警", "blocked": "被封禁", "error": "错误", "unknown": "未知"}
RISK_LEVELS = {"high": "高", "medium": "中", "low": "低"}


def label(table: dict[str, str], code: str | None) -> str:
    """The Chinese label of `code`, or the code itself when the table does not know it."""
    if code is None:
        return "—"
    return table.get(code, code)
