"""Seeded, deterministic runs; the exact baseline; `thb link` and `thb review` on the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from link_data import TEST_KEY, Linked, copy_db, predicted
from typer.testing import CliRunner

from thbmonitor.cli import app
from thbmonitor.link import link_persons, pairwise_quality
from thbmonitor.store import Database


def test_same_data_and_seed_give_identical_persons(small_set: Linked, tmp_path: Path) -> None:
    results = []
    for run in ("first", "second"):
        (tmp_path / run).mkdir()
        with Database(copy_db(small_set.db_path, tmp_path / run)) as db:
            link_persons(db, seed=7)
            model = db.scalar("SELECT model FROM link_runs")
            results.append((predicted(db).sort_values(["source", "report_id"])
                            .reset_index(drop=True), json.loads(model)))
    (first, model_a), (second, model_b) = results
    assert first.equals(second)
    assert _probabilities(model_a) == pytest.approx(_probabilities(model_b), rel=1e-6)


def _probabilities(model: dict[str, object]) -> list[float]:
    """Every trained m and u of a saved model, in order (None as -1)."""
    out = [float(model["probability_two_random_records_match"])]  # type: ignore[arg-type]
    for comparison in model["comparisons"]:  # type: ignore[attr-defined]
        for level in comparison["comparison_levels"]:
            for key in ("m_probability", "u_probability"):
                value = level.get(key)
                out.append(-1.0 if value is None else float(value))
    return out


def test_exact_baseline_is_kept_and_weaker(small_set: Linked, tmp_path: Path) -> None:
    with Database(copy_db(small_set.db_path, tmp_path)) as db:
        exact = link_persons(db, method="exact")
        base = pairwise_quality(predicted(db), small_set.truth)
        assert exact.method == "exact-keys-v1" and exact.threshold is None
        assert exact.model is None and exact.pairs_in_review == 0
        link_persons(db)
        probabilistic = pairwise_quality(predicted(db), small_set.truth)
    assert base.precision >= 0.99
    assert probabilistic.recall > base.recall + 0.2


def test_cli_link_review_decide(small_set: Linked, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    db_path = copy_db(small_set.db_path, tmp_path)
    monkeypatch.setenv("THB_KEY", TEST_KEY.hex())
    runner = CliRunner()
    linked = runner.invoke(app, ["link", "--db", str(db_path), "--json"])
    assert linked.exit_code == 0, linked.output
    summary = json.loads(linked.output)
    assert summary["reports"] > summary["persons"] > 0
    assert {"pairs_scored", "pairs_in_review", "decisions_applied", "threshold",
            "model"} <= set(summary)
    listed = runner.invoke(app, ["review", "--db", str(db_path), "--json", "--limit", "3"])
    assert listed.exit_code == 0, listed.output
    queue = json.loads(listed.output)
    assert queue["total"] == summary["pairs_in_review"] and len(queue["pairs"]) <= 3
    pair = queue["pairs"][0]["pair_id"]
    decided = runner.invoke(app, ["review", "decide", pair, "same", "--db", str(db_path)])
    assert decided.exit_code == 0 and pair in decided.output
    wrong = runner.invoke(app, ["review", "decide", pair, "maybe", "--db", str(db_path)])
    assert wrong.exit_code == 2
    human = runner.invoke(app, ["link", "--db", str(db_path)])
    assert human.exit_code == 0 and "pairs in review" in human.output
    again = runner.invoke(app, ["link", "--db", str(db_path), "--json", "--method", "exact"])
    assert json.loads(again.output)["decisions_applied"] == 1
    with Database(db_path, read_only=True) as db:
        actions = [r[0] for r in db.rows("SELECT action FROM audit_log ORDER BY event_id")]
    assert actions == ["read", "write"]


def test_empty_store_links_to_no_persons() -> None:
    with Database(":memory:") as db:
        result = link_persons(db)
        assert (result.reports, result.persons, result.pairs_scored) == (0, 0, 0)
        assert db.scalar("SELECT count(*) FROM link_runs") == 1


def test_bad_method_or_band_is_a_usage_error() -> None:
    from thbmonitor.errors import UsageError

    with Database(":memory:") as db:
        with pytest.raises(UsageError, match="splink, exact"):
            link_persons(db, method="fuzzy")
        with pytest.raises(UsageError, match="review_low"):
            link_persons(db, threshold=0.2, review_low=0.5)
