"""Near-duplicate grouping (MinHash LSH): reposts and syndicated copies become one story.

A text's signature is the MinHash of its character 3-grams (emoticons, spaces and
punctuation dropped), computed for a whole batch in a few numpy operations: each 3-gram is
packed exactly into one 63-bit integer (three 21-bit code points), mixed (splitmix64) down
to 32 bits, then put through NUM_PERM fixed affine permutations mod 2^32 (odd multipliers,
so each is a bijection) and reduced to its minimum per text. No per-3-gram Python, and the
values are stable across processes, so stored signatures stay comparable.

The index is classic banded LSH (BANDS bands of ROWS values): texts sharing a band are
candidates, and a candidate joins the story only if the estimated Jaccard similarity
reaches THRESHOLD. Texts too short to shingle meaningfully join a story only through their
repost parent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np

from analysis.normalise import EMOTICON_RE

NUM_PERM = 64
BANDS, ROWS = 16, 4  # P(candidate) at Jaccard 0.6 ≈ 0.89, at 0.7 ≈ 0.99, at 0.3 ≈ 0.12
THRESHOLD = 0.6
SHINGLE = 3
MIN_CHARS = 12
MAX_GRAMS_PER_PASS = 200_000  # bounds the (grams × NUM_PERM) work matrix to ~50 MB
_SEED = 20261120
_DROP_RE = re.compile(r"[\s\W_]+", re.UNICODE)

_rng = np.random.default_rng(_SEED)
_PERM_A = (_rng.integers(0, 1 << 31, NUM_PERM, dtype=np.uint64) * 2 + 1).astype(np.uint32)
_PERM_B = _rng.integers(0, 1 << 32, NUM_PERM, dtype=np.uint64).astype(np.uint32)
assert BANDS * ROWS == NUM_PERM


def core(text: str) -> str:
    """The characters that are shingled: no emoticons, spaces or punctuation."""
    return _DROP_RE.sub("", EMOTICON_RE.sub("", text))


def _mix(keys: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, high 32 bits: a well-spread 32-bit hash of each 63-bit key."""
    x = keys ^ (keys >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(32)).astype(np.uint32)


def _minhash_group(cores: Sequence[str]) -> np.ndarray:
    """(len(cores), NUM_PERM) signatures of texts that all have ≥ SHINGLE characters."""
    lengths = np.fromiter((len(c) for c in cores), dtype=np.int64, count=len(cores))
    points = np.frombuffer("".join(cores).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    grams = lengths - (SHINGLE - 1)
    text_of = np.repeat(np.arange(len(cores)), grams)
    gram_starts = np.concatenate(([0], np.cumsum(grams)[:-1]))
    text_starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    pos = np.arange(int(grams.sum()), dtype=np.int64) - gram_starts[text_of] + text_starts[text_of]
    keys = (points[pos] << np.uint64(42)) | (points[pos + 1] << np.uint64(21)) | points[pos + 2]
    hashed = _mix(keys)
    permuted = hashed[:, None] * _PERM_A[None, :] + _PERM_B[None, :]  # uint32: wraps mod 2^32
    return np.minimum.reduceat(permuted, gram_starts, axis=0)


def signatures(texts: Sequence[str]) -> list[np.ndarray | None]:
    """One signature (uint32 array of NUM_PERM) per text, None for texts too short."""
    cores = [core(t) for t in texts]
    out: list[np.ndarray | None] = [None] * len(texts)
    group: list[int] = []
    budget = 0

    def flush() -> None:
        if group:
            for i, sig in zip(group, _minhash_group([cores[i] for i in group]), strict=True):
                out[i] = sig
            group.clear()

    for i, c in enumerate(cores):
        if len(c) < MIN_CHARS:
            continue
        if budget + len(c) > MAX_GRAMS_PER_PASS:
            flush()
            budget = 0
        group.append(i)
        budget += len(c)
    flush()
    return out


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two texts' 3-gram sets."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def to_bytes(sig: np.ndarray) -> bytes:
    return np.asarray(sig, dtype=np.uint32).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    values = np.frombuffer(data, dtype=np.uint32)
    if len(values) != NUM_PERM:
        raise ValueError(f"signature has {len(values)} values, expected {NUM_PERM}")
    return values.copy()


def _band_keys(sig: np.ndarray) -> list[bytes]:
    raw = np.ascontiguousarray(sig, dtype=np.uint32).tobytes()
    step = ROWS * 4
    return [raw[i : i + step] for i in range(0, len(raw), step)]


class StoryIndex:
    """Known stories' signatures; `find` gives the story a new text belongs to, or none."""

    def __init__(self, known: Iterable[tuple[int, bytes]] = ()) -> None:
        # One story id per band key (plain ints keep the garbage collector out of the way); the
        # rare further stories sharing a band key go to `more`.
        self.buckets: list[dict[bytes, int]] = [{} for _ in range(BANDS)]
        self.more: dict[tuple[int, bytes], list[int]] = {}
        self.first_seen: dict[int, np.ndarray] = {}
        for story_id, sig in known:
            try:
                self.add(story_id, from_bytes(sig))
            except ValueError:
                continue  # a signature from another configuration: that story is simply not matched

    def add(self, story_id: int, sig: np.ndarray) -> None:
        if story_id in self.first_seen:
            return
        self.first_seen[story_id] = sig
        for band, key in enumerate(_band_keys(sig)):
            bucket = self.buckets[band]
            if key in bucket:
                self.more.setdefault((band, key), []).append(story_id)
            else:
                bucket[key] = story_id

    def find(self, sig: np.ndarray) -> int | None:
        """The most similar known story at or above THRESHOLD (lowest id on ties)."""
        candidates: set[int] = set()
        for band, key in enumerate(_band_keys(sig)):
            hit = self.buckets[band].get(key)
            if hit is not None:
                candidates.add(hit)
                if (band, key) in self.more:
                    candidates.update(self.more[(band, key)])
        best: tuple[float, int] | None = None
        for sid in candidates:
            sim = similarity(sig, self.first_seen[sid])
            if sim >= THRESHOLD and (best is None or (sim, -sid) > (best[0], -best[1])):
                best = (sim, sid)
        return best[1] if best else None
