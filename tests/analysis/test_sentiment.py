import json
from pathlib import Path

import numpy as np
import pytest

from analysis.sentiment.classify import classify_texts
from analysis.sentiment.model import ModelError, load_model, read_model
from analysis.sentiment.train import train

DATA = Path("/work/shared/data")


def test_shipped_model_news_is_neutral_and_fraud_is_negative() -> None:
    out = classify_texts([
        "国家统计局今日发布，10月份居民消费价格同比上涨0.2%，环比下降0.1%。",
        "2026年10月份全国城镇调查失业率为5.1%，比上月下降0.1个百分点。",
        "数据造假",
        "统计局又注水了，CPI根本不可信，我们都被平均了",
        "今天收到礼物，太开心了，谢谢大家",
    ])
    assert [o["label"] for o in out] == ["neutral", "neutral", "negative", "negative", "positive"]
    for o in out:
        assert abs(o["p_negative"] + o["p_neutral"] + o["p_positive"] - 1) < 1e-3
        assert o["model_version"] == load_model().version


def test_model_files_load_without_pickle_and_card_exists() -> None:
    model_dir = Path(__file__).resolve().parents[2] / "analysis" / "model"
    params = json.loads((model_dir / "sentiment.json").read_text())
    assert params["format"] == "yuqing-sentiment/1"
    with np.load(model_dir / "sentiment.npz", allow_pickle=False) as npz:
        assert npz["coef"].shape == (3, params["n_features"])
    card = (model_dir / "MODEL_CARD.md").read_text()
    assert "weibo_senti_100k" in card and "without emoticons" in card
    assert sum(p.stat().st_size for p in model_dir.iterdir()) < 20 * 1024 * 1024


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="yuqing train"):
        read_model(tmp_path)


def test_tiny_training_round_trip(tmp_path: Path) -> None:
    stages: list[str] = []
    result = train(DATA, limit_per_corpus=150, n_features=2**12, version="tiny",
                   corrections=[("统计数据根本不可信", "negative")],
                   progress=lambda stage, done, total: stages.append(stage))
    assert "分词" in stages and set(result.scores) >= {"weibo_senti_100k", "smp2020_ewect", "nlpcc2014"}
    assert all(0 <= s["without_emoticons"] <= 1 for s in result.scores.values())
    assert result.extra["corrections"] == 1
    result.model.save(tmp_path, scores=result.scores)
    again = read_model(tmp_path)
    assert again.version == "tiny" and again.n_features == 2**12
    probs = again.predict_proba([["数据造假"], ["同比", "上涨"]])
    assert probs.shape == (2, 3) and np.allclose(probs.sum(axis=1), 1)
