"""The model card (analysis/model/MODEL_CARD.md), written by `yuqing train`."""

from __future__ import annotations

from datetime import datetime

from analysis.sentiment.corpora import CORPORA
from analysis.sentiment.train import TrainResult


def model_card(result: TrainResult, *, trained_at: datetime, data_dir: str,
               weights_sha256: str = "", train_seconds: float | None = None) -> str:
    m = result.model
    f = m.features
    chars = (f"; character {f.char_ngrams[0]}–{f.char_ngrams[1]}-grams of the same text (emoticons left out) "
             f"hashed into 2^{f.char_features.bit_length() - 1} more" if f.char_features else "")
    lines = [
        f"# 情感模型 model card — version {m.version}",
        "",
        f"- Trained: {trained_at.isoformat(timespec='seconds')} by `yuqing train` from `{data_dir}`",
        "- Classes: negative / neutral / positive; probabilities from a temperature-calibrated softmax "
        f"(T = {m.temperature:.3f}, fitted on 5% of the training rows).",
        "- Model: multinomial logistic regression (scikit-learn, class_weight=balanced, "
        f"C = {result.extra_f.get('c', 0):g}) over jieba words and word bigrams hashed into "
        f"2^{f.word_features.bit_length() - 1} features{chars}; "
        "each block binary and l2-normalised.",
        f"- Tokeniser: {result.tokeniser}.",
        "- Files: `sentiment.json` (parameters) + `sentiment.npz` (weights, loaded with allow_pickle=False); "
        f"weights SHA-256 `{weights_sha256 or '?'}` — `yuqing train` with no options rebuilds "
        "the same bytes.",
        *([f"- Training time: {train_seconds:.0f} s on one core."] if train_seconds is not None else []),
        f"- weibo_senti_100k: {result.extra_f.get('strip_share', 0.7):.0%} of its training rows have their "
        "emoticons removed, because its labels "
        "follow the emoticons (see data README).",
        f"- Project-written sentences (our own text, templated): {result.extra.get('project_sentences', 0)} "
        "— news reporting a figure or reporting on and answering accusations (neutral), data-fraud "
        "accusations (negative), a few positive; "
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
        "Reference: SnowNLP scores about 58% accuracy on weibo_senti_100k (see bench/analysis_bench.py).",
        "",
    ]
    return "\n".join(lines)
