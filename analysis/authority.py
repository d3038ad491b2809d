"""Authoritative publications: what the bureau or official media published about an event.

A Xinhua interview with the bureau ("如何看待CPI与居民体感的差异——访国家统计局有关负责人") that is
already in the feed is the response the 5-hour clock asks for; the duty officer should be offered
it rather than have to find it. A mention is authoritative when it comes from
- the bureau's own site (configured domains, stats.gov.cn by default): `bureau_site`;
- one of the bureau's verified accounts (configured names, and verified on the platform): `bureau_account`;
- an official medium (configured names or a central-tier source) *and* it carries the bureau's own
  words (统计局 … 负责人/发言人/答记者问/回应/解读/介绍/说明): `official_media`.
Pure: plain values in, a kind (or None) out. The candidates for an incident are queried in
`response_candidates`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from yuqing.vocab import AuthorityKind, MediaTier

KINDS = AuthorityKind.values()
_BUREAU_VOICE = re.compile(
    r"统计局.{0,30}(负责人|发言人|答记者问|回应|解读|介绍|说明|表示|指出|澄清|访)"
    r"|(访|专访|答记者问|回应).{0,20}统计局")


@dataclass(frozen=True)
class AuthorityConfig:
    """Who speaks for the bureau; the lists live in settings (AnalysisConfig), see `from_settings`."""

    bureau_domains: tuple[str, ...] = ()
    bureau_accounts: tuple[str, ...] = ()
    official_media: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, analysis: Any) -> AuthorityConfig:
        return cls(tuple(analysis.bureau_domains), tuple(analysis.bureau_accounts),
                   tuple(analysis.official_media))


def _host_matches(url: str | None, domains: Sequence[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower() if url else ""
    return any(host == d or host.endswith("." + d) for d in domains)


def _named(names: Sequence[str], *values: str | None) -> bool:
    return any(v and any(n == v.strip() or n in v for n in names) for v in values)


def authority_kind(*, url: str | None, author: str | None, publisher: str | None, verified: bool,
                   media_tier: str, text: str, config: AuthorityConfig = AuthorityConfig()) -> str | None:
    """The kind of authoritative publication this is, or None (see module docstring)."""
    if _host_matches(url, config.bureau_domains):
        return AuthorityKind.BUREAU_SITE
    if verified and author and author.strip() in config.bureau_accounts:
        return AuthorityKind.BUREAU_ACCOUNT
    official = media_tier == MediaTier.CENTRAL or _named(config.official_media, author, publisher)
    if official and _BUREAU_VOICE.search(text or ""):
        return AuthorityKind.OFFICIAL_MEDIA
    return None


LOOKBACK = timedelta(days=2)  # an interview published shortly before the wave still answers it


def response_candidates(session: Any, incident_id: int, *, now: datetime, limit: int = 20) -> list[Any]:
    """Authoritative mentions about an incident's event, newest first: attached to it, or linked to its
    release, published from LOOKBACK before its first mention up to `now`."""
    from sqlalchemy import or_, select

    from yuqing.store.models import Incident, IncidentMention, Mention, MentionRelease

    incident = session.get(Incident, incident_id)
    if incident is None:
        return []
    about = [Mention.id.in_(select(IncidentMention.mention_id)
                            .where(IncidentMention.incident_id == incident_id))]
    if incident.release_id is not None:
        about.append(Mention.id.in_(select(MentionRelease.mention_id)
                                    .where(MentionRelease.release_id == incident.release_id)))
    if incident.event_key:
        about.append(Mention.event_key == incident.event_key)
    start = (incident.first_mention_at or incident.opened_at) - LOOKBACK
    q = (select(Mention).where(Mention.authority.is_not(None), or_(*about),
                               or_(Mention.published_at.is_(None), Mention.published_at.between(start, now)))
         .order_by(Mention.published_at.desc(), Mention.id.desc()).limit(limit))
    return list(session.scalars(q))
