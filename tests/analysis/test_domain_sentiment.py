"""Issue 13: the shipped model reads this domain right — irony, doubt, praise of openness, reposts."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from yuqing.analysis.sentiment.classify import classify_texts
from yuqing.analysis.sentiment.cues import cue_terms, negated_terms, stance_text
from yuqing.analysis.sentiment.evaluation import DOMAIN_SET, macro_f1, predict_raw, read_domain_set
from yuqing.analysis.sentiment.features import SPEC_2, hash_strings
from yuqing.analysis.sentiment.model import LABELS, load_model, read_model
from yuqing.analysis.sentiment.project_corpus import project_rows

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("text", "label"), [
    ("CPI 0.2%这个数字谁信谁傻笑死…真的离谱。", "negative"),
    ("统计局这CPI是不是注水了笑死…反正我是不信", "negative"),
    ("感谢统计局新闻发布会的详细说明，疑问都解答了", "positive"),
    ("统计局回应网友质疑态度诚恳…值得肯定", "positive"),
    ("转发微博", "neutral"),
    ("转发微博//@网友甲:CPI数据造假，谁信谁傻", "negative"),
    ("说得清楚，点赞//@新华社:国家统计局有关负责人就CPI答记者问", "positive"),
    ("国家统计局今日发布，11月份居民消费价格同比上涨0.2%，环比下降0.1%。", "neutral"),
])
def test_issue_examples_read_right(text: str, label: str) -> None:
    out = classify_texts([text])[0]
    assert out["label"] == label, out
    assert abs(out["p_negative"] + out["p_neutral"] + out["p_positive"] - 1) < 1e-3


def test_doubt_is_no_longer_praise_with_some_confidence() -> None:
    out = classify_texts(["CPI 0.2%这个数字谁信谁傻笑死…真的离谱。",
                          "统计局这CPI是不是注水了笑死…反正我是不信"])
    assert all(o["p_negative"] > 0.5 and o["p_positive"] < 0.25 for o in out), out


def test_reposts_take_the_stance_of_what_they_carry() -> None:
    assert stance_text("转发微博") == ""
    assert stance_text("转发微博//@") == ""
    assert stance_text("//@新华视点:") == ""
    assert stance_text("呵呵//@某新闻:统计局发布数据") == "呵呵"
    assert stance_text("转发微博//@小李:数据编得离谱//@原博:CPI公布") == "数据编得离谱"
    assert stance_text("//@甲:  //@乙：真假难辨") == "真假难辨"
    assert stance_text("普通的一条微博") == "普通的一条微博"
    bare = predict_raw(load_model(), ["转发微博", "//@某人:"])
    assert [LABELS[int(p.argmax())] for p in bare] == ["neutral", "neutral"]


def test_cues_see_negation_and_the_statistics_context() -> None:
    assert "§doubt&stats" in cue_terms("统计局这cpi是不是注水了")
    assert "§doubt&stats" not in cue_terms("这外卖是不是注水了")  # doubt, but not about a statistic
    assert cue_terms("统计局回应及时，不回避问题").count("§¬doubt") == 1
    assert "§doubt" not in cue_terms("统计局回应及时，不回避问题")
    assert negated_terms(["我", "不", "相信", "这个", "数据", "，", "好"]) == ["¬相信", "¬这个", "¬数据"]


def test_domain_set_is_large_labelled_by_rule_and_kept_out_of_training() -> None:
    rows = read_domain_set()
    assert len(rows) >= 300
    counts = {label: sum(1 for _, lab in rows if lab == label) for label in LABELS}
    assert min(counts.values()) >= 80, counts
    header = [line for line in DOMAIN_SET.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert any("R1" in line for line in header) and any("R5" in line for line in header)
    training = {text for text, _ in project_rows()}
    assert not training & {text for text, _ in rows}
    assert len({text for text, _ in rows}) == len(rows)


def test_shipped_model_clears_the_domain_floor() -> None:
    """Target 0.80 three-class macro-F1; the shipped model is asserted above it with a margin of error."""
    rows = read_domain_set()
    probs = predict_raw(load_model(), [t for t, _ in rows])
    truth = [LABELS.index(label) for _, label in rows]
    assert macro_f1(truth, probs.argmax(axis=1), [0, 1, 2]) >= 0.82


def test_word_hash_is_stable_and_spreads() -> None:
    cols = hash_strings(["统计局", "统计局", "数据", "a" * 100, "a" * 101], 2**19)
    assert cols[0] == cols[1] and cols[0] != cols[2]
    assert cols[3] != cols[4]  # beyond the first 48 code points the length still tells them apart
    assert np.all((cols >= 0) & (cols < 2**19))


def test_previous_format_still_loads_lazily(tmp_path: Path) -> None:
    import json

    spec = SPEC_2.to_json() | {"word_features": 2**10, "char_features": 2**8}
    (tmp_path / "sentiment.json").write_text(json.dumps({
        "format": "yuqing-sentiment/2", "version": "1.1.0", "labels": list(LABELS),
        "n_features": 2**10 + 2**8, "features": {k: v for k, v in spec.items() if k not in ("cue_features",
                                                                                          "word_hash")}}))
    coef = np.zeros((3, 2**10 + 2**8), dtype=np.float32)
    np.savez_compressed(tmp_path / "sentiment.npz", coef=coef, intercept=np.array([0.0, 1.0, 0.0]))
    model = read_model(tmp_path)
    assert model.features.word_hash == "sklearn-murmur3" and model.features.cue_features == 0
    assert model.predict([["数据"]])[0][0] == "neutral"


def test_classify_path_does_not_import_scikit_learn() -> None:
    """`yuqing classify` must start fast: scikit-learn (about a second of imports) is for training only."""
    code = ("import sys; from analysis.sentiment.classify import classify_texts; "
            "print(classify_texts(['数据造假'])[0]['label']); print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, check=True, timeout=120)
    assert out.stdout.split() == ["negative", "False"]


def test_stance_of_real_weibo_html_reposts() -> None:
    """Weibo's API writes the chain as HTML links (//<a href='/n/x'>@x</a>:…): read like the plain form."""
    import json

    from yuqing.analysis.normalise import normalise

    path = Path("/work/shared/real/weibo/stablog_4a24142_TypeWeiboListResponse.json")
    texts = []

    def walk(o):  # type: ignore[no-untyped-def]
        if isinstance(o, dict):
            if isinstance(o.get("text"), str) and "</a>:" in o["text"] and "//<a" in o["text"]:
                texts.append(o["text"])
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(json.loads(path.read_text(encoding="utf-8")))
    assert texts
    first = next(t for t in texts if t.startswith("<span"))
    assert normalise(stance_text(first)) == "[摊手]"  # own words: an emoticon; not the forwarded joke
    reply = next(t for t in texts if "晒晒二货" in t)
    assert normalise(stance_text(reply)) == "回复 晒晒二货。"
