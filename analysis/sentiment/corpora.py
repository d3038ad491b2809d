"""Reading the labelled corpora in /work/shared/data into three-class rows.

Mapping: weibo_senti_100k / waimai / online_shopping 1 → positive, 0 → negative; SMP2020-EWECT
happy → positive, angry/sad/fear → negative, neural → neutral, surprise dropped (either way);
NLPCC 2014 primary emotion like/happiness → positive, disgust/sadness/anger/fear → negative,
none → neutral, surprise dropped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SMP_MAP = {"happy": "positive", "angry": "negative", "sad": "negative", "fear": "negative",
           "neural": "neutral"}
NLPCC_MAP = {"like": "positive", "happiness": "positive", "disgust": "negative", "sadness": "negative",
             "anger": "negative", "fear": "negative", "none": "neutral"}
BINARY_MAP = {"1": "positive", "0": "negative"}


@dataclass(frozen=True)
class Corpus:
    name: str
    file: str
    text_column: str
    label_column: str
    mapping: dict[str, str]
    limit: int | None = None  # rows kept (first N after a fixed shuffle) — shopping reviews are many


CORPORA: tuple[Corpus, ...] = (
    Corpus("weibo_senti_100k", "weibo_senti_100k.csv", "review", "label", BINARY_MAP),
    Corpus("smp2020_ewect", "smp2020_ewect_usual_train.csv", "text", "emotion", SMP_MAP),
    Corpus("nlpcc2014", "nlpcc2014_weibo_emotion.csv", "text", "emotion", NLPCC_MAP),
    Corpus("waimai_10k", "waimai_10k.csv", "review", "label", BINARY_MAP),
    Corpus("online_shopping", "online_shopping_10_cats.csv", "review", "label", BINARY_MAP, limit=15000),
)


class CorpusError(ValueError):
    """A corpus file is missing or has unexpected columns."""


def read_corpus(data_dir: Path, corpus: Corpus) -> Iterator[tuple[str, str]]:
    """(raw text, label) rows with a known label; the primary emotion for NLPCC's "a,b" labels."""
    path = data_dir / corpus.file
    if not path.exists():
        raise CorpusError(f"语料文件不存在：{path}")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {corpus.text_column, corpus.label_column} - set(reader.fieldnames or ())
        if missing:
            raise CorpusError(f"{path} 缺少列：{', '.join(sorted(missing))}")
        for row in reader:
            raw_label = (row[corpus.label_column] or "").split(",")[0].strip()
            label = corpus.mapping.get(raw_label)
            text = row[corpus.text_column] or ""
            if label and text.strip():
                yield text, label
