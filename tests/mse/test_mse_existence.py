"""Existence and identifiability (Chan, Silverman & Vincent 2021, Table 2: Artificial_3)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.optimize import linprog

from thbmonitor.mse import MSEstimator, NonExistentMLEWarning, SparseDataWarning, datasets
from thbmonitor.mse.existence import NOT_FINITE, NOT_IDENTIFIABLE, check_models
from thbmonitor.mse.models import all_terms, design, enumerate_models, parameters, parse_terms
from thbmonitor.mse.single import fit_model


def test_artificial_3_model_12_3_has_no_finite_mle() -> None:
    """R: MultipleSystemsEstimation::check_extended_MLE(Artificial_3, "[12,3]") gives 1."""
    t = datasets.load("Artificial_3")
    fit = fit_model(t.k, t.counts, parse_terms(["A:B"], t.lists))
    assert fit.status == NOT_FINITE
    assert fit.estimate is None


def test_artificial_3_model_12_13_23_is_not_identifiable() -> None:
    """R: check_extended_MLE(Artificial_3, "[12,13,23]") gives 2."""
    t = datasets.load("Artificial_3")
    fit = fit_model(t.k, t.counts, parse_terms(["A:B", "A:C", "B:C"], t.lists))
    assert fit.status == NOT_IDENTIFIABLE
    assert fit.estimate is None


def test_artificial_3_model_13_23_passes() -> None:
    """R: checkident(Artificial_3, mX=mX[, 2:3]) gives 0; the non-overlaps are at -Inf."""
    t = datasets.load("Artificial_3")
    fit = fit_model(t.k, t.counts, parse_terms(["A:C", "B:C"], t.lists))
    assert fit.status == 0
    assert fit.estimate is not None
    assert fit.minus_infinity(t.lists) == ["A:C", "B:C"]


def test_fixed_model_without_mle_warns_and_reports_no_number() -> None:
    with pytest.warns(NonExistentMLEWarning):
        est = MSEstimator(method="fixed", terms=["A:B"]).fit(datasets.load("Artificial_3"))
    d = est.to_dict()
    assert d["estimate"] is None and d["dark_figure"] is None and d["ci"] is None
    assert any("does not exist" in w for w in d["warnings"])
    assert issubclass(NonExistentMLEWarning, SparseDataWarning)


def test_non_overlapping_pairs_are_reported_and_warned() -> None:
    with pytest.warns(SparseDataWarning, match="never seen together"):
        est = MSEstimator(method="stepwise", nboot=0).fit(datasets.load("Ned"))
    assert est.minus_infinity_
    assert not set(est.minus_infinity_) & set(est.terms_)


def _lp_status(x: np.ndarray, counts: np.ndarray, cols: np.ndarray) -> int:
    """The Fienberg-Rinaldo LP as SparseMSE::checkident writes it (max s, X'y = t, y >= s)."""
    nstar = counts @ x
    neg = cols & (nstar <= 0)
    neg[0] = False
    keep = (neg.astype(float) @ x.T) == 0
    a = x[keep][:, cols & ~neg]
    n = a.shape[0]
    res = linprog(
        np.r_[np.zeros(n), -1.0],
        A_ub=np.hstack([-np.eye(n), np.ones((n, 1))]), b_ub=np.zeros(n),
        A_eq=np.hstack([a.T, np.zeros((a.shape[1], 1))]), b_eq=a.T @ counts[keep],
        bounds=[(0, None)] * (n + 1), method="highs",
    )
    status = int(-res.fun <= 1e-9)
    if np.linalg.matrix_rank(a) < a.shape[1]:
        status |= NOT_IDENTIFIABLE
    return status


@pytest.mark.parametrize("name", ["Artificial_3", "Korea", "Western", "Ned_5"])
def test_fast_check_agrees_with_the_plain_linear_program(name: str) -> None:
    """Every model of the BIC catalogue: our dual/SVD check equals the primal LP."""
    t = datasets.load(name)
    order = 2 if t.k <= 3 else 3
    params = [0] + [1 << i for i in range(t.k)] + all_terms(t.k, order)
    x = design(t.k, params)
    models = enumerate_models(t.k, order)[:: max(1, len(enumerate_models(t.k, order)) // 150)]
    cm = np.zeros((len(models), len(params)), dtype=bool)
    for i, m in enumerate(models):
        cm[i] = [p in m or p.bit_count() <= 1 for p in params]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        status, _, _ = check_models(x, np.repeat(t.counts[None, :], len(models), 0), cm)
    expected = [_lp_status(x, t.counts, cm[i]) for i in range(len(models))]
    assert status.tolist() == expected


def test_parameters_list_intercept_mains_then_interactions() -> None:
    assert parameters(3, parse_terms(["A:B:C"], ["A", "B", "C"])) == [0, 1, 2, 4, 3, 5, 6, 7]
