"""Acceptance of issue 7 on about 10,000 synthetic persons: the rules find what was planted.

Numbers measured on seed 20241016, scale 1.75 (docs/patterns.md has the table).
"""

from __future__ import annotations

import pytest

from thbmonitor.patterns import pattern_quality


@pytest.fixture(scope="module")
def quality(synth_store):
    from thbmonitor.store import Database

    with Database(synth_store.db_path) as db:
        return {year: pattern_quality(db, synth_store.truth, year) for year in (2020, 2024)}


@pytest.mark.parametrize("year", [2020, 2024])
def test_carousel_precision_recall_and_touring_lookalikes(quality, year):
    q = quality[year]["carousel"]
    assert q["planted"] >= 25 and q["touring_lookalikes"] >= 15
    assert q["rule"]["precision"] >= 0.85
    assert q["rule"]["recall"] >= 0.90
    assert q["rule"]["touring_flagged"] <= 0.10


@pytest.mark.parametrize("year", [2020, 2024])
def test_the_mobility_only_baseline_is_reported_and_worse(quality, year):
    q = quality[year]["carousel"]
    assert q["mobility_only"]["recall"] >= q["rule"]["recall"]
    assert q["mobility_only"]["precision"] < q["rule"]["precision"]
    assert q["mobility_only"]["touring_flagged"] > 0.5


@pytest.mark.parametrize("year", [2020, 2024])
def test_the_90_day_window_meets_the_same_bar(quality, year):
    q = quality[year]["carousel_90d"]["rule"]
    assert q["precision"] >= 0.85 and q["recall"] >= 0.90


@pytest.mark.parametrize("year", [2020, 2024])
def test_network_pairs_and_the_largest_network(quality, year):
    q = quality[year]["networks"]
    assert q["recoverable_pairs"] >= 200
    assert q["precision"] >= 0.85
    assert q["recall"] >= 0.95
    assert quality[year]["networks_all_years"]["largest_share"] <= 0.01
