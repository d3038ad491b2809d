"""What spiders hand to the store pipeline: plain dataclasses, one per destination table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class DocumentItem:
    """Fields of a `documents` row (see store.models.sources.Document)."""

    fields: dict[str, Any]


@dataclass
class ReleaseItem:
    """Fields of a `releases` row, upserted by url."""

    fields: dict[str, Any]


@dataclass
class QuarantineItem:
    """A response that could not be used, kept as fetched with the reason (bytes, never decoded)."""

    url: str | None
    reason: str
    status_code: int | None = None
    content_type: str | None = None
    body: bytes | None = None
    retry: bool = False  # transient (5xx, timeout): fetched again on a later crawl, with back-off
