"""Training the sentiment model from the shared corpora (+ project sentences + analysts' corrections).

Reproducible: fixed seed, fixed splits. Held-out 10% of each corpus is scored with and
without emoticons (weibo_senti_100k's labels follow its emoticons; news has none), and so is
the statistics-domain set (evaluation.py), which is never trained on. When a previous model is
given, it is scored on the very same rows, so the card and the command show before → after.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from yuqing.analysis.normalise import normalise, strip_emoticons
from yuqing.analysis.sentiment.corpora import CORPORA, Corpus, read_corpus
from yuqing.analysis.sentiment.evaluation import read_domain_set, score_rows
from yuqing.analysis.sentiment.features import FeatureSpec, vectorise
from yuqing.analysis.sentiment.model import LABELS, SentimentModel
from yuqing.analysis.sentiment.project_corpus import project_rows
from yuqing.analysis.tokenise import tokenise

MODEL_VERSION = "1.3.0"  # the shipped model; `yuqing train` with no options reproduces it
Progress = Callable[[str, int, int], None]  # (stage, done, total)
LABEL_INDEX = {label: i for i, label in enumerate(LABELS)}
# The human-labelled Weibo corpora count twice: they are what "real Weibo posts" look like and their
# labels are people's, not emoticons' (held-out pos/neg accuracy +0.3 and +0.4 points).
HUMAN_WEIBO_WEIGHTS: Mapping[str, float] = {"smp2020_ewect": 2.0, "nlpcc2014": 2.0}


@dataclass
class TrainResult:
    model: SentimentModel
    sizes: dict[str, dict[str, int]]  # corpus -> {"train": n, "test": n}
    scores: dict[str, dict[str, float]]  # corpus -> {"with_emoticons": f1, "without_emoticons": f1}
    before: dict[str, dict[str, float]] = field(default_factory=dict)  # the previous model, same rows
    before_version: str = ""
    extra: dict[str, int] = field(default_factory=dict)
    extra_f: dict[str, float] = field(default_factory=dict)
    tokeniser: str = ""


def tokeniser_description() -> str:
    """What segmented the training text: recorded because a different segmenter means different weights."""
    from importlib.metadata import version as dist_version

    from yuqing.analysis.tokenise import our_terms

    return (f"rjieba {dist_version('rjieba')} (jieba-rs, its built-in copy of jieba "
            f"{dist_version('jieba')}'s dict.txt), "
            f"HMM off, {len(our_terms())} statistical terms added (analysis/tokenise.py)")


def _split(rows: list[tuple[str, str]], seed: int, limit: int | None, test_share: float):
    rows = list(rows)
    random.Random(seed).shuffle(rows)
    if limit is not None:
        rows = rows[:limit]
    n_test = max(1, int(len(rows) * test_share))
    return rows[n_test:], rows[:n_test]


def _fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The softmax temperature minimising held-out log-loss (calibration)."""

    def nll(t: float) -> float:
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].mean())

    return float(minimize_scalar(nll, bounds=(0.2, 5.0), method="bounded").x)


def train(
    data_dir: Path,
    *,
    corrections: Sequence[tuple[str, str]] = (),
    corpora: Sequence[Corpus] = CORPORA,
    limit_per_corpus: int | None = None,
    version: str = MODEL_VERSION,
    seed: int = 20261120,
    test_share: float = 0.1,
    c: float = 8.0,  # validation split of the training rows: mean macro-F1 0.817 at C=8, 0.810 at 16
    features: FeatureSpec = FeatureSpec(),
    tol: float = 1e-4,  # 1e-3 let L-BFGS stop early, and small data changes swung the scores by 0.04
    strip_share: float = 0.5,  # of weibo_senti_100k's rows trained without emoticons (both_views=False)
    both_views: bool = True,  # weibo_senti_100k's rows twice, without and with emoticons, half weight each
    corpus_weights: Mapping[str, float] = HUMAN_WEIBO_WEIGHTS,
    project_weight: float = 2.0,
    previous: SentimentModel | None = None,
    progress: Progress | None = None,
) -> TrainResult:
    """Train, calibrate and score. `limit_per_corpus` makes a tiny model for tests."""
    report = progress or (lambda stage, done, total: None)
    rng = random.Random(seed)
    train_texts: list[str] = []
    train_labels: list[str] = []
    weights: list[float] = []
    tests: dict[str, list[tuple[str, str]]] = {}
    sizes: dict[str, dict[str, int]] = {}
    for corpus in corpora:
        report(f"读取 {corpus.name}", 0, 1)
        limit = min(x for x in (corpus.limit, limit_per_corpus) if x is not None) if (
            corpus.limit or limit_per_corpus) else None
        tr, te = _split(list(read_corpus(data_dir, corpus)), seed, limit, test_share)
        sizes[corpus.name] = {"train": len(tr), "test": len(te)}
        tests[corpus.name] = [(normalise(t), label) for t, label in te]
        weight = corpus_weights.get(corpus.name, 1.0)
        for text, label in tr:
            clean = normalise(text)
            views = [(clean, weight)]
            # Its labels follow its emoticons: where they are present they explain the label and the
            # words learn little, so every row is also seen without them (words must carry it alone).
            if corpus.name == "weibo_senti_100k":
                if both_views:
                    views = [(strip_emoticons(clean), weight / 2), (clean, weight / 2)]
                elif rng.random() < strip_share:
                    views = [(strip_emoticons(clean), weight)]
            for view, w in views:
                train_texts.append(view)
                train_labels.append(label)
                weights.append(w)
    project = project_rows()
    for text, label in project:
        train_texts.append(normalise(text))
        train_labels.append(label)
        weights.append(project_weight)
    for text, label in corrections:
        if label in LABEL_INDEX:
            train_texts.append(normalise(text))
            train_labels.append(label)
            weights.append(5.0)

    tokens: list[list[str]] = []
    total = len(train_texts)
    for i, text in enumerate(train_texts):
        tokens.append(tokenise(text))
        if i % 5000 == 0:
            report("分词", i, total)
    report("分词", total, total)

    y = np.array([LABEL_INDEX[label] for label in train_labels])
    w = np.array(weights)
    order = np.random.default_rng(seed).permutation(len(y))
    n_cal = max(30, len(y) // 20)
    cal, fit = order[:n_cal], order[n_cal:]
    x = vectorise(tokens, features)
    report("训练逻辑回归", 0, 1)
    clf = LogisticRegression(C=c, max_iter=1000, class_weight="balanced", tol=tol)
    with threadpool_limits(1):  # one core, and the same summation order on every machine
        clf.fit(x[fit], y[fit], sample_weight=w[fit])
    report("训练逻辑回归", 1, 1)
    logits = x[cal] @ clf.coef_.T + clf.intercept_
    temperature = _fit_temperature(np.asarray(logits), y[cal])
    model = SentimentModel(
        version=version, features=features, coef=clf.coef_.astype(np.float32),
        intercept=clf.intercept_.astype(np.float64), temperature=temperature,
    )

    tests["stats_domain"] = read_domain_set()
    sizes["stats_domain"] = {"train": 0, "test": len(tests["stats_domain"])}
    scores: dict[str, dict[str, float]] = {}
    before: dict[str, dict[str, float]] = {}
    for name, rows in tests.items():
        report(f"评估 {name}", 0, 1)
        raw = name == "stats_domain"  # written as posts are crawled: reposts, markup and all
        scores[name] = score_rows(model, rows, normalised=not raw)
        if previous is not None:  # same rows, same way: the service reads reposts' stance for any model
            before[name] = score_rows(previous, rows, normalised=not raw)
    return TrainResult(model=model, sizes=sizes, scores=scores, before=before,
                       before_version=previous.version if previous is not None else "",
                       extra={"project_sentences": len(project), "corrections": len(corrections)},
                       extra_f={"c": c, "iterations": float(clf.n_iter_.max()),
                                "strip_share": -1.0 if both_views else strip_share,
                                "project_weight": project_weight,
                                **{f"weight:{k}": v for k, v in corpus_weights.items()}},
                       tokeniser=tokeniser_description())
