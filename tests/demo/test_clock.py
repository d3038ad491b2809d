"""The virtual clock: accelerated, always in the past of the real clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from yuqing.app.demo.clock import VirtualClock, phase_of

START = datetime(2026, 11, 9, 2, 0, tzinfo=UTC)


def test_virtual_now_runs_speed_times_faster_from_span_before_start() -> None:
    c = VirtualClock(START, timedelta(hours=6), 240)
    assert c.scenario_start == START - timedelta(hours=6)
    assert c.virtual_now(START) == START - timedelta(hours=6)
    assert c.virtual_now(START + timedelta(seconds=45)) == START - timedelta(hours=3)
    assert c.real_duration == timedelta(seconds=90)
    assert c.progress(START + timedelta(seconds=45)) == pytest.approx(0.5)


def test_virtual_now_never_passes_the_real_clock() -> None:
    c = VirtualClock(START, timedelta(hours=6), 240)
    for seconds in (90, 91, 300, 86_400):
        real = START + timedelta(seconds=seconds)
        assert c.virtual_now(real) <= real
    assert c.virtual_now(START + timedelta(hours=2)) == START + timedelta(hours=2)
    assert c.progress(START + timedelta(hours=2)) == 1.0


def test_before_start_the_clock_holds_at_the_scenario_start() -> None:
    c = VirtualClock(START, timedelta(hours=6), 240)
    assert c.virtual_now(START - timedelta(minutes=5)) == c.scenario_start


def test_phases_follow_progress() -> None:
    assert [phase_of(p) for p in (0.0, 0.1, 0.4, 0.8, 1.0)] == [
        "release",
        "calm",
        "accusation",
        "viral",
        "after",
    ]


@pytest.mark.parametrize(("speed", "span"), [(0, 6), (-1, 6), (240, 0)])
def test_bad_parameters_are_refused(speed: float, span: float) -> None:
    with pytest.raises(ValueError):
        VirtualClock(START, timedelta(hours=span), speed)
