"""SMTP email (smtplib): plain-text Chinese body, the idempotency key as Message-ID and a header."""

from __future__ import annotations

import hashlib
import smtplib
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from yuqing.config import ChannelConfig, Settings

from .base import DeliveryError, OutgoingMessage
from .http import IDEMPOTENCY_HEADER

# A notice names a file to attach in its fields ("attachment": {...}); the layer that owns the bytes
# registers a loader returning (filename, bytes, media type), e.g. reports for archived briefings,
# so alerts imports nothing from the layers above it.
AttachmentLoader = Callable[[dict[str, Any], Settings], tuple[str, bytes, str] | None]
ATTACHMENT_LOADERS: list[AttachmentLoader] = []


def _attach(mail: EmailMessage, message: OutgoingMessage, settings: Settings) -> None:
    for item in message.items:
        spec = item.get("attachment")
        if not isinstance(spec, dict):
            continue
        for loader in ATTACHMENT_LOADERS:
            found = loader(spec, settings)
            if found is not None:
                name, data, media_type = found
                maintype, subtype = media_type.split("/", 1)
                mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
                break


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
    _attach(mail, message, settings)
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
