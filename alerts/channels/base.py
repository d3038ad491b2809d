"""What the outbox and the channels share: the message, the failure, the sender's signature.

Both sides import this module and nothing of each other: the outbox hands an `OutgoingMessage` to
a `Sender`; a channel raises `DeliveryError` (or lets a transport error through) when it could not
deliver, and the outbox retries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from yuqing.config import ChannelConfig, Settings


class DeliveryError(Exception):
    """A channel refused or could not take a message (message in Chinese); the outbox retries it."""


@dataclass
class OutgoingMessage:
    """What a channel sends: one notice or a group of related ones.

    `key` is the idempotency key: a single notice's own key, or for a group one derived from the
    keys of the notices in it; it never changes on a retry (the group is never recomposed).
    `items` carry each notice's own key, so a receiver can also dedupe notice by notice.
    """

    key: str
    subject: str
    body: str
    items: list[dict[str, Any]] = field(default_factory=list)
    notification_ids: list[int] = field(default_factory=list)


Sender = Callable[[ChannelConfig, OutgoingMessage, Settings, datetime], None]


def describe_failure(exc: BaseException, channel: ChannelConfig) -> str:
    """A failure as a duty officer reads it (Chinese), with the technical detail after it."""
    if isinstance(exc, DeliveryError):
        return str(exc)[:1000]
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        what = f"超时（{channel.timeout_seconds:g} 秒内未答复）"
    elif isinstance(exc, httpx.ConnectError | ConnectionError):
        what = "无法连接接收方"
    else:
        what = "发送出错"
    return f"{what}：{type(exc).__name__} {exc}"[:1000]
