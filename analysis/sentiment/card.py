"""The model card (analysis/model/MODEL_CARD.md), written by `yuqing train`."""

from __future__ import annotations

from datetime import datetime

from analysis.sentiment.corpora import CORPORA
from analysis.sentiment.train import TrainResult


def model_card(result: TrainResult, *, trained_at: datetime, data_dir: str) -> str:
    m = result.model
    lines = [
        f"# 情感模型 model card — version {m.version}",
        "",
        f"- Trained: {trained_at.isoformat(timespec='seconds')} by `yuqing train` from `{data_dir}`",
        "- Classes: negative / neutral / positive; probabilities from a temperature-calibrated softmax "
        f"(T = {m.temperature:.3f}, fitted on 5% of the training rows).",
        "- Model: multinomial logistic regression (scikit-learn, class_weight=balanced) over jieba words "
        f"and word bigrams hashed into 2^{m.n_features.bit_length() - 1} features.",
        "- Files: `sentiment.json` (parameters) + `sentiment.npz` (weights, loaded with allow_pickle=False).",
        "- weibo_senti_100k: 70% of its training rows have their emoticons removed, because its labels "
        "follow the emoticons (see data README).",
        f"- Project-written sentences (our own text, templated): {result.extra.get('project_sentences', 0)} "
        "— news reporting a figure (neutral), data-fraud accusations (negative), a few positive; "
        "see analysis/sentiment/project_corpus.py.",
        f"- Analysts' corrections (sentiment_corrections rows) used: {result.extra.get('corrections', 0)}.",
        "",
        "## Training files and held-out macro-F1 (10% of each corpus, never trained on)",
        "",
        "| corpus | file | train rows | test rows | macro-F1 with emoticons | macro-F1 without emoticons |",
        "|---|---|---|---|---|---|",
    ]
    files = {c.name: c.file for c in CORPORA}
    for name, size in result.sizes.items():
        s = result.scores.get(name, {})
        lines.append(
            f"| {name} | {files.get(name, '?')} | {size['train']:,} | {size['test']:,} | "
            f"{s.get('with_emoticons', 0):.3f} | {s.get('without_emoticons', 0):.3f} |"
        )
    lines += [
        "",
        "Binary corpora are scored on their two classes (a neutral prediction counts as an error); "
        "SMP2020-EWECT (surprise dropped) and NLPCC 2014 (primary emotion) on three.",
        "Reference: SnowNLP scores about 58% accuracy on weibo_senti_100k (see bench/analysis.py).",
        "",
    ]
    return "\n".join(lines)
