"""Search over every mention with the watch-rule syntax (AND/OR/NOT/"phrase"/NEAR/n).

The database's full-text index (store.search_index: FTS5 on SQLite, tsvector on PostgreSQL)
narrows the candidates with a condition every match must meet; each candidate is then checked
with the watch-rule evaluator itself, so a search and a watch rule always agree on what matches.
Results come newest arrival first, in pages (a cursor on the mention id).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from yuqing.analysis.normalise import normalise
from yuqing.analysis.watch import And, Near, Node, Not, Or, Term, matches, parse
from yuqing.store import search_index
from yuqing.store.models import Mention, MentionRelease

BATCH = 500
SCAN_CAP = 20_000  # candidates checked per request at most; beyond it the page says it is partial


@dataclass(frozen=True)
class Filters:
    since: datetime | None = None
    until: datetime | None = None
    platform: str | None = None
    sentiment: str | None = None
    min_risk: float | None = None
    release_id: int | None = None
    story_id: int | None = None


@dataclass
class Hit:
    mention: Mention
    text_spans: list[tuple[int, int]]
    title_spans: list[tuple[int, int]]


@dataclass
class Result:
    hits: list[Hit] = field(default_factory=list)
    scanned: int = 0
    complete: bool = True  # False: SCAN_CAP reached before the page filled
    next_before_id: int | None = None


# A necessary condition: ("phrase", tokens) | ("and", [conds]) | ("or", [conds]); None = anything.
Cond = tuple


def necessary(node: Node) -> Cond | None:
    """What the index can check that every match satisfies (NOT and short terms check nothing)."""
    if isinstance(node, Term):
        toks = search_index.term_tokens(node.text)
        return ("phrase", toks) if toks else None
    if isinstance(node, Not):
        return None
    if isinstance(node, Near):
        return necessary(And((node.left, node.right)))
    if isinstance(node, And):
        parts = [c for c in (necessary(op) for op in node.operands) if c is not None]
        return None if not parts else parts[0] if len(parts) == 1 else ("and", parts)
    if isinstance(node, Or):
        parts = [necessary(op) for op in node.operands]
        if any(p is None for p in parts):
            return None
        return parts[0] if len(parts) == 1 else ("or", parts)
    return None


def fts5_query(cond: Cond) -> str:
    kind, value = cond
    if kind == "phrase":
        return '"' + " ".join(value) + '"'
    joiner = " AND " if kind == "and" else " OR "
    return "(" + joiner.join(fts5_query(c) for c in value) + ")"


def pg_tsquery(cond: Cond) -> str:
    kind, value = cond
    if kind == "phrase":
        return "(" + " <-> ".join(f"'{t}'" for t in value) + ")"
    joiner = " & " if kind == "and" else " | "
    return "(" + joiner.join(pg_tsquery(c) for c in value) + ")"


def positive_terms(node: Node, negated: bool = False) -> list[str]:
    """The terms whose occurrences are highlighted (not those under NOT)."""
    if isinstance(node, Term):
        return [] if negated else [node.text]
    if isinstance(node, Not):
        return positive_terms(node.operand, not negated)
    if isinstance(node, Near):
        return positive_terms(node.left, negated) + positive_terms(node.right, negated)
    if isinstance(node, And | Or):
        return [t for op in node.operands for t in positive_terms(op, negated)]
    return []


def spans(value: str, terms: list[str]) -> list[tuple[int, int]]:
    """Merged [start, end) character ranges where any term occurs (case-insensitive)."""
    folded = value.lower()
    found = []
    for term in {t.lower() for t in terms if t}:
        start = folded.find(term)
        while start != -1:
            found.append((start, start + len(term)))
            start = folded.find(term, start + 1)
    merged: list[tuple[int, int]] = []
    for a, b in sorted(found):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _filtered(q: Select, f: Filters) -> Select:
    said_at = func.coalesce(Mention.published_at, Mention.analysed_at)
    if f.since is not None:
        q = q.where(said_at >= f.since)
    if f.until is not None:
        q = q.where(said_at < f.until)
    if f.platform:
        q = q.where(Mention.platform == f.platform)
    if f.sentiment:
        q = q.where(Mention.sentiment == f.sentiment)
    if f.min_risk is not None:
        q = q.where(Mention.risk >= f.min_risk)
    if f.story_id is not None:
        q = q.where(Mention.story_id == f.story_id)
    if f.release_id is not None:
        q = q.where(Mention.id.in_(
            select(MentionRelease.mention_id).where(MentionRelease.release_id == f.release_id)
        ))
    return q


def _candidate_ids(session: Session, cond: Cond, before_id: int | None, batch: int) -> list[int]:
    """Ids matching the index condition, newest first: the index walks its postings in id order and
    stops after `batch`, so a common word costs no more than a rare one."""
    dialect = session.get_bind().dialect.name
    below = "" if before_id is None else " AND {key} < :before"
    if dialect == "sqlite":
        table = search_index.FTS_TABLE
        sql = (f"SELECT rowid FROM {table} WHERE {table} MATCH :q" + below.format(key="rowid")
               + " ORDER BY rowid DESC LIMIT :batch")
        params: dict[str, object] = {"q": fts5_query(cond), "batch": batch}
    else:
        sql = (f"SELECT mention_id FROM {search_index.PG_TABLE} WHERE tsv @@ to_tsquery('simple', :q)"
               + below.format(key="mention_id") + " ORDER BY mention_id DESC LIMIT :batch")
        params = {"q": pg_tsquery(cond), "batch": batch}
    if before_id is not None:
        params["before"] = before_id
    return list(session.scalars(text(sql), params))


def search(
    session: Session,
    expression: str,
    filters: Filters | None = None,
    *,
    limit: int = 50,
    before_id: int | None = None,
    scan_cap: int = SCAN_CAP,
) -> Result:
    """Mentions matching `expression` (raises WatchSyntaxError, a ValueError, on bad syntax)."""
    node = parse(expression)
    cond = necessary(node)
    terms = positive_terms(node)
    # Candidates are checked on (id, title, text) only; full rows are loaded for the hits alone.
    q = _filtered(select(Mention.id, Mention.title, Mention.text), filters or Filters())
    result = Result()
    found: list[tuple[int, list[tuple[int, int]], list[tuple[int, int]]]] = []
    cursor, exhausted, size = before_id, False, min(BATCH, max(2 * limit, 20))
    while len(found) < limit and result.complete:
        if cond is None:  # nothing the index can check: walk the mentions themselves, newest first
            page_q = q if cursor is None else q.where(Mention.id < cursor)
            batch = list(session.execute(page_q.order_by(Mention.id.desc()).limit(size)))
            exhausted, floor = len(batch) < size, (batch[-1][0] if batch else None)
        else:
            ids = _candidate_ids(session, cond, cursor, size)
            exhausted, floor = len(ids) < size, (ids[-1] if ids else None)
            rows = {r[0]: r for r in session.execute(q.where(Mention.id.in_(ids)))} if ids else {}
            batch = [rows[i] for i in ids if i in rows]
            result.scanned += len(ids) - len(batch)  # examined, left out by the filters
        stopped = False
        for mention_id, title, body in batch:
            if result.scanned >= scan_cap:
                result.complete, stopped = False, True
                break
            result.scanned += 1
            cursor = mention_id
            folded_title = normalise(title) if title else ""
            if matches(node, (folded_title + "\n" + body).lower()):
                found.append((mention_id, spans(body, terms), spans(title or "", terms)))
                if len(found) >= limit:
                    stopped = True
                    break
        if not stopped:
            cursor = floor if floor is not None else cursor
            if exhausted:
                break
            if result.scanned >= scan_cap:
                result.complete = False
        size = min(BATCH, size * 4)
    full = {m.id: m for m in session.scalars(select(Mention).where(Mention.id.in_([f[0] for f in found])))}
    result.hits = [Hit(full[i], ts, tt) for i, ts, tt in found if i in full]
    done = exhausted and result.complete and len(found) < limit
    result.next_before_id = None if done else cursor
    return result
