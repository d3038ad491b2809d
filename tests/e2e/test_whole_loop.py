"""The whole loop, end to end: demo world → crawl → analyse → alert → API.

Starts `yuqing demo` as a real process (demo world, scheduler, crawl subprocesses, API) on a
database of its own, lets the accelerated scenario play out, and checks through the HTTP API
that the data-fraud wave became exactly one grade-I incident with its two clocks.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

SPEED = 900  # scenario seconds per real second: the 6-hour scenario plays in about 24 s
SCENARIO_LIMIT_S = 240  # give up (and fail) after this long


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo(tmp_path: Path, fresh_database_url: str) -> Iterator[tuple[httpx.Client, str]]:
    port, world_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_")}
    env["YUQING_ENV"] = "development"
    log = (tmp_path / "demo.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "yuqing", "demo", "--port", str(port), "--world-port", str(world_port),
         "--speed", str(SPEED), "--crawl-interval", "3", "--job-interval", "1",
         "--database-url", fresh_database_url],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=base, timeout=10)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "demo.log").read_text()
            try:
                if client.get("/api/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "service did not start"
            time.sleep(0.5)
        token = client.post("/api/v1/auth/token", json={"username": "demo", "password": "demo"})
        assert token.status_code == 200, token.text
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        yield client, f"http://127.0.0.1:{world_port}"
    finally:
        client.close()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _scenario_done(world: str) -> bool:
    return httpx.get(f"{world}/__scenario", timeout=5).json()["progress"] >= 1


def test_data_fraud_wave_becomes_one_grade_one_incident(demo: tuple[httpx.Client, str]) -> None:
    client, world = demo
    start = time.monotonic()
    # Wait for the scenario to finish, then for the service to catch up on what it published.
    while not _scenario_done(world):
        assert time.monotonic() - start < SCENARIO_LIMIT_S, "scenario did not finish"
        time.sleep(1)
    settle_until = time.monotonic() + 20
    incidents: list[dict] = []
    while time.monotonic() < settle_until:
        incidents = client.get("/api/v1/incidents").json()
        time.sleep(2)

    grade_one = [i for i in incidents if i["grade"] == "I"]
    assert len(grade_one) == 1, incidents
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
