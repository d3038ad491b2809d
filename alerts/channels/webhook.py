"""Generic webhook: JSON body, HMAC-SHA256 of the raw body in `X-Yuqing-Signature: sha256=<hex>`."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from yuqing.clock import local_iso
from yuqing.config import ChannelConfig, Settings

from .base import DeliveryError, OutgoingMessage
from .http import encode, post_json

SIGNATURE_HEADER = "X-Yuqing-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def send(channel: ChannelConfig, message: OutgoingMessage, settings: Settings, now: datetime) -> None:
    if not channel.url:
        raise DeliveryError(f"通道 {channel.name} 未配置 url")
    body = encode({"key": message.key, "subject": message.subject, "body": message.body,
                   "sent_at": local_iso(now), "items": message.items})
    headers = {SIGNATURE_HEADER: sign(channel.secret, body)} if channel.secret else {}
    post_json(channel.url, body, key=message.key, headers=headers, timeout=channel.timeout_seconds)
