"""Every channel against a local receiver: webhook HMAC, WeCom markdown, DingTalk signed, SMTP email."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

from yuqing.alerts import service
from yuqing.alerts.channels.dingtalk import signature
from yuqing.alerts.outbox import deliver_due
from yuqing.alerts.templates import safe_text
from yuqing.config import ChannelConfig, NotifyConfig

from .conftest import T0


def open_and_deliver(session_maker, settings, title="网传CPI数据造假"):
    with session_maker() as s, s.begin():
        incident = service.open_incident(s, title=title, grade="III", category="other", actor="officer",
                                         now=T0, settings=settings)
    return incident.id, deliver_due(session_maker, settings, now=T0 + timedelta(seconds=5))


def test_webhook_body_is_signed_and_carries_the_idempotency_key(session_maker, make_settings, receiver):
    settings = make_settings(receiver)
    incident_id, sent = open_and_deliver(session_maker, settings)
    assert sent == 1
    [request] = receiver.on("/press")
    expected = "sha256=" + hmac.new(b"s3cret", request["raw"], hashlib.sha256).hexdigest()
    assert request["headers"]["x-yuqing-signature"] == expected
    assert request["headers"]["x-yuqing-idempotency-key"] == f"incident:{incident_id}:opened|press-hook"
    body = request["json"]
    assert "网传CPI数据造假" in body["body"] and "较大（III级）" in body["body"]
    assert f"http://127.0.0.1:8000/incidents/{incident_id}" in body["body"]
    assert receiver.on("/leaders") == []  # grade III: press office only


def test_wecom_and_dingtalk_robots(session_maker, make_settings, receiver):
    channels = [
        ChannelConfig(name="wecom", kind="wecom", url=receiver.url + "/wecom?key=abc"),
        ChannelConfig(name="ding", kind="dingtalk", url=receiver.url + "/ding?access_token=tok",
                      secret="SECxyz"),
    ]
    settings = make_settings(notify=NotifyConfig(channels=channels))
    _, sent = open_and_deliver(session_maker, settings)
    assert sent == 2
    [wecom] = receiver.on("/wecom")
    assert wecom["query"] == {"key": "abc"}
    assert wecom["json"]["msgtype"] == "markdown"
    assert "网传CPI数据造假" in wecom["json"]["markdown"]["content"]
    [ding] = receiver.on("/ding")
    query = ding["query"]
    assert query["access_token"] == "tok"
    timestamp = int(query["timestamp"])
    assert timestamp == int((T0 + timedelta(seconds=5)).timestamp() * 1000)
    # DingTalk's rule, computed independently: base64(HMAC-SHA256(secret, f"{timestamp}\n{secret}"))
    mac = hmac.new(b"SECxyz", f"{timestamp}\nSECxyz".encode(), hashlib.sha256).digest()
    assert query["sign"] == base64.b64encode(mac).decode() == signature("SECxyz", timestamp)
    assert ding["json"]["msgtype"] == "markdown" and ding["json"]["markdown"]["title"]


def test_email_through_a_local_smtp_server(session_maker, make_settings, smtp_server):
    port, received = smtp_server
    notify = NotifyConfig(smtp_port=port, channels=[
        ChannelConfig(name="mail", kind="email", recipients=["press@stats.example"], audience="all")])
    settings = make_settings(notify=notify)
    incident_id, sent = open_and_deliver(session_maker, settings)
    assert sent == 1
    [envelope] = received
    assert envelope.rcpt_tos == ["press@stats.example"]
    mail = message_from_bytes(envelope.content)
    assert "新开舆情事件" in str(make_header(decode_header(mail["Subject"])))
    assert mail["X-Yuqing-Idempotency-Key"] == f"incident:{incident_id}:opened|mail"
    body = mail.get_payload(decode=True).decode("utf-8")
    assert "网传CPI数据造假" in body and f"/incidents/{incident_id}" in body


def test_untrusted_titles_are_neutralised_in_markdown(session_maker, make_settings, receiver):
    settings = make_settings(receiver)
    open_and_deliver(session_maker, settings, title="[点我](http://evil.example) <script>x</script>")
    body = receiver.on("/press")[0]["json"]["body"]
    assert "[点我](http" not in body and "<script>" not in body
    assert safe_text("a\n\nb" * 100, limit=10).endswith("…")


def test_channels_named_in_chinese_deliver_with_an_ascii_key(session_maker, make_settings, receiver):
    """HTTP headers are ASCII: a Chinese channel name in the key used to fail every robot delivery."""
    from urllib.parse import unquote

    channels = [ChannelConfig(name="值班室企业微信群", kind="wecom", url=receiver.url + "/wecom?key=abc")]
    settings = make_settings(notify=NotifyConfig(channels=channels))
    incident_id, sent = open_and_deliver(session_maker, settings)
    assert sent == 1
    [wecom] = receiver.on("/wecom")
    key = wecom["headers"]["x-yuqing-idempotency-key"]
    assert key.isascii() and unquote(key) == f"incident:{incident_id}:opened|值班室企业微信群"
