"""The model card (analysis/model/MODEL_CARD.md), written by `yuqing train`."""

from __future__ import annotations

from datetime import datetime

from yuqing.analysis.sentiment.corpora import CORPORA
from yuqing.analysis.sentiment.train import TrainResult


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
        f"(T = {m.temperature:.3f}, fitted on 5% of the training rows held out from the fit).",
        "- Model: multinomial logistic regression (scikit-learn, class_weight=balanced, "
        f"C = {result.extra_f.get('c', 0):g}) over jieba words, word bigrams and negated words (¬word for "
        f"the 3 tokens after 不/没有/并非…) hashed into 2^{f.word_features.bit_length() - 1} features{chars}"
        + (f"; domain cue features (irony, doubt, praise of openness, anger, repost; each also joined with "
           f"\"about a statistic\"; analysis/sentiment/cues.py) hashed into "
           f"2^{f.cue_features.bit_length() - 1} more, binary" if f.cue_features else "")
        + "; word and character blocks binary and l2-normalised, hashed in numpy "
        "(no scikit-learn at run time).",
        "- Reposts: scored by the reposter's own words, else the nearest forwarded words; a bare "
        "\"转发微博\" is neutral (cues.stance_text).",
        f"- Tokeniser: {result.tokeniser}.",
        "- Files: `sentiment.json` (parameters) + `sentiment.npz` (weights, loaded with allow_pickle=False); "
        f"weights SHA-256 `{weights_sha256 or '?'}` — `yuqing train` with no options rebuilds "
        "the same bytes.",
        *([f"- Training time: {train_seconds:.0f} s on one core."] if train_seconds is not None else []),
        _weibo_line(result.extra_f),
        f"- Project-written sentences (our own text, templated): {result.extra.get('project_sentences', 0)} "
        f"(weight {result.extra_f.get('project_weight', 2):g}) "
        "— news reporting a figure or reporting on and answering accusations (neutral), data-fraud "
        "accusations and mockery of a figure (negative), praise of the bureau's openness and answers "
        "(positive), questions and bare reposts (neutral); see analysis/sentiment/project_corpus.py.",
        f"- Analysts' corrections (sentiment_corrections rows, `--corrections-db`) used: "
        f"{result.extra.get('corrections', 0)}.",
        "",
        "## Held-out macro-F1 (10% of each corpus, never trained on) and the statistics-domain set",
        "",
        "`stats_domain` is analysis/sentiment/eval/stats_domain.tsv: short posts about CPI/GDP/unemployment "
        "releases and the bureau, written for evaluation only and labelled by the rules in its header.",
        "",
    ]
    lines += table_lines(result)
    lines += [
        "",
        "Binary corpora are scored on their two classes (a neutral prediction counts as an error); "
        "SMP2020-EWECT (surprise dropped), NLPCC 2014 (primary emotion) and stats_domain on three. "
        "\"pos/neg acc.\" compares p_positive with p_negative only, over the rows labelled positive or "
        "negative (what published Weibo figures measure); shown for every set that has both.",
        "Reference: SnowNLP scores about 58% accuracy on weibo_senti_100k (see bench/analysis_bench.py).",
        "",
    ]
    lines += target_lines(result)
    return "\n".join(lines)


WEIBO_SETS = (("smp2020_ewect", "SMP2020-EWECT, human-labelled: happy vs angry/sad/fear"),
              ("nlpcc2014", "NLPCC 2014, human-labelled: like/happiness vs disgust/sadness/anger/fear"),
              ("weibo_senti_100k", "weibo_senti_100k, labelled by its emoticons"))


def _weibo_line(extra: dict[str, float]) -> str:
    weights = ", ".join(f"{k.split(':', 1)[1]} × {v:g}" for k, v in extra.items() if k.startswith("weight:"))
    share = extra.get("strip_share", 0.5)
    views = ("every training row is used twice, once with its emoticons removed and once as posted, "
             "each at half weight" if share < 0 else f"{share:.0%} of its training rows have their emoticons "
             "removed")
    return (f"- weibo_senti_100k: {views}, because its labels follow the emoticons (see data README)."
            + (f" Human-labelled Weibo corpora weighted: {weights}." if weights else ""))


def target_lines(result: TrainResult) -> list[str]:
    """Issue 13's aims, against what this model measured (held-out Weibo posts, polar rows)."""
    domain = result.scores.get("stats_domain", {})
    if "with_emoticons" not in domain:
        return []
    lines = [
        "## Aims (issue 13)",
        "",
        f"- ≥ 0.80 three-class macro-F1 on statistics-domain text: {domain['with_emoticons']:.3f} on "
        "stats_domain (our own set: the same team wrote the training sentences, so expect less on text "
        "written by others).",
        "- ≥ 85% positive-vs-negative accuracy on Weibo posts (held-out posts labelled positive or "
        "negative):",
    ]
    key_w, key_wo = "pos_neg_accuracy_with_emoticons", "pos_neg_accuracy_without_emoticons"
    for name, what in WEIBO_SETS:
        s, b = result.scores.get(name, {}), result.before.get(name, {})
        if key_w not in s:
            continue
        was = f" (before: {b[key_w]:.1%} / {b[key_wo]:.1%})" if key_w in b else ""
        verdict = "met" if s[key_w] >= 0.85 else "not met"
        lines.append(f"  - {what}: {s[key_w]:.1%} as posted, {s[key_wo]:.1%} with emoticons removed{was} — "
                     f"{verdict} as posted.")
    return [*lines, "", *FINDINGS, ""]


# What the investigation of weibo_senti_100k's emoticon-free figure found (measured when 1.3.0 was built,
# same splits and tokeniser; /work/shared/data README's "about 78%" was not reproduced).
FINDINGS = [
    "## weibo_senti_100k without emoticons",
    "",
    "Why the emoticon-free figure stays near 75% (each measured on the same held-out 10%, pos/neg accuracy "
    "with emoticons removed):",
    "",
    "- Baseline: a plain word model (this tokeniser, words + bigrams, logistic regression) trained on "
    "weibo_senti_100k alone without emoticons scores 74.0% (C = 1), 74.4% (C = 4), 72.4% (C = 0.3); with "
    "character n-grams added 75.5%. Model 1.2.0's 74.5% was not below a plain baseline on these splits; "
    "the data README's \"about 78%\" was not reproduced.",
    "- Labels: the errors are mostly posts whose emoticon, not their words, decides the label (\"真让人感动"
    "[泪]\" is negative, \"[衰][衰][衰]转发微博\" too); 1.9% of posts are empty without emoticons (56.5% "
    "right, the majority rate), and accuracy is flat at about 75% from 5 to 100+ characters.",
    "- Emoticon-kept rows: where an emoticon explains the label the words learn little. Training every row "
    "without emoticons gave 75.3% (+0.8) but cut accuracy on posts as posted from 97.6% to 83.6%; each "
    "row once with and once without its emoticons at half weight gave 75.2% (+0.7) and kept 97.2% (1.3.0, "
    "which also weights the human-labelled corpora, measures what the table shows).",
    "- Class balance (49.7% positive) is not the cause; nor is C (the word model alone: 72.4% at C = 0.3, "
    "74.0% at 1, 74.4% at 4; C = 8 kept).",
    "- The human-labelled Weibo corpora (SMP2020-EWECT, NLPCC 2014) are the better guide to \"real Weibo "
    "posts\": weighting them twice raised their pos/neg accuracy by 0.3 and 0.4 points.",
]


def _fmt(s: dict[str, float], key: str) -> str:
    return f"{s[key]:.3f}" if key in s else "–"


def table_lines(result: TrainResult) -> list[str]:
    """The markdown table: per corpus, sizes and scores, with the previous model's when it was given."""
    files = {c.name: c.file for c in CORPORA} | {"stats_domain": "eval/stats_domain.tsv"}
    prev = f" (before: {result.before_version})" if result.before else ""
    out = [
        f"| corpus | file | train rows | test rows | macro-F1 with emoticons{prev} | macro-F1 without "
        f"emoticons{prev} | pos/neg acc. with / without emoticons{prev} |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, size in result.sizes.items():
        s, b = result.scores.get(name, {}), result.before.get(name)
        cells = []
        for key in ("with_emoticons", "without_emoticons"):
            cells.append(f"{_fmt(b, key)} → {_fmt(s, key)}" if b else _fmt(s, key))
        acc = "–"
        w, wo = "pos_neg_accuracy_with_emoticons", "pos_neg_accuracy_without_emoticons"
        if w in s:
            now = f"{s[w]:.3f} / {s[wo]:.3f}"
            acc = f"{b[w]:.3f} / {b[wo]:.3f} → {now}" if b and w in b else now
        out.append(f"| {name} | {files.get(name, '?')} | {size['train']:,} | {size['test']:,} | "
                   f"{cells[0]} | {cells[1]} | {acc} |")
    return out


def score_lines(result: TrainResult) -> list[str]:
    """What `yuqing train` prints: per corpus, before → after when a previous model was scored."""
    lines = []
    for name, s in result.scores.items():
        b = result.before.get(name)
        now = f"macro-F1 {s['with_emoticons']:.3f}（去表情 {s['without_emoticons']:.3f}）"
        was = (f"原模型 {result.before_version}：{b['with_emoticons']:.3f}"
               f"（去表情 {b['without_emoticons']:.3f}）→ " if b else "")
        if "pos_neg_accuracy_with_emoticons" in s:
            acc = "pos_neg_accuracy_with_emoticons"
            now += f"，正负准确率 {s[acc]:.1%}" + (f"（原 {b[acc]:.1%}）" if b and acc in b else "")
        lines.append(f"{name}：{was}{now}")
    return lines
