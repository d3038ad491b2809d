"""Over a real HTTP server: items appear as virtual time passes; repeated requests are stable."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine

from yuqing.app.demo.world import WorldHandle, start_world

T0 = datetime(2026, 11, 9, 7, 30, tzinfo=UTC)
SEARCH = "/api/container/getIndex?containerid=100103type%3D61%26q%3DCPI&page_type=searchall&page=1"


@pytest.fixture
def running() -> Iterator[tuple[WorldHandle, time_machine.Traveller]]:
    with time_machine.travel(T0, tick=False) as traveller:
        handle = start_world(0, 240, 7)
        try:
            yield handle, traveller
        finally:
            handle.stop()


def state(handle: WorldHandle) -> dict:
    return json.loads(httpx.get(handle.url + "/__scenario", timeout=5).text)


def test_items_are_revealed_as_virtual_time_passes(
    running: tuple[WorldHandle, time_machine.Traveller],
) -> None:
    handle, traveller = running
    assert handle.url.startswith("http://127.0.0.1:")
    at_start = state(handle)
    assert at_start["phase"] == "release"
    assert at_start["visible"]["releases"] == at_start["total"]["releases"]  # the CPI release is out
    assert at_start["visible"]["weibo"] == 0
    assert httpx.get(handle.url + SEARCH).json()["ok"] == 0
    counts = []
    for _ in range(3):
        traveller.shift(timedelta(seconds=30))  # 2 virtual hours each
        s = state(handle)
        counts.append(s["visible"]["weibo"])
        page = httpx.get(handle.url + SEARCH).json()
        newest = datetime.strptime(
            page["data"]["cards"][-1].get("mblog", {}).get("created_at")
            or page["data"]["cards"][-1]["card_group"][0]["mblog"]["created_at"],
            "%a %b %d %H:%M:%S %z %Y",
        )
        assert newest <= datetime.fromisoformat(s["virtual_now"]) <= T0 + timedelta(seconds=30) * len(counts)
    assert 0 < counts[0] < counts[1] < counts[2] == s["total"]["weibo"]
    assert [state(handle)["phase"]] == ["after"]
    # the wave grows: the last third adds more posts than the first two
    assert counts[2] - counts[1] > counts[1] - counts[0] > 0


def test_repeated_requests_are_stable_and_seeded(running: tuple[WorldHandle, time_machine.Traveller]) -> None:
    handle, traveller = running
    other = start_world(0, 240, 7)  # started at the same instant with the same seed
    traveller.shift(timedelta(seconds=60))
    paths = [
        SEARCH,
        "/news/rss.xml",
        "/local/rss.xml",
        "/sj/zxfb/",
        "/f/search/res?ie=utf-8&qw=CPI&rn=20&pn=1&sm=1",
    ]
    first = [httpx.get(handle.url + p).content for p in paths]
    second = [httpx.get(handle.url + p).content for p in paths]
    assert first == second
    try:
        ids = [c.get("mblog", {}).get("id") for c in httpx.get(handle.url + SEARCH).json()["data"]["cards"]]
        again = [c.get("mblog", {}).get("id") for c in httpx.get(other.url + SEARCH).json()["data"]["cards"]]
        assert ids == again and any(ids)
    finally:
        other.stop()


def test_cli_registers_demo_world() -> None:
    from typer.testing import CliRunner

    from yuqing.app.cli import app

    result = CliRunner().invoke(app, ["demo-world", "--help"])
    assert result.exit_code == 0 and "--speed" in result.output and "--seed" in result.output
