"""评估: volume and negativity of an incident's mentions before and after each response action.

An effect read while the "after" window is still running is provisional (观察中): each row says how
much of that window has elapsed at `now`, its "after" figures are marked partial, and it carries no
`change` — a full window before against a few minutes after read as "147 → 0 −147", a false drop.
Equal windows are compared only once the after-window has elapsed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.clock import as_utc, local_iso
from yuqing.store.models import Action, IncidentMention, Mention
from yuqing.vocab import Sentiment

WINDOW_HOURS = 24


def _summary(points: list[tuple[datetime, str, float]]) -> dict[str, Any]:
    if not points:
        return {"mentions": 0, "negative_share": None, "mean_p_negative": None}
    negative = sum(1 for _, s, _ in points if s == Sentiment.NEGATIVE)
    return {"mentions": len(points), "negative_share": round(negative / len(points), 4),
            "mean_p_negative": round(sum(p for _, _, p in points) / len(points), 4)}


def measure(points: list[tuple[datetime, str, float]], at: datetime, hours: float) -> dict[str, Any]:
    """Pure: mentions (time, sentiment, p_negative) in the `hours` before and after `at`."""
    span = timedelta(hours=hours)
    before = [p for p in points if at - span <= p[0] < at]
    after = [p for p in points if at <= p[0] < at + span]
    b, a = _summary(before), _summary(after)
    change: dict[str, Any] = {"mentions": a["mentions"] - b["mentions"]}
    if b["negative_share"] is not None and a["negative_share"] is not None:
        change["negative_share"] = round(a["negative_share"] - b["negative_share"], 4)
    return {"window_hours": hours, "before": b, "after": a, "change": change}


def observation(at: datetime, now: datetime, hours: float) -> dict[str, Any]:
    """Pure: how much of the `hours` after `at` has elapsed at `now` (hours, fraction, still observing)."""
    elapsed = min(max((now - at).total_seconds() / 3600, 0.0), hours)
    fraction = elapsed / hours if hours > 0 else 1.0
    return {"elapsed_hours": round(elapsed, 2), "elapsed_fraction": round(fraction, 4),
            "observing": fraction < 1.0, "complete_at": local_iso(at + timedelta(hours=hours))}


def incident_effect(
    session: Session, *, incident_id: int, now: datetime, hours: float = WINDOW_HOURS
) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Mention.published_at, Mention.analysed_at, Mention.sentiment, Mention.p_negative)
        .join(IncidentMention, IncidentMention.mention_id == Mention.id)
        .where(IncidentMention.incident_id == incident_id)).all()
    points = [(as_utc(pub or analysed), sentiment, p_neg) for pub, analysed, sentiment, p_neg in rows]
    actions = session.scalars(select(Action).where(Action.incident_id == incident_id)
                              .order_by(Action.at, Action.id))
    now = as_utc(now)
    out = []
    for a in actions:
        row = {"action_id": a.id, "kind": a.kind, "at": local_iso(a.at),
               **measure(points, as_utc(a.at), hours), "after_window": observation(as_utc(a.at), now, hours)}
        row["partial"] = row["after_window"]["observing"]
        if row["partial"]:
            row["change"] = {}
        out.append(row)
    return out
