"""Covariates: heterogeneity between groups biases the pooled estimate; the stratified model
of van der Heijden et al. recovers the truth (simulated table, known population)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from thbmonitor.mse import CaptureTable, MSEstimator

TRUTH = {"adult": 5000, "minor": 3000}
# Capture probabilities on lists A, B, C: independent within a group, very different between.
PROBS = {"adult": (0.45, 0.35, 0.40), "minor": (0.12, 0.10, 0.15)}


def simulate(seed: int) -> CaptureTable:
    rng = np.random.default_rng(seed)
    rows = []
    for group, n in TRUTH.items():
        caught = rng.random((n, 3)) < np.array(PROBS[group])
        pattern = caught.astype(int) @ np.array([1, 2, 4])
        for c in range(1, 8):
            rows.append({"A": c & 1, "B": c >> 1 & 1, "C": c >> 2 & 1, "age": group,
                         "count": int((pattern == c).sum())})
    return CaptureTable.from_frame(pd.DataFrame(rows), covariates=["age"])


@pytest.fixture(scope="module")
def table() -> CaptureTable:
    return simulate(seed=20170)


def test_pooled_model_is_biased_downwards(table: CaptureTable) -> None:
    total = sum(TRUTH.values())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pooled = MSEstimator(method="main").fit(table.pooled())
    assert pooled.population_ is not None
    assert pooled.population_ < 0.9 * total
    assert pooled.ci_ is not None and pooled.ci_[1] is not None and pooled.ci_[1] < total


def test_covariate_model_recovers_the_truth_in_total_and_per_level(table: CaptureTable) -> None:
    total = sum(TRUTH.values())
    est = MSEstimator(covariates=["age"], nboot=300, seed=5).fit(table)
    assert est.population_ == pytest.approx(total, rel=0.06)
    assert est.ci_ is not None and est.ci_[0] <= total <= est.ci_[1]
    assert sorted(est.terms_) == ["A:age", "B:age", "C:age"]
    d = est.to_dict()
    assert d["method"] == "covariates" and d["covariates"] == ["age"]
    for level, n in TRUTH.items():
        cell = d["by"]["age"][level]
        assert cell["estimate"] == pytest.approx(n, rel=0.12)
        assert cell["ci"][0] <= n <= cell["ci"][1]
    assert sum(c["estimate"] for c in d["by"]["age"].values()) == pytest.approx(d["estimate"])
