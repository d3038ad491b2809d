"""Features of a tokenised text, hashed (no vocabulary to store).

Two blocks, each binary and l2-normalised, side by side:
- jieba words and adjacent-word bigrams (sklearn's HashingVectorizer);
- character n-grams of the text the tokens spell (emoticons left out: they are words already).
  Characters catch what segmentation misses in short, informal posts (不咋地, 坑爹, 无语);
  they are hashed in numpy over the whole batch at once, because a Python-level n-gram
  analyzer would cost more than the rest of the analysis path together.

Everything that defines the features is in `FeatureSpec`, saved in the model's JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from analysis.normalise import EMOTICON_RE

N_FEATURES = 2**19
_PUNCT = frozenset("，。！？、；：“”‘’（）《》…—,.!?;:\"'()[]<>-~·%#/\\|@_=+*&^$ \n\t")
CHAR_HASH = "fnv1a64-splitmix/1"  # the character n-gram hash below; change the name if it changes
_FNV_PRIME = np.uint64(0x100000001B3)
_FNV_OFFSET = 0xCBF29CE484222325


@dataclass(frozen=True)
class FeatureSpec:
    """Hash-space sizes (powers of two) and the character n-gram lengths; 0 char features = words only."""

    word_features: int = N_FEATURES
    char_features: int = N_FEATURES
    char_ngrams: tuple[int, int] = (1, 3)

    @property
    def n_features(self) -> int:
        return self.word_features + self.char_features

    def to_json(self) -> dict[str, Any]:
        return {"word_features": self.word_features, "char_features": self.char_features,
                "char_ngrams": list(self.char_ngrams), "char_hash": CHAR_HASH}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeatureSpec:
        if data.get("char_features") and data.get("char_hash") != CHAR_HASH:
            raise ValueError(f"未知的字符特征哈希：{data.get('char_hash')!r}")
        lo, hi = data.get("char_ngrams", (1, 3))
        return cls(int(data["word_features"]), int(data.get("char_features", 0)), (int(lo), int(hi)))


WORDS_ONLY = FeatureSpec(char_features=0)  # the layout of model 1.0.0


def feature_terms(tokens: Sequence[str]) -> list[str]:
    """Unigrams (punctuation dropped, except !/? which carry tone) and adjacent-word bigrams."""
    words = [t for t in tokens if t not in _PUNCT or t in "!?！？"]
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def make_vectoriser(n_features: int = N_FEATURES) -> HashingVectorizer:
    """The word block; stateless, so everything that defines it fits in the model's JSON."""
    return HashingVectorizer(
        analyzer=feature_terms, n_features=n_features, alternate_sign=False, binary=True, norm="l2",
        dtype=np.float32,
    )


def _char_text(tokens: Sequence[str]) -> str:
    text = "".join(tokens)
    return EMOTICON_RE.sub("", text) if "[" in text else text


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads FNV's low bits before masking to the hash space."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def char_ngrams(token_lists: Sequence[Sequence[str]], n_features: int,
                ngrams: tuple[int, int] = (1, 3)) -> sparse.csr_matrix:
    """Binary, l2-normalised hashed character n-grams, vectorised over the batch (no Python per n-gram)."""
    n_docs = len(token_lists)
    texts = [_char_text(tokens) for tokens in token_lists]
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n_docs)
    codes = np.frombuffer("\x00".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    row = np.repeat(np.arange(n_docs, dtype=np.int64), lengths + 1)[: len(codes)]
    # Position of each code point inside its own text (the separator sits at position == length).
    start = np.repeat(np.cumsum(lengths + 1) - (lengths + 1), lengths + 1)[: len(codes)]
    pos = np.arange(len(codes), dtype=np.int64) - start
    remaining = lengths[row] - pos  # code points from here to the end of the text
    rows, cols = [], []
    mask = np.uint64(n_features - 1)
    for n in range(ngrams[0], ngrams[1] + 1):
        ok = np.flatnonzero(remaining >= n)
        h = np.full(len(ok), _FNV_OFFSET ^ n, dtype=np.uint64)
        for k in range(n):
            h = (h ^ codes[ok + k]) * _FNV_PRIME
        rows.append(row[ok])
        cols.append((_mix(h) & mask).astype(np.int64))
    r = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    x = sparse.csr_matrix((np.ones(len(r), dtype=np.float32), (r, c)), shape=(n_docs, n_features))
    x.sum_duplicates()
    x.data[:] = 1.0  # binary: presence, not counts
    nnz = np.diff(x.indptr)
    x.data /= np.sqrt(np.repeat(np.maximum(nnz, 1), nnz)).astype(np.float32)
    return x


def vectorise(
    token_lists: Sequence[Sequence[str]], spec: FeatureSpec | int = N_FEATURES
) -> sparse.csr_matrix:
    """(n, spec.n_features) float32: the word block, then the character block."""
    if isinstance(spec, int):
        spec = FeatureSpec(word_features=spec, char_features=0)
    words = make_vectoriser(spec.word_features).transform(token_lists)
    if not spec.char_features:
        return words
    chars = char_ngrams(token_lists, spec.char_features, spec.char_ngrams)
    return sparse.hstack([words, chars], format="csr", dtype=np.float32)
