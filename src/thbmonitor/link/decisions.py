"""Reviewers' decisions on pairs of reports: `same` or `different`, respected by every link.

A decision is stored with the two reports it is about (not with a run), so
it survives every later `link_persons`: `same` merges the two reports'
persons, `different` keeps them apart (see `clusters.py`). A pair is named
by `pair_id`, a hash of its two reports in (source, report_id) order.

Every decision is also an event in `link_decision_events` (who, when, what, and
by which action: `decide` on a pair, `split` of a report from its person), so a
pair's history survives a later decision that overrides it; `link_decisions`
holds the decision in force (the last event).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from thbmonitor.errors import UsageError
from thbmonitor.store import Database, audit

DECISIONS = ("same", "different")


def pair_id(left: tuple[str, str], right: tuple[str, str]) -> str:
    """The stable name of a pair of reports, each given as (source, report_id)."""
    first, second = sorted((left, right))
    text = "\x1f".join((*first, *second))
    return "R" + hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass
class Decided:
    """Decisions mapped onto report row numbers for one link run."""

    same: list[tuple[int, int]] = field(default_factory=list)
    different: list[tuple[int, int]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.same) + len(self.different)


def decided_pairs(db: Database, reports: pd.DataFrame) -> Decided:
    """Every stored decision whose two reports still exist, as row numbers of `reports`."""
    rows = db.rows("SELECT pair_id, left_source, left_report_id, right_source, right_report_id, "
                   "decision FROM link_decisions ORDER BY pair_id")
    out = Decided()
    if not rows:
        return out
    index = {(s, r): int(i) for i, s, r in
             zip(reports["rid"], reports["source"], reports["report_id"], strict=True)}
    for pid, ls, lr, rs, rr, decision in rows:
        left, right = index.get((ls, lr)), index.get((rs, rr))
        if left is None or right is None:
            continue
        (out.same if decision == "same" else out.different).append((left, right))
        out.keys.add(pid)
    return out


@dataclass(frozen=True)
class Decision:
    """One stored decision (what `thb review decide` prints)."""

    pair_id: str
    decision: str
    left_source: str
    left_report_id: str
    right_source: str
    right_report_id: str
    decided_at: str
    decided_by: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def decide(db: Database, pair: str, decision: str, *, actor: str | None = None) -> Decision:
    """Store `decision` (`same` or `different`) for a pair listed by the review queue.

    A pair decided before may be decided again; the last decision counts.
    It takes effect at the next `link_persons`.
    """
    if decision not in DECISIONS:
        raise UsageError(f"decision must be one of: {', '.join(DECISIONS)}; not {decision!r}")
    row = db.rows("SELECT left_source, left_report_id, right_source, right_report_id "
                  "FROM link_review WHERE pair_id = ? UNION ALL "
                  "SELECT left_source, left_report_id, right_source, right_report_id "
                  "FROM link_decisions WHERE pair_id = ? LIMIT 1", [pair, pair])
    if not row:
        raise UsageError(f"no pair {pair!r} in the review queue; list the pairs with `thb review`")
    ls, lr, rs, rr = row[0]
    return _store(db, pair, (ls, lr), (rs, rr), decision, actor)


def decide_reports(db: Database, left: tuple[str, str], right: tuple[str, str], decision: str,
                   *, actor: str | None = None) -> Decision:
    """Store a decision about two reports named directly as (source, report_id)."""
    if decision not in DECISIONS:
        raise UsageError(f"decision must be one of: {', '.join(DECISIONS)}; not {decision!r}")
    found = db.scalar("SELECT count(*) FROM reports WHERE (source = ? AND report_id = ?) "
                      "OR (source = ? AND report_id = ?)", [*left, *right])
    if int(found) != 2:
        raise UsageError("both reports must exist and differ; check source and report_id")
    first, second = sorted((left, right))
    return _store(db, pair_id(first, second), first, second, decision, actor)


def _store(db: Database, pid: str, left: tuple[str, str], right: tuple[str, str],
           decision: str, actor: str | None) -> Decision:
    who = actor or audit.current_actor()
    now = datetime.now(UTC).replace(tzinfo=None)
    with db.transaction():
        _write(db, pid, left, right, decision, "decide", now, who)
        audit.record(db, "write", "link.decision", actor=who,
                     detail={"pair_id": pid, "decision": decision})
    return Decision(pid, decision, *left, *right, now.isoformat(timespec="seconds"), who)


def _write(db: Database, pid: str, left: tuple[str, str], right: tuple[str, str],
           decision: str, action: str, now: datetime, who: str) -> None:
    """The decision in force and its event (inside the caller's transaction)."""
    db.execute(
        "INSERT INTO link_decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (pair_id) "
        "DO UPDATE SET decision = excluded.decision, decided_at = excluded.decided_at, "
        "decided_by = excluded.decided_by",
        [pid, *left, *right, decision, now, who])
    db.execute(
        "INSERT INTO link_decision_events (pair_id, left_source, left_report_id, right_source, "
        "right_report_id, decision, action, decided_at, decided_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [pid, *left, *right, decision, action, now, who])


@dataclass
class Split:
    """What `split_report` stored: the report, the person it leaves, the decisions."""

    source: str
    report_id: str
    person_id: str
    decisions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "report_id": self.report_id,
                "person_id": self.person_id, "decisions": list(self.decisions)}


def split_report(db: Database, source: str, report_id: str, *,
                 actor: str | None = None) -> Split:
    """Undo a wrong link: the report leaves its person at the next `link_persons`.

    Stores `different` between the report and every other report of its current
    person (one event each, action `split`), so no later link puts them together
    again, whatever the score; a reviewer can still decide one of those pairs `same`.
    """
    row = db.rows("SELECT person_id FROM person_reports WHERE source = ? AND report_id = ?",
                  [source, report_id])
    if not row:
        exists = db.scalar("SELECT count(*) FROM reports WHERE source = ? AND report_id = ?",
                           [source, report_id])
        if not exists:
            raise UsageError(f"no report {report_id!r} of source {source!r}; check both "
                             "(`thb review` lists them)")
        raise UsageError(f"report {report_id!r} of {source!r} is not linked yet; run `thb link`")
    person = str(row[0][0])
    others = db.rows("SELECT source, report_id FROM person_reports WHERE person_id = ? "
                     "AND NOT (source = ? AND report_id = ?) ORDER BY source, report_id",
                     [person, source, report_id])
    if not others:
        raise UsageError(f"report {report_id!r} of {source!r} is the only report of its "
                         "person; there is nothing to split")
    who = actor or audit.current_actor()
    now = datetime.now(UTC).replace(tzinfo=None)
    out = Split(source, report_id, person)
    with db.transaction():
        for other in others:
            first, second = sorted(((source, report_id), (str(other[0]), str(other[1]))))
            pid = pair_id(first, second)
            _write(db, pid, first, second, "different", "split", now, who)
            out.decisions.append(pid)
        audit.record(db, "write", "link.split", actor=who,
                     detail={"person_id": person, "pairs": len(out.decisions)})
    return out


@dataclass(frozen=True)
class DecisionEvent:
    """One event of a pair's history."""

    event_id: int
    pair_id: str
    decision: str
    action: str
    decided_at: str
    decided_by: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def decision_history(db: Database, pair: str | None = None) -> list[DecisionEvent]:
    """Every decision event (of one pair, or all), oldest first."""
    sql = ("SELECT event_id, pair_id, decision, action, decided_at, decided_by "
           "FROM link_decision_events")
    params: list[Any] = []
    if pair is not None:
        sql += " WHERE pair_id = ?"
        params.append(pair)
    rows = db.rows(sql + " ORDER BY event_id", params)
    return [DecisionEvent(int(e), str(p), str(d), str(a),
                          t.isoformat(timespec="seconds"), None if b is None else str(b))
            for e, p, d, a, t, b in rows]
