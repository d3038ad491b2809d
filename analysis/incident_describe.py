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

from analysis.incident_text import (
    MentionBrief,
    ReleaseFacts,
    incident_title,
    main_claims,
    situation_summary,
    subtitle,
)


def describe_incident(session: Session, incident: Any, mentions: Sequence[Any], *, now: datetime) -> None:
    """Set incident.title (rule-opened only), .subtitle and .situation from its mentions and release."""
    from store.models import Release

    if not mentions:
        return
    release = session.get(Release, incident.release_id) if incident.release_id else None
    facts = ReleaseFacts(release.indicator, release.period_label) if release is not None else None
    claims = [name for name, _n in main_claims([m.text or "" for m in mentions])]
    top = max(mentions, key=lambda m: (m.risk, -m.id))
    incident.subtitle = subtitle(top.title or top.text or "")
    if (incident.opened_by or "").startswith("rule:"):
        incident.title = incident_title(facts, incident.category, claims)
    briefs = [MentionBrief(text=m.text or "", author=m.author, platform=m.platform,
                           at=m.published_at or m.analysed_at, risk=m.risk) for m in mentions]
    incident.situation = "\n".join(situation_summary(briefs, now=now))


def event_title(session: Session, release_id: int | None, category: str, mentions: Sequence[Any]) -> str:
    """The generated title of an event about to become an incident (its notification names it)."""
    from store.models import Release

    release = session.get(Release, release_id) if release_id else None
    facts = ReleaseFacts(release.indicator, release.period_label) if release is not None else None
    claims = [name for name, _n in main_claims([m.text or "" for m in mentions])]
    return incident_title(facts, category, claims)
