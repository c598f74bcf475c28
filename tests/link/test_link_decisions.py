"""Reviewers' decisions are respected by every later link; the review queue is audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from link_data import person_of

from thbmonitor.errors import UsageError
from thbmonitor.link import decide, decide_reports, link_persons, review_queue
from thbmonitor.store import Database


def _saved_model(db: Database) -> dict[str, object]:
    model: dict[str, object] = json.loads(
        db.scalar("SELECT model FROM link_runs ORDER BY started_at DESC LIMIT 1"))
    return model


def test_decisions_split_and_merge_in_later_links(realistic_copy: Path) -> None:
    with Database(realistic_copy) as db:
        model = _saved_model(db)
        # a pair the model links: the two reports of a person from two organisations
        person = db.scalar("SELECT person_id FROM person_reports GROUP BY person_id "
                           "HAVING count(*) = 2 AND count(DISTINCT source) = 2 "
                           "ORDER BY person_id LIMIT 1")
        left, right = (tuple(row) for row in db.rows(
            "SELECT source, report_id FROM person_reports WHERE person_id = ? "
            "ORDER BY source, report_id", [person]))
        assert person_of(db, *left) == person_of(db, *right)
        # a pair in the review queue, left apart by the model
        queued = db.rows("SELECT pair_id, left_source, left_report_id, right_source, "
                         "right_report_id FROM link_review ORDER BY match_probability DESC")
        pid, *ends = next(q for q in queued
                          if person_of(db, q[1], q[2]) != person_of(db, q[3], q[4]))
        decide_reports(db, left, right, "different", actor="tester")
        decide(db, pid, "same", actor="tester")
        result = link_persons(db, model=model)
        assert result.decisions_applied == 2
        assert person_of(db, *left) != person_of(db, *right)
        assert person_of(db, ends[0], ends[1]) == person_of(db, ends[2], ends[3])
        # decided pairs leave the queue, and the decisions hold in the next link too
        assert db.scalar("SELECT count(*) FROM link_review WHERE pair_id = ?", [pid]) == 0
        link_persons(db, model=model)
        assert person_of(db, *left) != person_of(db, *right)
        assert person_of(db, ends[0], ends[1]) == person_of(db, ends[2], ends[3])
        events = db.rows("SELECT actor, action, resource FROM audit_log "
                         "WHERE resource LIKE 'link.%' ORDER BY event_id")
    assert events == [("tester", "write", "link.decision")] * 2


def test_review_queue_read_is_logged(realistic_copy: Path) -> None:
    with Database(realistic_copy) as db:
        queue = review_queue(db, limit=5, actor="reviewer")
        detail = db.rows("SELECT actor, action, resource, detail FROM audit_log "
                         "WHERE resource LIKE 'link.%'")
    assert 0 < len(queue.pairs) <= 5 and queue.total >= len(queue.pairs)
    first = queue.pairs[0]
    assert set(first["left"]) >= {"source", "report_date", "birth_year", "sex", "nationality"}
    assert "given_token" not in first["left"] and "comparison" in first
    assert detail == [("reviewer", "read", "link.review",
                       json.dumps({"limit": 5, "pairs_shown": len(queue.pairs)}, sort_keys=True))]


def test_unknown_pair_or_decision_is_a_usage_error(realistic_copy: Path) -> None:
    with Database(realistic_copy) as db:
        with pytest.raises(UsageError, match="thb review"):
            decide(db, "Rnothere", "same")
        with pytest.raises(UsageError, match="same, different"):
            decide(db, "Rnothere", "maybe")
