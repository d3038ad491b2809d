"""Notification channels (通知渠道): generic webhook, WeCom robot, DingTalk robot, SMTP email."""

from __future__ import annotations

from datetime import datetime

from yuqing.config import ChannelConfig, Settings

from . import dingtalk, email, webhook, wecom
from .base import DeliveryError, OutgoingMessage

SENDERS = {"webhook": webhook.send, "wecom": wecom.send, "dingtalk": dingtalk.send, "email": email.send}
# Which channels let a receiver drop a repeat by its key (see README, 送达保证).
DEDUPES = {"webhook": True, "wecom": False, "dingtalk": False, "email": False}


def send(channel: ChannelConfig, message: OutgoingMessage, settings: Settings, now: datetime) -> None:
    """Deliver through the channel's kind; raises DeliveryError (or a transport error) on failure."""
    try:
        sender = SENDERS[channel.kind]
    except KeyError as exc:
        raise DeliveryError(f"未知通道类型 {channel.kind}") from exc
    sender(channel, message, settings, now)
