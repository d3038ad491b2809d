"""All models, importable from one place: `from store.models import Document`."""

from .analysis import Mention, MentionRelease, MentionRelink, Release, SentimentCorrection, Story, WatchTopic
from .base import Base, UTCDateTime
from .incidents import (
    Action,
    Case,
    Deadline,
    HolidayOverride,
    Incident,
    IncidentEvent,
    IncidentMention,
    Notification,
    Silence,
)
from .people import ApiToken, AuditLog, Briefing, User
from .sources import CrawlCursor, Document, Quarantine, Source

__all__ = [
    "Action", "ApiToken", "AuditLog", "Base", "Briefing", "Case", "CrawlCursor", "Deadline",
    "Document", "HolidayOverride", "Incident", "IncidentEvent", "IncidentMention", "Mention",
    "MentionRelease", "MentionRelink", "Notification", "Quarantine", "Release", "SentimentCorrection",
    "Silence",
    "Source", "Story", "UTCDateTime", "User", "WatchTopic",
]
