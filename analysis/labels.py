"""Chinese names of the codes analysis stores, shown by the dashboard and the reports alike."""

from __future__ import annotations

SENTIMENT_NAMES = {"negative": "负面", "neutral": "中性", "positive": "正面"}
PLATFORM_NAMES = {
    "news": "新闻", "weibo": "微博", "weibo_hot": "微博热搜", "tieba": "贴吧", "discuz": "论坛",
    "release": "数据发布", "news_comment": "新闻跟帖", "wechat": "微信公众号",
}
# Sensitive topics as subjects (the risk factors say "涉及…": analysis.sensitive.TOPIC_LABELS).
SENSITIVE_TOPIC_NAMES = {
    "data_credibility": "数据质量/造假质疑",
    "livelihood": "群众切身利益",
    "market_expectations": "市场预期",
    "emergency": "突发公共事件",
    "misreading": "误读",
}
