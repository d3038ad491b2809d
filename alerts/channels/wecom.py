"""WeCom (企业微信) group robot: POST {"msgtype": "markdown", "markdown": {"content": …}} to its key URL."""

from __future__ import annotations

from datetime import datetime

from yuqing.config import ChannelConfig, Settings

from .base import DeliveryError, OutgoingMessage
from .http import check_robot_reply, encode, post_json

MAX_BYTES = 4096  # the robot's markdown content limit


def payload(message: OutgoingMessage) -> dict[str, object]:
    content = f"{message.subject}\n{message.body}"
    raw = content.encode("utf-8")
    if len(raw) > MAX_BYTES:
        content = raw[: MAX_BYTES - 8].decode("utf-8", errors="ignore") + "\n…"
    return {"msgtype": "markdown", "markdown": {"content": content}}


def send(channel: ChannelConfig, message: OutgoingMessage, settings: Settings, now: datetime) -> None:
    if not channel.url:
        raise DeliveryError(f"通道 {channel.name} 未配置 url")
    check_robot_reply(post_json(channel.url, encode(payload(message)), key=message.key,
                                timeout=channel.timeout_seconds))
