"""Near-duplicate grouping (MinHash LSH, datasketch): reposts and syndicated copies become one story.

A text's signature is datasketch's MinHash of its character 3-grams (emoticons, spaces and
punctuation dropped), computed for a whole batch with `MinHash.bulk`. The seed is fixed, so the
values are stable across processes and stored signatures stay comparable.

The index is datasketch's `MinHashLSH` with BANDS bands of ROWS values: texts sharing a band are
candidates, and a candidate joins the story only if the estimated Jaccard similarity reaches
THRESHOLD. Texts too short to shingle meaningfully join a story only through their repost parent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from yuqing.analysis.normalise import EMOTICON_RE

NUM_PERM = 64
BANDS, ROWS = 16, 4  # P(candidate) at Jaccard 0.6 ≈ 0.89, at 0.7 ≈ 0.99, at 0.3 ≈ 0.12
THRESHOLD = 0.6
SHINGLE = 3
MIN_CHARS = 12
_SEED = 20261120
_SCHEME = "affine32"  # datasketch 2.x: 32-bit values; named so stored signatures keep their meaning
_DROP_RE = re.compile(r"[\s\W_]+", re.UNICODE)
assert BANDS * ROWS == NUM_PERM


def core(text: str) -> str:
    """The characters that are shingled: no emoticons, spaces or punctuation."""
    return _DROP_RE.sub("", EMOTICON_RE.sub("", text))


def _shingles(text: str) -> list[bytes]:
    return [text[i : i + SHINGLE].encode("utf-8") for i in range(len(text) - SHINGLE + 1)]


def signatures(texts: Sequence[str]) -> list[np.ndarray | None]:
    """One signature (NUM_PERM uint32 hash values) per text, None for texts too short."""
    cores = [core(t) for t in texts]
    long_enough = [i for i, c in enumerate(cores) if len(c) >= MIN_CHARS]
    out: list[np.ndarray | None] = [None] * len(texts)
    hashes = MinHash.bulk([_shingles(cores[i]) for i in long_enough], num_perm=NUM_PERM, seed=_SEED,
                          scheme=_SCHEME)
    for i, minhash in zip(long_enough, hashes, strict=True):
        out[i] = minhash.hashvalues
    return out


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two texts' 3-gram sets."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def to_bytes(sig: np.ndarray) -> bytes:
    """4 bytes a value (the affine32 scheme's values are 32-bit)."""
    return np.asarray(sig, dtype=np.uint32).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    values = np.frombuffer(data, dtype=np.uint32)
    if len(values) != NUM_PERM:
        raise ValueError(f"signature has {len(values)} values, expected {NUM_PERM}")
    return values.copy()


class StoryIndex:
    """Known stories' signatures; `find` gives the story a new text belongs to, or none."""

    def __init__(self, known: Iterable[tuple[int, bytes]] = ()) -> None:
        self.lsh = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))
        self.first_seen: dict[int, np.ndarray] = {}
        self._last: tuple[np.ndarray, LeanMinHash] | None = None  # find() then add() of one text
        for story_id, sig in known:
            try:
                self.add(story_id, from_bytes(sig))
            except ValueError:
                continue  # a signature from another configuration: that story is simply not matched

    def add(self, story_id: int, sig: np.ndarray) -> None:
        if story_id in self.first_seen:
            return
        self.first_seen[story_id] = sig
        self.lsh.insert(story_id, self._lean(sig), check_duplication=False)

    def _lean(self, sig: np.ndarray) -> LeanMinHash:
        if self._last is None or self._last[0] is not sig:
            self._last = (sig, LeanMinHash(seed=_SEED, hashvalues=sig, scheme=_SCHEME))
        return self._last[1]

    def find(self, sig: np.ndarray) -> int | None:
        """The most similar known story at or above THRESHOLD (lowest id on ties)."""
        best: tuple[float, int] | None = None
        for sid in self.lsh.query(self._lean(sig)):
            sim = similarity(sig, self.first_seen[sid])
            if sim >= THRESHOLD and (best is None or (sim, -sid) > (best[0], -best[1])):
                best = (sim, sid)
        return best[1] if best else None
