"""Near-duplicate grouping (MinHash LSH): reposts and syndicated copies become one story.

Signatures are character 3-gram MinHashes computed in bulk (datasketch's `MinHash.bulk`
reuses the permutations; crc32 is the hash, fast and stable across processes, so stored
signatures stay comparable). Texts too short to shingle meaningfully only join a story
through their repost parent.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence

import numpy as np
from datasketch import MinHash, MinHashLSH

from analysis.normalise import EMOTICON_RE

NUM_PERM = 64
SCHEME = "affine32"  # stored signatures are uint32 values of this scheme
THRESHOLD = 0.6
SHINGLE = 3
MIN_CHARS = 12
_DROP_RE = re.compile(r"[\s\W_]+", re.UNICODE)


def shingles(text: str) -> list[bytes]:
    """Character 3-grams of the text without emoticons, spaces or punctuation."""
    core = _DROP_RE.sub("", EMOTICON_RE.sub("", text))
    if len(core) < MIN_CHARS:
        return []
    return list({core[i : i + SHINGLE].encode("utf-8") for i in range(len(core) - SHINGLE + 1)})


def _crc32(b: bytes) -> int:
    return zlib.crc32(b)


def signatures(texts: Sequence[str]) -> list[MinHash | None]:
    """One MinHash per text (None for texts too short), computed in one bulk pass."""
    sets = [shingles(t) for t in texts]
    idx = [i for i, s in enumerate(sets) if s]
    out: list[MinHash | None] = [None] * len(texts)
    for i, mh in zip(idx, MinHash.generator([sets[i] for i in idx], num_perm=NUM_PERM, hashfunc=_crc32,
                                                 scheme=SCHEME),
                     strict=True):
        out[i] = mh
    return out


def to_bytes(mh: MinHash) -> bytes:
    return np.asarray(mh.hashvalues, dtype=np.uint32).tobytes()


def from_bytes(data: bytes) -> MinHash:
    values = np.frombuffer(data, dtype=np.uint32)
    if len(values) != NUM_PERM:
        raise ValueError(f"signature has {len(values)} values, expected {NUM_PERM}")
    return MinHash(num_perm=NUM_PERM, hashvalues=values.copy(), hashfunc=_crc32, scheme=SCHEME)


class StoryIndex:
    """Known stories' signatures; `assign` finds the story a new text belongs to, or none."""

    def __init__(self, known: Iterable[tuple[int, bytes]] = ()) -> None:
        self.lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self.first_seen: dict[int, MinHash] = {}
        for story_id, sig in known:
            try:
                self.add(story_id, from_bytes(sig))
            except ValueError:
                continue  # a signature from another configuration: that story is simply not matched

    def add(self, story_id: int, mh: MinHash) -> None:
        if story_id not in self.first_seen:
            self.lsh.insert(story_id, mh)
            self.first_seen[story_id] = mh

    def find(self, mh: MinHash) -> int | None:
        """The most similar known story above the threshold (lowest id on ties)."""
        candidates = self.lsh.query(mh)
        if not candidates:
            return None
        return max(candidates, key=lambda sid: (mh.jaccard(self.first_seen[sid]), -sid))
