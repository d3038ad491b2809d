"""Scoring a sentiment model: held-out corpus rows and the statistics-domain set.

The statistics-domain set (eval/stats_domain.tsv) is project-written and labelled by the rules in
its header; it is never trained on. Reposts are scored as the service scores them: by the text
whose stance they take (cues.stance_text), a bare repost as neutral.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from yuqing.analysis.normalise import normalise, strip_emoticons
from yuqing.analysis.sentiment.cues import stance_text
from yuqing.analysis.sentiment.model import LABELS, SentimentModel
from yuqing.analysis.tokenise import tokenise

DOMAIN_SET = Path(__file__).resolve().parent / "eval" / "stats_domain.tsv"
LABEL_INDEX = {label: i for i, label in enumerate(LABELS)}


def read_domain_set(path: Path = DOMAIN_SET) -> list[tuple[str, str]]:
    """(raw text, label) rows; `#` lines are the header with the labelling rules."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        label, _, text = line.partition("\t")
        if label not in LABEL_INDEX or not text:
            raise ValueError(f"{path}:{n}: 行格式应为 标签<TAB>文本")
        rows.append((text, label))
    return rows


def predict_raw(model: SentimentModel, raw_texts: Sequence[str]) -> np.ndarray:
    """Probabilities for raw posts as the service computes them (stance of reposts, bare → neutral)."""
    views = [stance_text(t) for t in raw_texts]
    return model.predict_or_bare([tokenise(normalise(v)) if v.strip() else None for v in views])


def macro_f1(truth: Sequence[int], pred: Sequence[int], labels: Sequence[int]) -> float:
    """Macro-F1 over `labels` (a prediction outside them counts as an error), without scikit-learn."""
    t, p = np.asarray(truth), np.asarray(pred)
    f1s = []
    for c in labels:
        tp = int(((p == c) & (t == c)).sum())
        fp, fn = int(((p == c) & (t != c)).sum()), int(((p != c) & (t == c)).sum())
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s)) if f1s else 0.0


def score_rows(model: SentimentModel, rows: Sequence[tuple[str, str]], *,
               normalised: bool = True) -> dict[str, float]:
    """Macro-F1 with and without emoticons; for every set with both positive and negative rows also
    positive-vs-negative accuracy over those rows (p_positive against p_negative, neutral rows and
    predictions set aside), which is what published Weibo figures measure."""
    truth = [LABEL_INDEX[label] for _, label in rows]
    present = sorted(set(truth))
    polar = np.isin(np.asarray(truth), (0, 2))
    out: dict[str, float] = {}
    for variant, texts in (("with_emoticons", [t for t, _ in rows]),
                           ("without_emoticons", [strip_emoticons(t) for t, _ in rows])):
        probs = model.predict_proba([tokenise(t) for t in texts]) if normalised else predict_raw(model, texts)
        out[variant] = round(macro_f1(truth, probs.argmax(axis=1), present), 4)
        if 0 in present and 2 in present:
            binary = np.where(probs[polar, 2] > probs[polar, 0], 2, 0)
            out[f"pos_neg_accuracy_{variant}"] = round(float((binary == np.asarray(truth)[polar]).mean()), 4)
    return out
