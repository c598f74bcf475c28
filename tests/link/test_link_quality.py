"""Quality of the default linkage on the demo data, measured against its ground truth."""

from __future__ import annotations

import json

from link_data import Linked, predicted

from thbmonitor.link import DEFAULT_THRESHOLD, pairwise_quality
from thbmonitor.store import Database


def test_demo_data_f1_at_least_0975(synth_linked: Linked) -> None:
    """Measured on the capture–recapture population of issue 18 (default seed), with the
    birth-salted name encodings of issue 11 item 3 (Dice compares two reports only under one
    birth year and month; tests/store/test_encoding_attack.py) and issue 16's model at its
    default threshold 0.8: precision 0.9856, recall 0.9593, F1 0.9723 over 1,500 true pairs
    (docs/linkage.md, session of 2026-12-01 evening). The floor was 0.975 (F1 0.9761)
    until the nationality stopped counting on top of a shared name part (F1 0.9698,
    calibration from 0.5 up 1.94 / 2.40 / 4.01 / 3.85 / 14.0 -> 1.59 / 1.09 / 4.90 / 0 /
    13.3; then 0.9723 with the romanisation-folded key): issue 16's target 0.975 is not
    reached with the calibrated model. Main's model before issue 16: 0.9768 unsalted,
    0.9668 salted. Since the generator's birth-date typos and wider Vietnamese and
    Nigerian name pools (issue 16 item 5, session of 2026-12-02): precision 0.9931,
    recall 0.9660, F1 0.9794, so the floor is issue 16's 0.975 again; with 1.5% of
    nationalities recorded wrongly and their m from the sure matches: precision 0.9986,
    recall 0.9660, F1 0.9820. Linked from 0.5 instead of 0.8 (session of 2026-12-02, third
    part: the bands below 0.8 are calibrated now) and with the full name's term frequency
    at least its parts' over all reports and 0.1 / N: precision 0.9918, recall 0.9680, F1
    0.9798 (on reports and investigations only, bench/link_eval.py); the lower threshold
    trades precision for recall, so the precision floor is 0.985."""
    with Database(synth_linked.db_path, read_only=True) as db:
        quality = pairwise_quality(predicted(db), synth_linked.truth)
    assert quality.f1 >= 0.975, quality.to_dict()
    assert quality.precision >= 0.985 and quality.recall >= 0.96, quality.to_dict()


def test_registered_totals_per_year_within_one_percent(synth_linked: Linked) -> None:
    """Persons with a report in the year, as the figures count them, against the truth."""
    with Database(synth_linked.db_path, read_only=True) as db:
        counted = dict(db.rows(
            "SELECT year(r.report_date) AS y, count(DISTINCT p.person_id) FROM reports r "
            "JOIN person_reports p USING (source, report_id) GROUP BY y"))
    truth = dict(zip(synth_linked.totals.year, synth_linked.totals.registered_total, strict=True))
    assert set(counted) == set(truth)
    for year, total in truth.items():
        assert abs(counted[year] - total) <= 0.01 * total, (year, counted[year], total)


def test_no_person_holds_two_person_refs_of_one_source(synth_linked: Linked) -> None:
    with Database(synth_linked.db_path, read_only=True) as db:
        conflicts = db.scalar(
            "SELECT count(*) FROM (SELECT p.person_id, r.source FROM reports r "
            "JOIN person_reports p USING (source, report_id) "
            "WHERE r.person_ref_token IS NOT NULL GROUP BY p.person_id, r.source "
            "HAVING count(DISTINCT r.person_ref_token) > 1)")
        refs = db.scalar("SELECT count(*) FROM reports WHERE person_ref_token IS NOT NULL")
    assert refs > 100  # the demo data use person_ref, so the check is not empty
    assert conflicts == 0


def test_run_records_the_trained_model_and_counts(synth_linked: Linked) -> None:
    result = synth_linked.result
    assert result is not None
    with Database(synth_linked.db_path, read_only=True) as db:
        method, model, quality = db.rows(
            "SELECT method, model, quality FROM link_runs WHERE run_id = ?", [result.run_id])[0]
        queued = db.scalar("SELECT count(*) FROM link_review")
    saved = json.loads(model)
    names = [c["output_column_name"] for c in saved["comparisons"]]
    assert names[:2] == ["name", "birth"]
    exact = saved["comparisons"][0]["comparison_levels"][1]
    assert exact["m_probability"] > 0.5 and exact["u_probability"] < 0.01
    assert method == result.method == "splink-5-v1"
    data = result.to_dict()
    assert data["pairs_scored"] >= data["pairs"] > 500
    assert data["pairs_in_review"] == queued == json.loads(quality)["pairs_in_review"]
    assert data["threshold"] == DEFAULT_THRESHOLD == 0.5 and data["model"]["engine"] == "splink"


def test_review_queue_holds_no_clear_values(synth_linked: Linked) -> None:
    with Database(synth_linked.db_path, read_only=True) as db:
        comparisons = [json.loads(c) for (c,) in db.rows("SELECT comparison FROM link_review")]
    assert comparisons
    for comparison in comparisons:
        assert set(comparison) >= {"name", "birth", "source"}
        assert all(set(v) == {"level", "weight"} for v in comparison.values())
