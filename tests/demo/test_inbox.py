"""The demo's notification inbox: robot posts and email land there and are shown escaped."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import httpx

from yuqing.app.demo.inbox import MailReceiver
from yuqing.app.demo.world import start_world
from yuqing.app.demo_launcher import demo_notify
from yuqing.config import NotifyConfig


def test_robots_and_mail_arrive_in_the_inbox_and_are_shown_escaped() -> None:
    world = start_world(port=0, speed=240)
    mailbox = MailReceiver(world.world.inbox)
    mailbox.start()
    try:
        wecom = httpx.post(
            f"{world.url}/inbox/wecom",
            json={"msgtype": "markdown",
                  "markdown": {"content": "【I级】CPI数据遭造假质疑\n<script>x</script>"}},
            headers={"X-Yuqing-Idempotency-Key": "n-1"},
        )
        assert wecom.status_code == 200 and wecom.json() == {"errcode": 0, "errmsg": "ok"}
        ding = httpx.post(
            f"{world.url}/inbox/dingtalk",
            json={"msgtype": "markdown",
                  "markdown": {"title": "升级：临近超时", "text": "5 小时时限剩余 15 分钟"}},
        )
        assert ding.status_code == 200
        assert httpx.post(f"{world.url}/inbox/wecom", content=b"{truncated").status_code == 400
        assert httpx.post(f"{world.url}/inbox/other", json={}).status_code == 404

        mail = EmailMessage()
        mail["Subject"] = "【超时】新闻发布会时限已超时"
        mail["From"] = "yuqing@demo"
        mail["To"] = "leader@demo.stats.example"
        mail.set_content("事件：CPI数据遭造假质疑", charset="utf-8")
        mail.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="briefing.pdf")
        with smtplib.SMTP("127.0.0.1", mailbox.port, timeout=10) as smtp:
            smtp.send_message(mail)

        items = world.world.inbox.snapshot()
        assert [i.channel for i in items] == ["wecom", "dingtalk", "email"]
        assert items[0].key == "n-1" and items[1].subject == "升级：临近超时"
        assert items[2].recipients == ("leader@demo.stats.example",) and "briefing.pdf" in items[2].body

        page = httpx.get(f"{world.url}/inbox").text
        assert "企业微信群（值班室）" in page and "领导邮箱" in page and "新闻发布会时限已超时" in page
        assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    finally:
        mailbox.stop()
        world.stop()


def test_demo_channels_are_a_valid_notify_configuration() -> None:
    notify = NotifyConfig.model_validate(demo_notify("http://127.0.0.1:8765", 2525))
    kinds = {(c.kind, c.audience) for c in notify.channels}
    assert kinds == {("wecom", "press"), ("dingtalk", "leadership"), ("email", "leadership")}
    assert notify.smtp_port == 2525 and notify.inbox_url == "http://127.0.0.1:8765/inbox"
