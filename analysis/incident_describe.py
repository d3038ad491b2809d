"""Writes an incident's generated title, subtitle and situation summary (incident_text.py) onto it.

The I/O edge of incident_text: reads the release, hands plain values to the pure functions. Called
by the alert engine whenever it opens an incident or attaches mentions to one. A title typed by a
person (an incident opened by hand) is never replaced; rule-opened incidents get the generated one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from yuqing.analysis.incident_text import (
    MentionBrief,
    ReleaseFacts,
    incident_title,
    main_claims,
    situation_summary,
    subtitle,
)
from yuqing.analysis.indicators import BY_CODE


def _facts(session: Session, release_id: int | None, event_key: str | None) -> ReleaseFacts | None:
    """The release's indicator and period; before the release is known, the indicator a topic event names
    ("topic:data_credibility:CPI:2026-W49")."""
    from yuqing.store.models import Release

    release = session.get(Release, release_id) if release_id else None
    if release is not None:
        return ReleaseFacts(release.indicator, release.period_label)
    parts = (event_key or "").split(":")
    if len(parts) == 4 and parts[0] == "topic" and parts[2] in BY_CODE:
        return ReleaseFacts(parts[2])
    return None


def describe_incident(session: Session, incident: Any, mentions: Sequence[Any], *, now: datetime) -> None:
    """Set incident.title (rule-opened only), .subtitle and .situation from its mentions and release."""
    if not mentions:
        return
    facts = _facts(session, incident.release_id, incident.event_key)
    claims = [name for name, _n in main_claims([m.text or "" for m in mentions])]
    top = max(mentions, key=lambda m: (m.risk, -m.id))
    incident.subtitle = subtitle(top.title or top.text or "")
    if (incident.opened_by or "").startswith("rule:"):
        incident.title = incident_title(facts, incident.category, claims)
    briefs = [MentionBrief(text=m.text or "", author=m.author, platform=m.platform,
                           at=m.published_at or m.analysed_at, risk=m.risk) for m in mentions]
    incident.situation = "\n".join(situation_summary(briefs, now=now))


def event_title(session: Session, release_id: int | None, category: str, mentions: Sequence[Any],
                event_key: str | None = None) -> str:
    """The generated title of an event about to become an incident (its notification names it)."""
    facts = _facts(session, release_id, event_key)
    claims = [name for name, _n in main_claims([m.text or "" for m in mentions])]
    return incident_title(facts, category, claims)
