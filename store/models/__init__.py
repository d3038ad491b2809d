"""All models, importable from one place: `from store.models import Document`."""

from yuqing.store import search_index

from .analysis import Mention, MentionRelease, MentionRelink, Release, SentimentCorrection, Story, WatchTopic
from .base import Base, UTCDateTime
from .incidents import (
    Action,
    Case,
    Deadline,
    EarlyWarning,
    HolidayOverride,
    HolidaySchedule,
    Incident,
    IncidentEvent,
    IncidentMention,
    Notification,
    Silence,
)
from .people import ApiToken, AuditLog, Briefing, LoginThrottle, User, WebSession
from .plans import ReleaseInterpretation, ReleasePlan
from .sources import CrawlCursor, Document, Quarantine, Source

search_index.install_hook()  # mentions are indexed for search in the transaction that writes them

__all__ = [
    "Action",
    "ApiToken",
    "AuditLog",
    "Base",
    "Briefing",
    "Case",
    "CrawlCursor",
    "Deadline",
    "Document",
    "EarlyWarning",
    "HolidayOverride",
    "HolidaySchedule",
    "Incident",
    "IncidentEvent",
    "IncidentMention",
    "LoginThrottle",
    "Mention",
    "MentionRelease",
    "MentionRelink",
    "Notification",
    "Quarantine",
    "Release",
    "ReleaseInterpretation",
    "ReleasePlan",
    "SentimentCorrection",
    "Silence",
    "Source",
    "Story",
    "UTCDateTime",
    "User",
    "WatchTopic",
    "WebSession",
]
