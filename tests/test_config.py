"""Settings resolve in ranked layers: defaults < TOML file < environment < explicit arguments."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from yuqing.app.demo_launcher import demo_sources
from yuqing.config import Settings


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "yuqing.toml"
    path.write_text(
        'database_url = "sqlite:///from-file.db"\n'
        "[policy]\nauthoritative_hours = 4\npress_conference_hours = 20\n"
        '[[sources]]\nname = "w"\nkind = "weibo_search"\nurl = "https://m.weibo.cn"\nkeywords = ["CPI"]\n',
        encoding="utf-8",
    )
    for key in list(os.environ):
        if key.startswith("YUQING_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("YUQING_CONFIG", str(path))
    monkeypatch.chdir(tmp_path)  # no stray .env
    return path


def test_file_overrides_defaults_and_environment_overrides_file(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = Settings()
    assert s.database_url == "sqlite:///from-file.db"
    assert (s.policy.authoritative_hours, s.policy.press_conference_hours) == (4, 20)
    assert s.policy.complaint_working_days == 15  # untouched default
    assert s.source("w").keywords == ["CPI"]

    monkeypatch.setenv("YUQING_POLICY__AUTHORITATIVE_HOURS", "3")
    monkeypatch.setenv("YUQING_DATABASE_URL", "postgresql://db/yuqing")
    s = Settings()
    assert s.policy.authoritative_hours == 3 and s.policy.press_conference_hours == 20
    assert s.database_url == "postgresql://db/yuqing"
    assert Settings(database_url="sqlite:///arg.db").database_url == "sqlite:///arg.db"


def test_grade_windows_default_to_the_rules_and_a_partial_table_keeps_the_rest(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anhui 二(二): 5 h / 24 h for 特别重大 (I) only. A bureau that makes II stricter in its file or
    environment keeps grade I's clocks; a grade it names with an empty list gets none."""
    default = Settings().policy.grade_windows
    assert default["I"] == ["authoritative_info", "press_conference", "update"]
    assert "authoritative_info" not in default["II"] and "press_conference" not in default["II"]
    assert default["III"] == default["IV"] == []

    config_file.write_text('[policy.grade_windows]\nII = ["authoritative_info", "press_conference"]\n'
                           'III = []\n', encoding="utf-8")
    windows = Settings().policy.grade_windows
    assert windows["II"] == ["authoritative_info", "press_conference"]
    assert windows["I"] == default["I"] and windows["III"] == []
    monkeypatch.setenv("YUQING_POLICY__GRADE_WINDOWS", '{"II": ["timely_response"]}')
    windows = Settings().policy.grade_windows
    assert windows["I"] == default["I"] and windows["II"] == ["timely_response"]


def test_production_refuses_the_development_secret(config_file: Path) -> None:
    with pytest.raises(ValueError, match="YUQING_SECRET_KEY"):
        Settings(env="production")
    with pytest.raises(ValueError, match="YUQING_SECRET_KEY"):
        Settings(env="production", secret_key="s" * 40)  # long but one character repeated
    strong = "k3Y-9fQ2_zL8wPx1VbN7cR4tH6mJ0sDe"
    assert Settings(env="production", secret_key=strong).secret_key == strong


def test_unknown_source_is_a_clear_error(config_file: Path) -> None:
    with pytest.raises(KeyError, match="no source named 'nope'"):
        Settings().source("nope")


def test_demo_sources_point_at_the_worlds_port() -> None:
    config = {"sources": [
        {"name": "w", "kind": "weibo_search", "url": "http://127.0.0.1:8765", "interval_seconds": 30},
        {"name": "r", "kind": "releases", "url": "http://127.0.0.1:8765/sj/zxfb/"},
    ]}
    got = demo_sources(config, world_port=9001, crawl_interval=5)
    assert [s["url"] for s in got] == ["http://127.0.0.1:9001", "http://127.0.0.1:9001/sj/zxfb/"]
    assert {s["interval_seconds"] for s in got} == {5}
