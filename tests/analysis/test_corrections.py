"""Issue 13: analysts' corrections (who, what, when) feed `yuqing train --corrections-db`."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from yuqing.analysis.sentiment.corrections import read_corrections
from yuqing.app.cli import app
from yuqing.store.models import SentimentCorrection

AT = datetime(2026, 12, 10, 6, tzinfo=UTC)


def test_latest_correction_per_text_is_read_from_the_database(session_maker, database_url):  # type: ignore[no-untyped-def]
    with session_maker() as s, s.begin():
        s.add_all([
            SentimentCorrection(text="统计局回应很诚恳", label="negative", previous_label="negative",
                                user="ana", created_at=AT),
            SentimentCorrection(text="统计局回应很诚恳", label="positive", previous_label="negative",
                                user="bob", created_at=AT + timedelta(minutes=5)),
            SentimentCorrection(text="CPI注水笑死", label="negative", previous_label="positive",
                                user="ana", created_at=AT + timedelta(minutes=1)),
            SentimentCorrection(text="怪标签", label="sarcastic", user="ana", created_at=AT),
        ])
    rows = read_corrections(database_url)
    assert sorted(rows) == [("CPI注水笑死", "negative"), ("统计局回应很诚恳", "positive")]


def test_train_refuses_an_unreadable_corrections_database(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "x.db"
    result = CliRunner().invoke(app, ["train", "--out", str(tmp_path / "m"), "--corrections-db",
                                      f"sqlite:///{missing}"])
    assert result.exit_code == 2
    assert "更正数据库" in result.output and not (tmp_path / "m").exists()


def test_train_learns_the_stored_corrections_and_the_card_counts_them(  # type: ignore[no-untyped-def]
        session_maker, database_url, tmp_path: Path):
    """What an analyst's 更正 stored (who, what) reaches `yuqing train`; the model card says how many."""
    import re

    beside = Path(__file__).resolve().parents[2].parent / "shared" / "data"  # ../shared of the checkout
    data = beside if beside.is_dir() else Path("/work/shared/data")  # a worktree: the shared copy
    assert data.is_dir()
    with session_maker() as s, s.begin():
        s.add_all([
            SentimentCorrection(text="感谢统计局新闻发布会的详细说明，疑问都解答了", label="positive",
                                previous_label="negative", user="ana", created_at=AT),
            SentimentCorrection(text="CPI 0.2%这个数字谁信谁傻笑死", label="negative",
                                previous_label="positive", user="bob", created_at=AT),
        ])
    out = tmp_path / "m"
    result = CliRunner().invoke(app, ["train", "--data", str(data), "--limit", "150", "--out", str(out),
                                      "--corrections-db", database_url])
    assert result.exit_code == 0, result.output
    assert "分析员更正：2 条" in result.output and "本次训练使用分析员更正 2 条" in result.output
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert re.search(r"corrections.*used: 2\b", card), card[:2000]
