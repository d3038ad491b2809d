"""Features of a tokenised text: words and word bigrams, hashed (no vocabulary to store)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

N_FEATURES = 2**19
_PUNCT = frozenset("，。！？、；：“”‘’（）《》…—,.!?;:\"'()[]<>-~·%#/\\|@_=+*&^$ \n\t")


def feature_terms(tokens: Sequence[str]) -> list[str]:
    """Unigrams (punctuation dropped, except !/? which carry tone) and adjacent-word bigrams."""
    words = [t for t in tokens if t not in _PUNCT or t in "!?！？"]
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def make_vectoriser(n_features: int = N_FEATURES) -> HashingVectorizer:
    """Stateless: everything that defines it fits in the model's JSON."""
    return HashingVectorizer(
        analyzer=feature_terms, n_features=n_features, alternate_sign=False, binary=True, norm="l2",
        dtype=np.float32,
    )


def vectorise(token_lists: Sequence[Sequence[str]], n_features: int = N_FEATURES) -> sparse.csr_matrix:
    return make_vectoriser(n_features).transform(token_lists)
