"""m of the name levels across birth salts is conditional; it must not shrink the others.

Defect (issue 16, FEBRL4 at the default threshold, measured 2026-12-01): `cross_salt_m`
sets m of "given exact, family not comparable" and "family exact, given not comparable"
to the sum of m of the levels they stand for (m given that the two reports' names carry
different salts), and `floored_m` then scaled every other name level by
(1 - raised floors) / (sum of the rest, cross-salt levels included): on FEBRL4 (0.25 of
cross-salt m) "exact full name" was 0.348 where the same-date pairs show 0.465,
-0.4 bits on every same-salt name level.
"""

from __future__ import annotations

import pytest

from thbmonitor.link.comparisons import FAMILY_ACROSS_SALTS, GIVEN_ACROSS_SALTS
from thbmonitor.link.splink_model import floored_m


def test_floors_rescale_only_the_levels_of_one_salt() -> None:
    model = {"comparisons": [{"output_column_name": "name", "comparison_levels": [
        {"label_for_charts": "name missing", "is_null_level": True},
        {"label_for_charts": "exact full name", "m_probability": 0.6},
        {"label_for_charts": GIVEN_ACROSS_SALTS, "m_probability": 0.12},
        {"label_for_charts": FAMILY_ACROSS_SALTS, "m_probability": 0.13},
        {"label_for_charts": "same family name, other given name", "m_probability": 0.399},
        {"label_for_charts": "names differ", "m_probability": 0.001}]}]}
    levels = {lv["label_for_charts"]: lv.get("m_probability")
              for lv in floored_m(model)["comparisons"][0]["comparison_levels"]}
    assert levels["names differ"] == pytest.approx(0.005)
    # the same-salt levels sum to one again; the conditional cross-salt m are kept
    assert levels["exact full name"] == pytest.approx(0.6 * 0.995 / 0.999)
    assert (levels["exact full name"] + levels["same family name, other given name"]
            + levels["names differ"]) == pytest.approx(1.0)
    assert levels[GIVEN_ACROSS_SALTS] == 0.12 and levels[FAMILY_ACROSS_SALTS] == 0.13


def test_nationality_m_is_its_recording_error_not_what_em_makes_of_it(synth_linked) -> None:
    """Defect (issue 16 item 5, 2026-12-02): with 1.5% of nationalities recorded wrongly
    in the synthetic data, EM (pairs of one date of birth) put m of "nationality differs"
    at 0.74 where the truth among true matches is 0.03, and the demo's review queue fell
    to 29.9% true matches. m now comes from the pairs that agree on the full name and the
    date of birth, the floor under it, and EM fits the rest around it."""
    import json

    from thbmonitor.store import Database

    with Database(synth_linked.db_path, read_only=True) as db:
        model = json.loads(db.scalar("SELECT model FROM link_runs ORDER BY started_at DESC "
                                     "LIMIT 1"))
        reports = db.frame("SELECT source, report_id, nationality FROM reports")
    nationality = next(c for c in model["comparisons"]
                       if c["output_column_name"] == "nationality")
    m = {lv["label_for_charts"]: lv.get("m_probability")
         for lv in nationality["comparison_levels"]}
    # the truth: pairs of reports of one person, both nationalities recorded
    known = reports[~reports["nationality"].isin(["", "unknown", "stateless"])
                    & reports["nationality"].notna()]
    pairs = known.merge(synth_linked.truth, on=["source", "report_id"])
    pairs = pairs.merge(pairs, on="true_id")
    pairs = pairs[pairs["report_id_x"] + pairs["source_x"] < pairs["report_id_y"]
                  + pairs["source_y"]]
    true_share = float((pairs["nationality_x"] != pairs["nationality_y"]).mean())
    assert 0.01 < true_share < 0.06, true_share  # the generator's 1.5% at work
    assert m["nationality differs"] >= 0.03  # the floor of comparisons.M_FLOORS
    assert m["nationality differs"] < 2 * max(true_share, 0.03), (m, true_share)
    assert m["same nationality"] == pytest.approx(1 - m["nationality differs"], abs=0.01)
