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
    with pytest.raises(KeyError, match="配置中没有名为 'nope' 的来源"):
        Settings().source("nope")


def test_demo_sources_point_at_the_worlds_port() -> None:
    config = {"sources": [
        {"name": "w", "kind": "weibo_search", "url": "http://127.0.0.1:8765", "interval_seconds": 30},
        {"name": "r", "kind": "releases", "url": "http://127.0.0.1:8765/sj/zxfb/"},
    ]}
    got = demo_sources(config, world_port=9001, crawl_interval=5)
    assert [s["url"] for s in got] == ["http://127.0.0.1:9001", "http://127.0.0.1:9001/sj/zxfb/"]
    assert {s["interval_seconds"] for s in got} == {5}


def test_the_config_literals_are_the_vocabularys_codes() -> None:
    """Typed as Literals so a config file's strings stay strings; they must name the same codes."""
    from typing import get_args

    from yuqing.config import GradeCode, IncidentWindowKind, PolicyConfig
    from yuqing.vocab import DeadlineKind, Grade

    assert list(get_args(GradeCode)) == list(Grade.values())
    assert set(get_args(IncidentWindowKind)) == {
        DeadlineKind.AUTHORITATIVE_INFO, DeadlineKind.PRESS_CONFERENCE, DeadlineKind.UPDATE,
        DeadlineKind.TIMELY_RESPONSE,
    }
    assert set(PolicyConfig().grade_windows) == set(Grade.values())


def test_every_source_kind_has_typed_options_each_of_them_read() -> None:
    """A typo fails at load time naming the source and field; an option no code reads would be a lie."""
    import re

    from yuqing.source_options import OPTIONS_BY_KIND, CrawlOptions
    from yuqing.vocab import SourceKind

    assert set(OPTIONS_BY_KIND) == set(SourceKind)
    typo = r"来源 '跟帖'（news_comments）的选项有误：max_page：不是此类来源的选项"
    with pytest.raises(ValueError, match=typo):
        Settings(sources=[{"name": "跟帖", "kind": "news_comments", "url": "http://127.0.0.1/{thread}",
                           "options": {"max_page": 3}}])
    crawler = Path(__file__).parents[1] / "crawler"
    code = "\n".join(p.read_text(encoding="utf-8") for p in crawler.rglob("*.py"))
    unread = [f"{kind}.{name}" for kind, model in OPTIONS_BY_KIND.items() for name in model.model_fields
              if not re.search(rf"\.{name}\b|\"{name}\"", code)]
    assert unread == []
    assert all(issubclass(m, CrawlOptions) for m in OPTIONS_BY_KIND.values())
