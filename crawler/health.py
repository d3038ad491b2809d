"""Source health (last success, items per run, errors, quarantine, back-off) on the `sources` row.

The dashboard and API read these columns; a blocked source shows why and until when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from store.models import Source
from yuqing.vocab import SourceStatus


@dataclass(frozen=True)
class RunOutcome:
    stored: int  # new rows written (documents or releases)
    duplicates: int  # items the store already held
    quarantined: int
    errors: int  # failed requests after retries (timeouts, 5xx, refused)
    pages_ok: int  # responses parsed successfully
    blocked_reason: str | None  # 418/432/403 or captcha
    last_error: str | None
    disallowed: int = 0  # requests robots.txt forbade


def run_status(outcome: RunOutcome) -> str:
    """The source's status after one run (never UNKNOWN: that is a source that has not run)."""
    if outcome.blocked_reason:
        return SourceStatus.BLOCKED
    if outcome.pages_ok == 0 and (outcome.errors or outcome.quarantined):
        return SourceStatus.ERROR
    if outcome.errors or outcome.quarantined or outcome.disallowed:
        return SourceStatus.WARNING
    return SourceStatus.OK


def record_run(
    session: Session, source_id: int, outcome: RunOutcome, *, now: datetime, backoff_minutes: float
) -> Source:
    """Write one run's outcome onto the source row (flushes, does not commit)."""
    src = session.get_one(Source, source_id)
    src.status = run_status(outcome)
    src.last_run_at = now
    src.items_last_run = outcome.stored
    src.total_items = (src.total_items or 0) + outcome.stored
    src.error_count = (src.error_count or 0) + outcome.errors
    src.quarantined_count = (src.quarantined_count or 0) + outcome.quarantined
    if outcome.pages_ok:
        src.last_success_at = now
    if outcome.blocked_reason:
        src.backoff_until = now + timedelta(minutes=backoff_minutes)
        src.last_error, src.last_error_at = f"被限流或要求验证：{outcome.blocked_reason}", now
    elif outcome.last_error:
        src.last_error, src.last_error_at = outcome.last_error, now
    if not outcome.blocked_reason:
        src.backoff_until = None
    session.flush()
    return src
