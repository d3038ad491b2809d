"""DingTalk (钉钉) custom robot, signed mode.

Per DingTalk's docs: string_to_sign = f"{timestamp}\\n{secret}" (timestamp in milliseconds), HMAC-SHA256
keyed with the secret, base64, sent URL-encoded as the `timestamp` and `sign` query parameters.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from yuqing.config import ChannelConfig, Settings

from .base import DeliveryError, OutgoingMessage
from .http import check_robot_reply, encode, post_json


def signature(secret: str, timestamp_ms: int) -> str:
    """The base64 signature (httpx URL-encodes it as a query parameter)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def payload(message: OutgoingMessage) -> dict[str, object]:
    return {"msgtype": "markdown", "markdown": {"title": message.subject[:60],
                                                "text": f"### {message.subject}\n\n{message.body}"}}


def send(channel: ChannelConfig, message: OutgoingMessage, settings: Settings, now: datetime) -> None:
    if not channel.url:
        raise DeliveryError(f"通道 {channel.name} 未配置 url")
    params = None
    if channel.secret:
        timestamp_ms = int(now.timestamp() * 1000)
        params = {"timestamp": str(timestamp_ms), "sign": signature(channel.secret, timestamp_ms)}
    check_robot_reply(post_json(channel.url, encode(payload(message)), key=message.key, params=params,
                                timeout=channel.timeout_seconds))
