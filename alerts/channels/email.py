"""SMTP email (smtplib): plain-text Chinese body, the idempotency key as Message-ID and a header."""

from __future__ import annotations

import hashlib
import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from yuqing.config import ChannelConfig, Settings

from .base import DeliveryError, OutgoingMessage
from .http import IDEMPOTENCY_HEADER


def build(
    message: OutgoingMessage, channel: ChannelConfig, settings: Settings, now: datetime
) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = settings.notify.smtp_from
    mail["To"] = ", ".join(channel.recipients)
    mail["Date"] = format_datetime(now)
    digest = hashlib.sha256(message.key.encode()).hexdigest()[:32]
    mail["Message-ID"] = f"<{digest}@yuqing>"
    mail[IDEMPOTENCY_HEADER] = message.key
    mail.set_content(message.body.replace("**", ""), charset="utf-8")
    return mail


def send(channel: ChannelConfig, message: OutgoingMessage, settings: Settings, now: datetime) -> None:
    if not channel.recipients:
        raise DeliveryError(f"通道 {channel.name} 未配置收件人")
    notify = settings.notify
    with smtplib.SMTP(notify.smtp_host, notify.smtp_port, timeout=channel.timeout_seconds) as smtp:
        if notify.smtp_user:
            smtp.starttls()
            smtp.login(notify.smtp_user, notify.smtp_password or "")
        smtp.send_message(build(message, channel, settings, now))
