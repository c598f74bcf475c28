"""The covariate model pinned to base R's `glm(..., family = poisson)` on the same design.

The design is `KronDesign.sparse(cols)` written out as a CSV (one column per
term, one row per stratum x capture pattern, `y` the counts), and the unseen
cells' design (the stratum part of each row); R 4.2 (Debian `r-base-core`):

    d <- read.csv("cells.csv"); u <- as.matrix(read.csv("unseen.csv"))
    fit <- glm(y ~ . - 1, family = poisson, data = d)   # base + A:B + A:sex + C:age
    deviance(fit)                                       # 23.5726323634
    coef(fit)  # 5.5985180253985 -0.5245244681230 -0.7906455450444 -1.6247755198435
               # -1.6969125498121 -1.6645091456084 0.1541660118767 0.0378692052848
               # -0.6307401358115
    sum(d$y) + sum(exp(u %*% coef(fit)))                # 1034.79069767
    main <- glm(y ~ x0 + x1 + x2 + x3 + x4 + x5 - 1, family = poisson, data = d)
    deviance(main)                                      # 30.6927507952
    sum(d$y) + sum(exp(u[, 1:6] %*% coef(main)))        # 995.239209716

R is not needed to run the test: the numbers are pinned here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from thbmonitor.mse import CaptureTable, MSEstimator
from thbmonitor.mse.covariates import KronDesign, fit_covariates, fit_design, prepare_levels

COUNTS = {("f", "adult"): (60, 45, 12, 50, 10, 8, 3), ("m", "adult"): (40, 20, 6, 35, 5, 4, 1),
          ("f", "minor"): (15, 30, 6, 9, 2, 5, 1), ("m", "minor"): (12, 18, 2, 7, 1, 3, 0)}
R_COEF = [5.5985180253985, -0.5245244681230, -0.7906455450444, -1.6247755198435,
          -1.6969125498121, -1.6645091456084, 0.1541660118767, 0.0378692052848,
          -0.6307401358115]


def _table() -> CaptureTable:
    rows = [{"A": c & 1, "B": c >> 1 & 1, "C": c >> 2 & 1, "sex": sex, "age": age, "count": n}
            for (sex, age), cs in COUNTS.items() for c, n in zip(range(1, 8), cs, strict=True)]
    return CaptureTable.from_frame(pd.DataFrame(rows), covariates=["sex", "age"])


def _deviance(y: np.ndarray, mu: np.ndarray) -> float:
    ratio = np.where(y > 0, y / np.where(mu > 0, mu, 1.0), 1.0)
    return float(2 * np.sum(np.where(y > 0, y * np.log(ratio), 0.0) - (y - mu)))


def test_a_covariate_model_agrees_with_r_glm() -> None:
    table = _table()
    grid, counts, notes = prepare_levels(table, min_level=1)
    assert notes == []
    d = KronDesign(table.lists, grid, counts)
    cols = np.concatenate([d.block(n).cols for n in ["(base)", "A:B", "A:sex", "C:age"]])
    assert [d.term_names()[c] for c in cols] == [
        "(intercept)", "sex=m", "age=minor", "A", "B", "C", "A:B", "A:sex=m", "C:age=minor"]
    fit = fit_design(d, d.y, cols)
    assert fit.converged
    assert fit.beta[cols] == pytest.approx(R_COEF, rel=1e-7, abs=1e-8)
    assert _deviance(d.y, fit.mu) == pytest.approx(23.5726323634, rel=1e-8)
    # the sparse design is the one R was given: its products agree with the structured ones
    x = d.sparse(cols)
    w = fit.mu.reshape(-1)
    assert (x.T @ x.multiply(w[:, None])).toarray() == pytest.approx(d.gram(fit.mu, cols))


def test_the_main_effects_covariate_estimate_agrees_with_r_glm() -> None:
    est = MSEstimator(method="main", covariates=["sex", "age"], nboot=0).fit(_table())
    assert est.population_ == pytest.approx(995.239209716, rel=1e-8)
    fit = fit_covariates(_table(), nboot=0, criterion=None, min_level=1)
    assert fit.estimate == pytest.approx(995.239209716, rel=1e-8)
