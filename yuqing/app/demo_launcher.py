"""`yuqing demo`: the demo world and the whole service in one process, on a fresh database.

The demo configuration (yuqing/app/demo/demo.toml) names the simulated sources; here their port
and crawl interval are set from the command line and handed to the crawl subprocesses
through the environment (`YUQING_SOURCES` as JSON outranks the TOML file).
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from yuqing.config import get_settings

DEMO_CONFIG = Path(__file__).with_name("demo") / "demo.toml"
DEMO_USER = ("demo", "demo")


@dataclass
class DemoOptions:
    port: int = 8000
    world_port: int = 8765
    speed: float = 240
    crawl_interval: int = 30
    job_interval: float = 5
    database_url: str | None = None
    keep: bool = False
    seed: int = 7


def demo_sources(config: dict, world_port: int, crawl_interval: int) -> list[dict]:
    """The demo's sources pointed at the world's port, each crawled every `crawl_interval` s."""
    sources = []
    for src in config.get("sources", []):
        parts = urlsplit(src["url"])
        netloc = f"{parts.hostname}:{world_port}"
        sources.append({**src, "url": urlunsplit(parts._replace(netloc=netloc)),
                        "interval_seconds": crawl_interval})
    return sources


def demo_notify(world_url: str, smtp_port: int) -> dict:
    """Real channels pointed at the world's inbox: the press room's WeCom group, the leaders' DingTalk
    group and a leader's mailbox, so reminders and escalations can be watched as they go out."""
    return {
        "channels": [
            {"name": "值班室企业微信群", "kind": "wecom", "url": f"{world_url}/inbox/wecom",
             "audience": "press"},
            {"name": "领导钉钉群", "kind": "dingtalk", "url": f"{world_url}/inbox/dingtalk",
             "audience": "leadership"},
            {"name": "领导邮箱", "kind": "email", "recipients": ["leader@demo.stats.example"],
             "audience": "leadership"},
        ],
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        "smtp_from": "yuqing-demo@demo.stats.example",
        "inbox_url": f"{world_url}/inbox",
    }


def _fresh_sqlite(url: str) -> None:
    path = Path(url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def run_demo(opts: DemoOptions) -> None:
    from yuqing.api.auth import ensure_user
    from yuqing.app.demo.inbox import MailReceiver
    from yuqing.app.demo.world import start_world
    from yuqing.app.scheduler import Intervals
    from yuqing.app.service import ServeOptions, prepare_database, serve
    from yuqing.store.db import session_scope

    world = start_world(port=opts.world_port, speed=opts.speed, seed=opts.seed)
    mailbox = MailReceiver(world.world.inbox)
    mailbox.start()
    config = tomllib.loads(DEMO_CONFIG.read_text(encoding="utf-8"))
    os.environ["YUQING_CONFIG"] = str(DEMO_CONFIG)
    os.environ.setdefault("YUQING_ENV", "development")
    os.environ["YUQING_SOURCES"] = json.dumps(
        demo_sources(config, world.port, opts.crawl_interval), ensure_ascii=False
    )
    os.environ["YUQING_BASE_URL"] = f"http://127.0.0.1:{opts.port}"
    os.environ["YUQING_NOTIFY"] = json.dumps(demo_notify(world.url, mailbox.port), ensure_ascii=False)
    if opts.database_url:
        os.environ["YUQING_DATABASE_URL"] = opts.database_url
    get_settings.cache_clear()
    settings = get_settings()
    if settings.env != "development":
        # The demo account demo/demo is the one documented exception to the password policy
        # (api/passwords.py): it may exist only in the development environment.
        raise SystemExit("演示只能在开发环境（YUQING_ENV=development）运行："
                         "演示账号 demo/demo 不符合密码要求")
    if settings.database_url.startswith("sqlite:///") and not opts.keep:
        _fresh_sqlite(settings.database_url)

    engine, factory = prepare_database(settings)
    with session_scope(factory) as session:
        ensure_user(session, DEMO_USER[0], DEMO_USER[1], "press", "演示值班员")
    engine.dispose()

    url = f"http://127.0.0.1:{opts.port}/"
    print(f"\n  舆情演示 · 演示世界 {world.url}（加速 ×{opts.speed:g}）", flush=True)
    print(f"  值班看板：{url}   登录：{DEMO_USER[0]} / {DEMO_USER[1]}", flush=True)
    print(f"  通知收件箱（企业微信群、钉钉群、领导邮箱）：{world.url}/inbox\n", flush=True)
    try:
        serve(
            settings,
            ServeOptions(
                port=opts.port,
                intervals=Intervals(opts.job_interval, opts.job_interval, opts.job_interval),
            ),
        )
    finally:
        mailbox.stop()
        world.stop()
