"""Features of a tokenised text, hashed (no vocabulary to store).

Blocks side by side:
- jieba words, adjacent-word bigrams and `¬word` for words a negator scopes over (cues.py),
  binary and l2-normalised;
- character n-grams of the text the tokens spell (emoticons left out: they are words already),
  binary and l2-normalised. Characters catch what segmentation misses in short, informal posts
  (不咋地, 坑爹, 无语);
- (format 3) domain cue features (cues.py: irony, doubt, praise of openness, each also joined
  with "about a statistic"), binary and not normalised, so a cue weighs the same in a long post.
Words and characters are hashed in numpy over the whole batch at once (FNV-1a + splitmix):
a Python-level n-gram analyzer would cost more than the rest of the analysis path, and not
importing scikit-learn keeps `yuqing classify` starting in well under a second. Models of
formats 1 and 2 hashed words with scikit-learn's HashingVectorizer; they still load (the
import then happens lazily).

Everything that defines the features is in `FeatureSpec`, saved in the model's JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from scipy import sparse

from yuqing.analysis.normalise import EMOTICON_RE
from yuqing.analysis.sentiment.cues import cue_terms, negated_terms

N_FEATURES = 2**19
_PUNCT = frozenset("，。！？、；：“”‘’（）《》…—,.!?;:\"'()[]<>-~·%#/\\|@_=+*&^$ \n\t")
CHAR_HASH = "fnv1a64-splitmix/1"  # the character n-gram hash below; change the name if it changes
WORD_HASH = "fnv1a64-splitmix/1"  # format 3's word hash (hash_strings); "sklearn-murmur3" before
_FNV_PRIME = np.uint64(0x100000001B3)
_FNV_OFFSET = 0xCBF29CE484222325


@dataclass(frozen=True)
class FeatureSpec:
    """Hash-space sizes (powers of two) and the character n-gram lengths; 0 char features = words only."""

    word_features: int = N_FEATURES
    char_features: int = N_FEATURES
    char_ngrams: tuple[int, int] = (1, 3)
    cue_features: int = 2**10  # 0: no cue block, no negation terms (formats 1 and 2)
    word_hash: str = WORD_HASH

    @property
    def n_features(self) -> int:
        return self.word_features + self.char_features + self.cue_features

    def to_json(self) -> dict[str, Any]:
        return {"word_features": self.word_features, "char_features": self.char_features,
                "char_ngrams": list(self.char_ngrams), "char_hash": CHAR_HASH,
                "cue_features": self.cue_features, "word_hash": self.word_hash}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeatureSpec:
        if data.get("char_features") and data.get("char_hash") != CHAR_HASH:
            raise ValueError(f"未知的字符特征哈希：{data.get('char_hash')!r}")
        word_hash = data.get("word_hash", "sklearn-murmur3")
        if word_hash not in (WORD_HASH, "sklearn-murmur3"):
            raise ValueError(f"未知的词特征哈希：{word_hash!r}")
        lo, hi = data.get("char_ngrams", (1, 3))
        return cls(int(data["word_features"]), int(data.get("char_features", 0)), (int(lo), int(hi)),
                   int(data.get("cue_features", 0)), word_hash)


WORDS_ONLY = FeatureSpec(char_features=0, cue_features=0, word_hash="sklearn-murmur3")  # model 1.0.0
SPEC_2 = FeatureSpec(cue_features=0, word_hash="sklearn-murmur3")  # model 1.1.0


def feature_terms(tokens: Sequence[str]) -> list[str]:
    """Unigrams (punctuation dropped, except !/? which carry tone) and adjacent-word bigrams."""
    words = [t for t in tokens if t not in _PUNCT or t in "!?！？"]
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def domain_terms(tokens: Sequence[str]) -> list[str]:
    """Unigrams, bigrams and negation-scoped `¬word`s (format 3's word block)."""
    words = [t for t in tokens if t not in _PUNCT or t in "!?！？"]
    return words + [f"{a} {b}" for a, b in pairwise(words)] + negated_terms(list(tokens))


def make_vectoriser(n_features: int = N_FEATURES):  # type: ignore[no-untyped-def]
    """Formats 1–2's word block (scikit-learn, imported only for those old models)."""
    from sklearn.feature_extraction.text import HashingVectorizer

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


def hash_strings(strings: Sequence[str], n_features: int, seed: int = 0) -> np.ndarray:
    """Column of each string: FNV-1a 64 over its code points (the first 48), mixed, masked."""
    if not strings:
        return np.zeros(0, np.int64)
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    starts = np.cumsum(lengths + 1) - (lengths + 1)
    codes = np.frombuffer("\x00".join(strings).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    h = np.full(len(strings), _FNV_OFFSET, dtype=np.uint64) ^ (lengths.astype(np.uint64) + np.uint64(seed))
    capped = np.minimum(lengths, 48)
    order = np.argsort(-capped, kind="stable")
    sorted_len = capped[order]
    for k in range(int(sorted_len[0]) if len(order) else 0):
        active = order[: int(np.searchsorted(-sorted_len, -k, side="left"))]
        h[active] = (h[active] ^ codes[starts[active] + k]) * _FNV_PRIME
    return (_mix(h) & np.uint64(n_features - 1)).astype(np.int64)


def _binary_rows(rows: np.ndarray, cols: np.ndarray, n_docs: int, n_features: int,
                 norm: bool = True) -> sparse.csr_matrix:
    x = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_docs, n_features))
    x.sum_duplicates()
    x.data[:] = 1.0
    if norm:
        nnz = np.diff(x.indptr)
        x.data /= np.sqrt(np.repeat(np.maximum(nnz, 1), nnz)).astype(np.float32)
    return x


def hashed_terms(term_lists: Sequence[Sequence[str]], n_features: int, *, seed: int = 0,
                 norm: bool = True) -> sparse.csr_matrix:
    """Binary (optionally l2-normalised) hashed bag of the given terms, one row per list."""
    counts = np.fromiter(map(len, term_lists), dtype=np.int64, count=len(term_lists))
    flat = [t for terms in term_lists for t in terms]
    rows = np.repeat(np.arange(len(term_lists), dtype=np.int64), counts)
    return _binary_rows(rows, hash_strings(flat, n_features, seed), len(term_lists), n_features, norm)


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
    return _binary_rows(r, c, n_docs, n_features)  # binary: presence, not counts


def vectorise(
    token_lists: Sequence[Sequence[str]], spec: FeatureSpec | int = N_FEATURES
) -> sparse.csr_matrix:
    """(n, spec.n_features) float32: the word block, then the character block, then the cue block."""
    if isinstance(spec, int):
        spec = FeatureSpec(word_features=spec, char_features=0, cue_features=0, word_hash="sklearn-murmur3")
    if spec.word_hash == WORD_HASH:
        words = hashed_terms([domain_terms(t) for t in token_lists], spec.word_features)
    else:
        words = make_vectoriser(spec.word_features).transform(token_lists)
    blocks = [words]
    if spec.char_features:
        blocks.append(char_ngrams(token_lists, spec.char_features, spec.char_ngrams))
    if spec.cue_features:
        cues = [cue_terms("".join(t).lower()) for t in token_lists]
        blocks.append(hashed_terms(cues, spec.cue_features, seed=7, norm=False))
    if len(blocks) == 1:
        return words
    return sparse.hstack(blocks, format="csr", dtype=np.float32)
