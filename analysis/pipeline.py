"""The pure analysis core: documents in (plain values), analyses out, one batch at a time.

No database here: the worker (I/O) feeds it and writes the results; the benchmark runs it
directly. Per-text failures are returned, not raised, so one bad document never stops a batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from yuqing.analysis.normalise import normalise
from yuqing.analysis.releases import ReleaseLink, ReleaseRef, link_releases
from yuqing.analysis.relevance import Relevance, relevance
from yuqing.analysis.risk import RiskInputs, score
from yuqing.analysis.sensitive import SensitiveLexicon
from yuqing.analysis.sentiment.cues import stance_text
from yuqing.analysis.sentiment.model import LABELS, SentimentModel
from yuqing.analysis.stories import signatures
from yuqing.analysis.tokenise import tokenise
from yuqing.analysis.watch import WatchSet

MAX_CHARS = 20_000  # longer bodies are cut: a novel-length forum post is not more informative


@dataclass(frozen=True)
class DocInput:
    key: int  # the document id (any unique int outside the worker)
    text: str
    title: str | None = None
    platform: str = "weibo"
    published_at: datetime | None = None
    reposts: int = 0
    comments: int = 0
    likes: int = 0
    followers: int = 0
    verified: bool = False
    media_tier: str = "self"


@dataclass
class Analysis:
    key: int
    text: str
    tokens: list[str]
    sentiment: str
    probs: tuple[float, float, float]  # negative, neutral, positive
    sensitive_topics: list[str]
    topics: list[str]
    releases: list[ReleaseLink]
    risk: float
    risk_factors: list[dict[str, object]]
    signature: np.ndarray | None = field(repr=False, default=None)  # MinHash values (stories.py)
    relevance: Relevance = field(default_factory=lambda: Relevance(0.5, True, ""))  # relevance.py
    bare_repost: bool = False  # no words of its own or forwarded: the worker may take its parent's stance


@dataclass(frozen=True)
class Context:
    model: SentimentModel
    lexicon: SensitiveLexicon
    watch: WatchSet
    releases: Sequence[ReleaseRef] = ()
    user_dict: Path | None = None


def analyse_batch(
    docs: Sequence[DocInput], ctx: Context, *, now: datetime
) -> tuple[list[Analysis], dict[int, str]]:
    """(analyses of the documents that worked, {key: error} for those that did not)."""
    failures: dict[int, str] = {}
    prepared: list[tuple[DocInput, str, list[str]]] = []
    stance: list[list[str] | None] = []  # what the sentiment reads: a repost's own words (cues.stance_text)
    for doc in docs:
        try:
            body = normalise(doc.text)[:MAX_CHARS]
            title = normalise(doc.title) if doc.title else ""
            text = f"{title}\n{body}" if title and not body.startswith(title) else body
            tokens = tokenise(text, user_dict=ctx.user_dict)
            view = stance_text(doc.text or "") if not title else doc.text
            if view == doc.text:
                own: list[str] | None = tokens
            else:
                view_text = normalise(view)[:MAX_CHARS]
                own = tokenise(view_text, user_dict=ctx.user_dict) if view_text else None
            if not text.strip():
                raise ValueError("正文为空")
            prepared.append((doc, text, tokens))
            stance.append(own)
        except Exception as exc:
            failures[doc.key] = f"{type(exc).__name__}: {exc}"
    if not prepared:
        return [], failures
    probs = ctx.model.predict_or_bare(stance)
    sigs = signatures([text for _, text, _ in prepared])
    out: list[Analysis] = []
    for (doc, text, tokens), p, sig, own in zip(prepared, probs, sigs, stance, strict=True):
        try:
            folded = text.lower()
            sensitive = ctx.lexicon.topics(text)
            risk, factors = score(RiskInputs(
                p_negative=float(p[0]), sensitive_topics=tuple(sensitive), reposts=doc.reposts,
                comments=doc.comments, likes=doc.likes, followers=doc.followers, verified=doc.verified,
                media_tier=doc.media_tier, published_at=doc.published_at, now=now,
            ))
            out.append(Analysis(
                key=doc.key, text=text, tokens=tokens, sentiment=LABELS[int(p.argmax())],
                probs=(float(p[0]), float(p[1]), float(p[2])), sensitive_topics=sensitive,
                topics=ctx.watch.match(folded), releases=link_releases(text, doc.published_at, ctx.releases),
                risk=risk, risk_factors=factors, signature=sig, relevance=relevance(folded),
                bare_repost=own is None,
            ))
        except Exception as exc:
            failures[doc.key] = f"{type(exc).__name__}: {exc}"
    return out, failures
