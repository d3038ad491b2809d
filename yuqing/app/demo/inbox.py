"""The demo's notification inbox: what a WeCom group, a DingTalk group and a leader's mailbox got.

The demo configures real channels (WeCom and DingTalk robots, SMTP email) pointed at this inbox
on 127.0.0.1, so reminders, escalations and breach notices travel the production path and a
visitor sees them arrive at /inbox. Nothing leaves the machine.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from html import escape
from typing import Any

from yuqing.clock import SHANGHAI
from yuqing.clock import now as clock_now

CHANNEL_NAMES = {"wecom": "企业微信群（值班室）", "dingtalk": "钉钉群（领导）", "webhook": "Webhook",
                 "email": "领导邮箱"}
KEY_HEADER = "X-Yuqing-Idempotency-Key"


@dataclass(frozen=True)
class Received:
    channel: str
    at: datetime
    subject: str
    body: str
    key: str | None
    recipients: tuple[str, ...] = ()


@dataclass
class Inbox:
    """Received messages, newest last, at most `capacity` (the demo runs for hours at most)."""

    capacity: int = 1000
    items: deque[Received] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, item: Received) -> None:
        with self.lock:
            self.items.append(item)
            while len(self.items) > self.capacity:
                self.items.popleft()

    def snapshot(self) -> list[Received]:
        with self.lock:
            return list(self.items)

    def receive_robot(self, channel: str, body: bytes, key: str | None) -> tuple[int, dict[str, Any]]:
        """A robot webhook POST: the JSON WeCom/DingTalk accept; answers as they do (errcode 0)."""
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return 400, {"errcode": 40001, "errmsg": "invalid json"}
        subject, text = _robot_text(data)
        self.add(Received(channel, clock_now(), subject, text, key))
        return 200, {"errcode": 0, "errmsg": "ok"}

    def receive_mail(self, recipients: list[str], raw: bytes) -> None:
        mail = message_from_bytes(raw, policy=policy.default)
        part = mail.get_body(preferencelist=("plain", "html"))
        text = part.get_content() if part is not None else ""
        attachments = [a.get_filename() or "附件" for a in mail.iter_attachments()]
        if attachments:
            text += "\n附件：" + "、".join(attachments)
        self.add(Received("email", clock_now(), str(mail.get("Subject", "")), text, mail.get(KEY_HEADER),
                          tuple(recipients)))


def _robot_text(data: dict[str, Any]) -> tuple[str, str]:
    kind = data.get("msgtype")
    if kind == "markdown":
        md = data.get("markdown") or {}
        content = str(md.get("content") or md.get("text") or "")
        title = str(md.get("title") or content.split("\n", 1)[0])
        return title, content
    if kind == "text":
        content = str((data.get("text") or {}).get("content") or "")
        return content.split("\n", 1)[0], content
    return str(data.get("subject") or "通知"), json.dumps(data, ensure_ascii=False, indent=1)[:4000]


def render(inbox: Inbox) -> str:
    """The inbox page: every message escaped (notices quote crawled text), newest first."""
    items = list(reversed(inbox.snapshot()))
    counts = {k: sum(1 for i in items if i.channel == k) for k in CHANNEL_NAMES}
    rows = []
    for i in items:
        who = "、".join(i.recipients)
        rows.append(
            f'<article class="msg ch-{escape(i.channel)}"><div class="meta">'
            f"<b>{escape(CHANNEL_NAMES.get(i.channel, '其他通道'))}</b> · "
            f"{i.at.astimezone(SHANGHAI):%m-%d %H:%M:%S}" + (f" · 收件人 {escape(who)}" if who else "")
            + f"</div><h3>{escape(i.subject)}</h3><pre>{escape(i.body)}</pre></article>"
        )
    summary = " · ".join(f"{name} {counts[k]} 条" for k, name in CHANNEL_NAMES.items() if k != "webhook")
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="refresh" content="10"><title>演示通知收件箱</title><style>'
        "body{font-family:'Noto Sans CJK SC',sans-serif;margin:0;background:#f4f5f7;color:#1d2330}"
        "header{background:#14213d;color:#fff;padding:10px 16px}main{padding:12px 16px;max-width:960px}"
        ".msg{background:#fff;border:1px solid #e3e6eb;border-left:5px solid #1f6fd1;border-radius:6px;"
        "padding:8px 12px;margin-bottom:10px}.ch-dingtalk{border-left-color:#e8730c}"
        ".ch-email{border-left-color:#c8102e}.meta{font-size:12px;color:#6b7280}"
        "h3{margin:4px 0;font-size:15px}"
        "pre{white-space:pre-wrap;font-family:inherit;margin:0}</style></head><body>"
        "<header><b>演示通知收件箱</b> · 本机模拟的企业微信群、钉钉群与领导邮箱"
        "实际收到的通知（每 10 秒刷新）</header>"
        f"<main><p>{escape(summary)}</p>"
        + ("".join(rows) or "<p>尚未收到通知。事件开立、临期提醒、升级与超时通报会出现在这里。</p>")
        + "</main></body></html>"
    )


class MailReceiver:
    """An SMTP server on 127.0.0.1 that files every message in the inbox (aiosmtpd)."""

    def __init__(self, inbox: Inbox, port: int = 0) -> None:
        from aiosmtpd.controller import Controller

        receiver = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                receiver.inbox.receive_mail(list(envelope.rcpt_tos), envelope.original_content or b"")
                return "250 OK"

        self.inbox = inbox
        if port == 0:
            import socket

            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        self.port = port

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
