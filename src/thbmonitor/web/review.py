"""The review queue of one organisation: pairs with at least one report of its own.

`thbmonitor.link.review_queue` lists every pair; a registrar sees and decides
only pairs one of whose reports is of the own organisation (CONTRACTS §6:
reports of other organisations are neither shown nor changed, beyond what a
reviewer needs of the other report: its source, dates, sex and nationality,
never a name or token). This belongs in `thbmonitor.link` as an `org`
argument of `review_queue`; it lives here until that package offers it.
"""

from __future__ import annotations

from thbmonitor.link import Decision, decide
from thbmonitor.link.review import QUEUE_COLUMNS, QUEUE_ORDER, SHOWN, ReviewQueue, pair_dict
from thbmonitor.store import Database, audit
from thbmonitor.web.errors import WebError

_OWN = "(lower(q.left_source) = ? OR lower(q.right_source) = ?)"


def decisions_version(db: Database) -> tuple[object, ...]:
    """Changes with every decision or split (each appends an event): with the store's
    version (imports, link runs, which rebuild `link_review`) it tells when a kept queue
    is stale. Small tables only: it is read on every request."""
    return tuple(db.execute(
        "SELECT (SELECT max(event_id) FROM link_decision_events), "
        "(SELECT count(*) FROM link_decisions)").fetchone())


def audit_review_read(db: Database, org: str, queue: ReviewQueue, *, limit: int,
                      actor: str) -> None:
    """The audit entry of one read of the queue (every read is recorded, also one served
    from a cache)."""
    audit.record(db, "read", "link.review", actor=actor,
                 detail={"source": org, "pairs_shown": len(queue.pairs), "limit": limit})


def org_review_pairs(db: Database, org: str, *, limit: int = 50) -> ReviewQueue:
    """The org's pairs, most likely errors first. Not audited: the caller records every
    read with `audit_review_read` before the answer leaves (the web app keeps the pairs
    per store and decisions version and audits each request)."""
    total, decided = db.execute(
        f"SELECT (SELECT count(*) FROM link_review q WHERE {_OWN}), "
        f"(SELECT count(*) FROM link_decisions q WHERE {_OWN})", [org, org, org, org]
    ).fetchone()
    shown = ", ".join(f"{side}.{c} AS {side}_{c}" for side in ("a", "b") for c in SHOWN)
    rows = db.execute(
        f"SELECT {QUEUE_COLUMNS}, {shown} "
        "FROM link_review q "
        "JOIN reports a ON a.source = q.left_source AND a.report_id = q.left_report_id "
        "JOIN reports b ON b.source = q.right_source AND b.report_id = q.right_report_id "
        f"WHERE {_OWN} AND q.pair_id NOT IN (SELECT pair_id FROM link_decisions) "
        f"ORDER BY {QUEUE_ORDER} LIMIT ?",
        [org, org, int(limit)])
    names = [d[0] for d in rows.description]
    pairs = [pair_dict(dict(zip(names, values, strict=True))) for values in rows.fetchall()]
    return ReviewQueue(pairs, int(total), int(decided))


def org_decide(db: Database, org: str, pair: str, decision: str, *, actor: str) -> Decision:
    """A decision on a pair of the org's queue (the library audits it with the write)."""
    own = db.scalar(f"SELECT count(*) FROM link_review q WHERE q.pair_id = ? AND {_OWN}",
                    [pair, org, org])
    if not own:
        raise WebError(404, f"no pair {pair} in your organisation's review queue")
    return decide(db, pair, decision, actor=actor)
