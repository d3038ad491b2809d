import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from yuqing.analysis.sentiment.card import model_card
from yuqing.analysis.sentiment.classify import classify_texts
from yuqing.analysis.sentiment.features import FeatureSpec, char_ngrams, vectorise
from yuqing.analysis.sentiment.model import ModelError, load_model, read_model
from yuqing.analysis.sentiment.train import MODEL_VERSION, train

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
    assert params["format"] == "yuqing-sentiment/3" and params["version"] == MODEL_VERSION
    assert "rjieba" in params["tokeniser"]
    with np.load(model_dir / "sentiment.npz", allow_pickle=False) as npz:
        assert npz["coef"].shape == (3, params["n_features"])
    f = params["features"]
    assert params["n_features"] == f["word_features"] + f["char_features"] + f["cue_features"]
    card = (model_dir / "MODEL_CARD.md").read_text()
    assert "weibo_senti_100k" in card and "without emoticons" in card
    assert f"version {MODEL_VERSION}" in card and "rjieba" in card
    assert sum(p.stat().st_size for p in model_dir.iterdir()) < 20 * 1024 * 1024


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="yuqing train"):
        read_model(tmp_path)


def test_tiny_training_round_trip(tmp_path: Path) -> None:
    stages: list[str] = []
    result = train(DATA, limit_per_corpus=150, features=FeatureSpec(2**12, 2**10, cue_features=2**10),
                   version="tiny",
                   corrections=[("统计数据根本不可信", "negative")],
                   progress=lambda stage, done, total: stages.append(stage))
    assert "分词" in stages and set(result.scores) >= {"weibo_senti_100k", "smp2020_ewect", "nlpcc2014"}
    assert all(0 <= s["without_emoticons"] <= 1 for s in result.scores.values())
    assert result.extra["corrections"] == 1
    assert all("pos_neg_accuracy_without_emoticons" in result.scores[n]  # three-class sets too
               for n in ("weibo_senti_100k", "smp2020_ewect", "nlpcc2014", "stats_domain"))
    card = model_card(result, trained_at=datetime(2026, 12, 7, tzinfo=UTC), data_dir="data")
    smp = next(line for line in card.splitlines() if line.startswith("| smp2020_ewect |"))
    assert smp.split("|")[-2].strip() != "–"  # its pos/neg column is filled
    assert "SMP2020-EWECT, human-labelled" in card and "once with its emoticons removed" in card
    result.model.save(tmp_path, scores=result.scores)
    again = read_model(tmp_path)
    assert again.version == "tiny" and again.n_features == 2**12 + 2**10 + 2**10  # words, chars, cues
    assert np.array_equal(again.coef, result.model.coef)
    probs = again.predict_proba([["数据造假"], ["同比", "上涨"]])
    assert probs.shape == (2, 3) and np.allclose(probs.sum(axis=1), 1)


def test_char_ngrams_are_the_distinct_1_to_3_grams_without_emoticons() -> None:
    x = char_ngrams([["数据", "造假", "[怒]"], [], ["好好"]], 2**18)
    assert x.shape == (3, 2**18)
    # 数 据 造 假 (4) + 数据 据造 造假 (3) + 数据造 据造假 (2); the emoticon adds nothing
    assert x[0].nnz == 9 and np.isclose((x[0].data ** 2).sum(), 1.0)
    assert x[1].nnz == 0
    assert x[2].nnz == 2  # 好, 好好: repeats count once
    again = char_ngrams([["数据造假"]], 2**18)  # same text, other segmentation: same character block
    assert (again != x[0]).nnz == 0


def test_feature_blocks_sit_side_by_side() -> None:
    spec = FeatureSpec(2**10, 2**8, cue_features=2**10)
    x = vectorise([["统计局", "数据", "注水"]], spec)
    assert x.shape == (1, 2**10 + 2**8 + 2**10)
    word, char, cue = x[:, : 2**10], x[:, 2**10 : 2**10 + 2**8], x[:, 2**10 + 2**8 :]
    assert np.isclose((word.data ** 2).sum(), 1.0) and np.isclose((char.data ** 2).sum(), 1.0)
    # 注水 is a doubt cue, and 统计/数据 make it one about a statistic: §doubt, §doubt:注水, §doubt&stats
    assert cue.nnz == 3 and set(cue.data) == {1.0}
    assert vectorise([["统计局"]], 2**10).shape == (1, 2**10)  # words only, the 1.0.0 layout


def test_old_words_only_model_still_loads(tmp_path: Path) -> None:
    coef = np.zeros((3, 2**10), dtype=np.float32)
    coef[0, :] = 1.0
    (tmp_path / "sentiment.json").write_text(json.dumps({
        "format": "yuqing-sentiment/1", "version": "1.0.0", "labels": ["negative", "neutral", "positive"],
        "n_features": 2**10, "temperature": 1.0}))
    np.savez_compressed(tmp_path / "sentiment.npz", coef=coef, intercept=np.zeros(3))
    model = read_model(tmp_path)
    assert model.features.char_features == 0
    assert model.predict([["数据", "造假"]])[0][0] == "negative"


def test_unknown_feature_hash_is_refused(tmp_path: Path) -> None:
    (tmp_path / "sentiment.json").write_text(json.dumps({
        "format": "yuqing-sentiment/2", "version": "x", "labels": ["negative", "neutral", "positive"],
        "n_features": 2**11, "features": {"word_features": 2**10, "char_features": 2**10,
                                          "char_ngrams": [1, 3], "char_hash": "md5"}}))
    np.savez_compressed(tmp_path / "sentiment.npz", coef=np.zeros((3, 2**11)), intercept=np.zeros(3))
    with pytest.raises(ModelError, match="特征"):
        read_model(tmp_path)


def test_pos_neg_accuracy_is_scored_on_the_polar_rows_of_three_class_sets() -> None:
    from yuqing.analysis.sentiment.evaluation import score_rows
    from yuqing.analysis.tokenise import tokenise

    model = load_model()
    rows = [("太好了，今天真开心", "positive"), ("气死我了，太差劲", "negative"), ("今天周一", "neutral"),
            ("谢谢大家的祝福，爱你们", "positive")]
    scores = score_rows(model, rows)
    polar = [(t, label) for t, label in rows if label != "neutral"]
    probs = model.predict_proba([tokenise(t) for t, _ in polar])
    right = [(p[2] > p[0]) == (label == "positive") for p, (_, label) in zip(probs, polar, strict=True)]
    expected = np.mean(right)
    assert scores["pos_neg_accuracy_with_emoticons"] == round(float(expected), 4)
    assert "pos_neg_accuracy_with_emoticons" not in score_rows(model, rows[2:3] + rows[:1])
