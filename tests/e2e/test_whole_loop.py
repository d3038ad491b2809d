"""The whole loop, end to end, on a stepped clock: demo world → crawl → analyse → alert → notify → API.

The demo world replays its CPI scenario at virtual times the test sets (`World.pin`), one step at
a time; at each step every source is crawled by the `yuqing crawl` command and the scheduler's
jobs (analysis, alerts, delivery) run to completion. The first crawl is a real `yuqing crawl`
process, as the scheduler starts it (configured through the environment, refusing to migrate);
the later ones run the same command in this process, in the reactor thread (`crawler.reactor`),
to spare a dozen interpreter start-ups and Scrapy imports. Nothing depends on how fast the machine is:
a loaded 2-core CI runner sees exactly what a fast laptop sees. The result is checked through the
HTTP API, and the notices in the demo's inbox, as a press officer would see them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.slow

STEP = timedelta(minutes=30)  # virtual time between crawls (the demo at ×900 crawls every 45 virtual min)


@pytest.fixture
def loop(tmp_path: Path, fresh_database_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from yuqing.api.auth import ensure_user
    from yuqing.app.demo.inbox import MailReceiver
    from yuqing.app.demo.world import start_world
    from yuqing.app.demo_launcher import DEMO_CONFIG, demo_notify, demo_sources
    from yuqing.app.scheduler import Scheduler
    from yuqing.app.service import prepare_database
    from yuqing.config import get_settings
    from yuqing.store.db import session_scope

    world = start_world(port=0, speed=1, seed=7)
    mailbox = MailReceiver(world.world.inbox)
    mailbox.start()
    config = tomllib.loads(DEMO_CONFIG.read_text(encoding="utf-8"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_")}
    env.update({
        "YUQING_ENV": "development",
        "YUQING_CONFIG": str(DEMO_CONFIG),
        "YUQING_DATABASE_URL": fresh_database_url,
        "YUQING_SOURCES": json.dumps(demo_sources(config, world.port, 30), ensure_ascii=False),
        "YUQING_NOTIFY": json.dumps(demo_notify(world.url, mailbox.port), ensure_ascii=False),
    })
    for key in [k for k in os.environ if k.startswith("YUQING_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith("YUQING_"):
            monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    settings = get_settings()
    engine, factory = prepare_database(settings)
    with session_scope(factory) as session:
        ensure_user(session, "demo", "demo", "press", "演示值班员")
    scheduler = Scheduler(settings, engine, crawl=False)
    names = [s.name for s in settings.sources]
    try:
        yield world, scheduler, settings, factory, env, names, tmp_path
    finally:
        scheduler.lock.release(final=True)
        engine.dispose()
        mailbox.stop()
        world.stop()
        get_settings.cache_clear()


def test_data_fraud_wave_becomes_one_grade_one_incident(loop) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from yuqing.api.app import create_app
    from yuqing.app.cli import app as cli
    from yuqing.config import get_settings
    from yuqing.crawler import reactor

    world, scheduler, settings, factory, env, names, tmp_path = loop
    clock = world.world.scenario.clock
    step, steps = 0, int(clock.span / STEP)
    args = ["crawl", *[arg for n in names for arg in ("-s", n)]]
    while step <= steps:
        world.world.pin(min(clock.scenario_start + step * STEP, clock.scenario_end))
        if step == 0:
            done = subprocess.run([sys.executable, "-m", "yuqing", *args], env=env, cwd=tmp_path,
                                  capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
            reactor.start()
        else:
            get_settings.cache_clear()  # the command reads the environment the process would
            ran = CliRunner().invoke(cli, args)
            assert ran.exception is None or isinstance(ran.exception, SystemExit), repr(ran.exception)
            assert ran.exit_code == 0, ran.stdout[-2000:]
        scheduler.analyse()
        scheduler.alert()
        scheduler.due_reports()  # 专报 at opening, release reports at T+2 h …
        scheduler.deliver()
        step += 1

    with TestClient(create_app(settings, factory)) as client:
        token = client.post("/api/v1/auth/token", json={"username": "demo", "password": "demo"})
        assert token.status_code == 200, token.text
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        incidents = client.get("/api/v1/incidents").json()
        grade_one = [i for i in incidents if i["grade"] == "I"]
        assert len(grade_one) == 1, [(i["grade"], i["title"]) for i in incidents]
        incident = client.get(f"/api/v1/incidents/{grade_one[0]['id']}").json()

        opened = datetime.fromisoformat(incident["opened_at"])
        assert opened.utcoffset() == timedelta(hours=8)  # shown in Asia/Shanghai
        due = {d["kind"]: datetime.fromisoformat(d["due_at"]) for d in incident["deadlines"]}
        assert due["authoritative_info"] - opened == timedelta(hours=5)
        assert due["press_conference"] - opened == timedelta(hours=24)

        assert incident["release"]["indicator"] == "CPI"
        mentions = client.get(f"/api/v1/incidents/{incident['id']}/mentions").json()
        negative = [m for m in mentions if m["sentiment"] == "negative"]
        assert len(negative) >= 0.8 * len(mentions), [(m["sentiment"], m["text"][:30]) for m in mentions]
        accusing = [m for m in mentions if any(w in m["text"] for w in ("造假", "被平均", "注水", "假数据"))]
        assert len(accusing) >= 20, [m["text"][:40] for m in mentions]
        missed = [m["text"][:40] for m in accusing if m["sentiment"] != "negative"]
        assert len(missed) <= 0.1 * len(accusing), missed  # the model is good, not perfect
        # News in the incident is coverage of the controversy; the calm reporting of the figure is not.
        assert all(m["sensitive_topics"] for m in mentions if m["platform"] == "news"), [
            m["text"][:40] for m in mentions if m["platform"] == "news"]

        # Searching the store finds the accusations the incident holds.
        found = client.get("/api/v1/search", params={"q": "造假 AND (CPI OR 物价)", "limit": 200}).json()
        assert len(found["items"]) >= 10

    # The press room's WeCom group was told of the incident as it opened, through the real channel,
    # and the leaders' mailbox got the incident's 专报 with its archived PDF attached.
    received = world.world.inbox.snapshot()
    opened_notices = [r for r in received if r.channel == "wecom" and "新开舆情事件" in r.body]
    assert opened_notices, [(r.channel, r.subject) for r in received]
    specials = [r for r in received if r.channel == "email" and "专报" in r.subject]
    assert specials and ".pdf" in specials[0].body, [(r.channel, r.subject) for r in received]
