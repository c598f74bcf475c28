"""The audit log: append-only and hash-chained, so that an edited or deleted entry shows.

Every entry holds the hash of the entry before it (`prev_hash`) and its own
(`row_hash`, SHA-256 over its fields and `prev_hash`, in a canonical JSON
form). `verify(db)` recomputes the chain and names the first entry whose
own hash no longer matches its fields (an edit) or whose `prev_hash` is not
the hash of the entry before it (an entry deleted or edited before it).
Deleting the newest entries, or rewriting the whole chain, leaves a valid
chain behind: that is caught by comparing with a head exported earlier
(`head(db)`, `thb audit head`), kept somewhere the store's owner cannot
write. See docs/security.md.

The actor of a command-line entry is the operating-system account of the
process (`pwd.getpwuid(os.getuid())`), never `$USER` or `$LOGNAME`, which
anyone can set. The web app passes the signed-in user as `web:LOGIN`.

Entries written before the chain existed (migration 0003) are sealed into
the chain, in event order, by the first entry appended after it.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from thbmonitor.store.database import Database

#: `prev_hash` of the first entry of the chain.
GENESIS = "0" * 64

_COLUMNS = "event_id, occurred_at, actor, action, resource, detail, prev_hash, row_hash"


def current_actor() -> str:
    """The operating-system account running this process (not `$USER`, which is forgeable)."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid without a passwd entry (containers): the number is still true
        return f"uid:{uid}"


def entry_hash(event_id: int, occurred_at: datetime | str, actor: str, action: str,
               resource: str, detail: str | None, prev_hash: str) -> str:
    """SHA-256 of one entry's fields and the hash before it, as canonical JSON."""
    stamp = occurred_at.isoformat() if isinstance(occurred_at, datetime) else str(occurred_at)
    canonical = json.dumps(
        [int(event_id), stamp, actor, action, resource,
         json.loads(detail) if detail else {}, prev_hash],
        sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(db: Database, action: str, resource: str, *, actor: str | None = None,
           detail: dict[str, Any] | None = None) -> int:
    """Append one event to the chain; return its id. Details must hold no personal value.

    Raises (and appends nothing) when the store cannot be written: callers that
    answer a person-level read must not answer when this fails.
    """
    outermost = not db._in_transaction
    with db.transaction():
        _seal_legacy(db)
        event_id = int(db.scalar("SELECT nextval('audit_seq')"))
        # The previous entry is the one this connection wrote last when the sequence moved
        # on by one since: every entry takes its id from `audit_seq`, whichever connection
        # writes it, so nothing came in between. Otherwise (another connection wrote, or a
        # write was rolled back after taking its id) the head is read from the table. The
        # read scanned the whole log: a third of an audited web request at some thousand
        # entries, and it grows with the log (every person-level read appends one).
        last = getattr(db, "_audit_last", None)
        if last is not None and last[0] == event_id - 1:
            prev = last[1]
        else:
            prev = db.scalar("SELECT row_hash FROM audit_log WHERE row_hash IS NOT NULL "
                             "ORDER BY event_id DESC LIMIT 1") or GENESIS
        # Microseconds are kept: DuckDB TIMESTAMP stores them exactly, so the hash round-trips.
        now = datetime.now(UTC).replace(tzinfo=None)
        who = actor or current_actor()
        text = json.dumps(detail or {}, sort_keys=True)
        own = entry_hash(event_id, now, who, action, resource, text, str(prev))
        db.execute(f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [event_id, now, who, action, resource, text, prev, own])
    # Kept only once committed: inside a caller's transaction the entry may still be
    # rolled back with the caller's write, so the next entry reads the head instead.
    db._audit_last = (event_id, own) if outermost else None  # type: ignore[attr-defined]
    return event_id


def _seal_legacy(db: Database) -> None:
    """Chain the entries written before migration 0003, once, before the first new entry."""
    if getattr(db, "_audit_chained", False):
        return
    if db.scalar("SELECT count(*) FROM audit_log WHERE row_hash IS NOT NULL"):
        db._audit_chained = True  # type: ignore[attr-defined]  # checked once per connection
        return
    prev = GENESIS
    for event_id, at, who, action, resource, detail in db.rows(
            "SELECT event_id, occurred_at, actor, action, resource, detail FROM audit_log "
            "ORDER BY event_id"):
        own = entry_hash(event_id, at, who, action, resource, detail, prev)
        db.execute("UPDATE audit_log SET prev_hash = ?, row_hash = ? WHERE event_id = ?",
                   [prev, own, event_id])
        prev = own


# -- reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditEntry:
    event_id: int
    occurred_at: str
    actor: str
    action: str
    resource: str
    detail: dict[str, Any]
    prev_hash: str | None
    row_hash: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AuditList:
    """`thb audit list --json`: the newest entries, oldest first."""

    entries: list[AuditEntry] = field(default_factory=list)
    total: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "shown": len(self.entries),
                "entries": [e.to_dict() for e in self.entries]}


def list_entries(db: Database, *, last: int | None = 50) -> AuditList:
    """The last `last` entries (all with None), in event order."""
    total = int(db.scalar("SELECT count(*) FROM audit_log"))
    sql = f"SELECT {_COLUMNS} FROM audit_log ORDER BY event_id DESC"
    params: list[Any] = []
    if last is not None:
        sql += " LIMIT ?"
        params.append(max(0, int(last)))
    rows = list(reversed(db.rows(sql, params)))
    return AuditList([_entry(r) for r in rows], total)


def _entry(row: tuple[Any, ...]) -> AuditEntry:
    event_id, at, who, action, resource, detail, prev, own = row
    return AuditEntry(int(event_id), at.isoformat() if hasattr(at, "isoformat") else str(at),
                      who, action, resource, json.loads(detail) if detail else {}, prev, own)


# -- verifying -----------------------------------------------------------------------


@dataclass
class Verification:
    """`thb audit verify --json`: whether the chain holds, and the first broken entry."""

    ok: bool
    entries: int
    head: dict[str, Any] | None
    broken: dict[str, Any] | None = None
    unsealed: int = 0
    expected_head: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def head(db: Database) -> dict[str, Any] | None:
    """The newest entry's id, time and hash: export it to check the log against it later."""
    row = db.execute("SELECT event_id, occurred_at, row_hash FROM audit_log "
                     "WHERE row_hash IS NOT NULL ORDER BY event_id DESC LIMIT 1").fetchone()
    if row is None:
        return None
    count = int(db.scalar("SELECT count(*) FROM audit_log WHERE event_id <= ?", [row[0]]))
    return {"event_id": int(row[0]), "occurred_at": row[1].isoformat(), "hash": row[2],
            "entries": count}


def verify(db: Database, *, expected_head: str | None = None) -> Verification:
    """Recompute the chain; name the first entry that does not hold.

    With `expected_head` (a `hash` exported earlier by `head`), the chain must
    still contain that entry: this catches deleted newest entries and a
    rewritten chain, which the chain alone cannot show.
    """
    rows = db.rows(f"SELECT {_COLUMNS} FROM audit_log ORDER BY event_id")
    result = Verification(ok=True, entries=len(rows), head=head(db), expected_head=expected_head)
    if not any(r[7] is not None for r in rows):  # nothing chained yet: entries from before 0003
        result.unsealed = len(rows)
        if expected_head:
            result.ok = False
            result.broken = {"event_id": None, "reason": "expected-head-missing",
                             "message": "the exported head is not in the audit log: entries "
                                        "were deleted or the chain was rewritten"}
        return result
    prev = GENESIS
    previous_id: int | None = None
    seen_expected = False
    for row in rows:
        event_id, at, who, action, resource, detail, stored_prev, stored_own = row
        problem = None
        if stored_own is None or stored_prev is None:
            problem = ("unchained", "has no hash: it was added outside the audit log's writer")
        elif stored_prev != prev:
            before = f"entry {previous_id}" if previous_id is not None else "the start"
            problem = ("previous-hash-mismatch",
                       f"does not follow {before}: an entry between them was deleted, or "
                       f"{before} was changed")
        elif entry_hash(event_id, at, who, action, resource, detail, stored_prev) != stored_own:
            problem = ("content-changed", "was changed after it was written: its fields no "
                                          "longer match its hash")
        if problem is not None:
            result.ok = False
            result.broken = {"event_id": int(event_id), "reason": problem[0],
                             "message": f"audit entry {event_id} {problem[1]}"}
            return result
        if stored_own == expected_head:
            seen_expected = True
        prev = stored_own
        previous_id = int(event_id)
    if expected_head and not seen_expected:
        result.ok = False
        result.broken = {"event_id": None, "reason": "expected-head-missing",
                         "message": "the exported head is not in the audit log: the newest "
                                    "entries were deleted or the chain was rewritten"}
    return result
