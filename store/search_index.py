"""The full-text index of mentions: Chinese as overlapping character bigrams, other words whole.

Watch rules match terms as substrings (Chinese has no spaces), so the index must find every
substring a rule can name, whatever jieba would have cut. Overlapping bigrams do (the CJK
bigram scheme of Lucene's CJKAnalyzer): "房租上涨" is indexed as 房租 租上 上涨, and a term of
two or more Chinese characters is the phrase of its bigrams, which occurs exactly when the term
is a substring. Latin letters and digits are indexed as whole words ("cpi", "0", "2").

The same token string feeds SQLite FTS5 (unicode61 splits it on the spaces) and PostgreSQL
full text (`to_tsvector('simple', …)`, GIN index), so both databases answer the same queries.
Rows are indexed in the transaction that writes the mention (a session `after_flush` hook), so
a search never misses a mention that is committed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import event, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORD_RUN = re.compile(r"[0-9a-z]+")
TOKEN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9a-z]+")
FTS_TABLE = "mention_fts"  # SQLite: FTS5 virtual table, rowid = mention id
PG_TABLE = "mention_search"  # PostgreSQL: mention_id, tsv tsvector (GIN)


def tokens(value: str | None) -> list[str]:
    """Index tokens of a text, in order: bigrams of each Chinese run, whole Latin/digit words."""
    out: list[str] = []
    for run in TOKEN_RUN.findall((value or "").lower()):
        if CJK_RUN.fullmatch(run):
            if len(run) == 1:
                out.append(run)
            else:
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return out


def document(title: str | None, body: str | None) -> str:
    """What is stored in the index for one mention (title and text, as space-separated tokens)."""
    return " ".join([*tokens(title), *tokens(body)])


def term_tokens(term: str) -> list[str] | None:
    """The consecutive tokens a substring term must produce, or None when the index cannot help.

    A term whose Chinese runs are single characters, or that mixes scripts inside a run of its
    own, still matches by substring at verification; the index only narrows the candidates.
    """
    runs = TOKEN_RUN.findall(term.lower())
    if not runs or "".join(runs) != re.sub(r"\s+", "", term.lower()):
        return None
    out: list[str] = []
    for run in runs:
        if CJK_RUN.fullmatch(run):
            if len(run) < 2:
                return None
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return out


def not_ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic `include_object`: schema comparison leaves the hand-made index (FTS5 and its shadow
    tables, the tsvector table) alone, since no model describes them."""
    return not (name or "").startswith((FTS_TABLE, PG_TABLE))


def create(conn: Connection) -> None:
    """The index structures of this dialect (idempotent): used by the migration."""
    if conn.dialect.name == "sqlite":
        conn.execute(text(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(doc, tokenize='unicode61')"
        ))
    else:
        conn.execute(text(
            f"CREATE TABLE IF NOT EXISTS {PG_TABLE} (mention_id INTEGER PRIMARY KEY "
            "REFERENCES mentions(id) ON DELETE CASCADE, tsv TSVECTOR NOT NULL)"
        ))
        conn.execute(text(f"CREATE INDEX IF NOT EXISTS ix_{PG_TABLE}_tsv ON {PG_TABLE} USING GIN (tsv)"))


def drop(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))
    else:
        conn.execute(text(f"DROP TABLE IF EXISTS {PG_TABLE}"))


def put(conn: Connection, rows: Sequence[tuple[int, str | None, str | None]]) -> None:
    """(Re)index mentions given as (id, title, text)."""
    if not rows:
        return
    ids = [{"id": r[0]} for r in rows]
    docs = [{"id": r[0], "doc": document(r[1], r[2])} for r in rows]
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), ids)
        conn.execute(text(f"INSERT INTO {FTS_TABLE}(rowid, doc) VALUES (:id, :doc)"), docs)
    else:
        conn.execute(
            text(
                f"INSERT INTO {PG_TABLE}(mention_id, tsv) VALUES (:id, to_tsvector('simple', :doc)) "
                "ON CONFLICT (mention_id) DO UPDATE SET tsv = EXCLUDED.tsv"
            ),
            docs,
        )


def remove(conn: Connection, ids: Iterable[int]) -> None:
    params = [{"id": i} for i in ids]
    if not params:
        return
    table, key = (FTS_TABLE, "rowid") if conn.dialect.name == "sqlite" else (PG_TABLE, "mention_id")
    conn.execute(text(f"DELETE FROM {table} WHERE {key} = :id"), params)


def clear(conn: Connection) -> None:
    """Empty the index (tests that empty every table empty this one too)."""
    conn.execute(text(f"DELETE FROM {FTS_TABLE if conn.dialect.name == 'sqlite' else PG_TABLE}"))


def rebuild(session: Session, batch: int = 5000) -> int:
    """Index every mention again (after a bulk load that bypassed the ORM). Returns the count."""
    from yuqing.store.models import Mention  # the models import this module's hook

    conn = session.connection()
    clear(conn)
    done, last = 0, 0
    while True:
        rows = session.execute(
            select(Mention.id, Mention.title, Mention.text)
            .where(Mention.id > last)
            .order_by(Mention.id)
            .limit(batch)
        ).all()
        if not rows:
            return done
        put(conn, [tuple(r) for r in rows])
        done += len(rows)
        last = rows[-1][0]


def _after_flush(session: Session, _context: Any) -> None:
    from yuqing.store.models import Mention

    changed = [o for o in session.new if isinstance(o, Mention) and o.id is not None]
    for o in session.dirty:
        if isinstance(o, Mention) and o.id is not None:
            state = inspect(o)
            if state.attrs.text.history.has_changes() or state.attrs.title.history.has_changes():
                changed.append(o)
    gone = [o.id for o in session.deleted if isinstance(o, Mention) and o.id is not None]
    if not changed and not gone:
        return
    conn = session.connection()
    if gone:
        remove(conn, gone)
    if changed:
        put(conn, [(o.id, o.title, o.text) for o in changed])


def install_hook() -> None:
    """Index mentions as they are flushed, in every session of the process (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
