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
