"""Bootstrap replicates, jackknife acceleration and BCa intervals.

As in the R references (``SparseMSE::estimatepopulation``,
``MultipleSystemsEstimation::estimate_population_stepwise`` and
``estimate_population_bic``; Chan, Silverman & Vincent 2021, section 3.3;
Silverman, Chan & Vincent 2024): each replicate draws the observed total
over the observed patterns from a multinomial with the observed proportions
(not independent Poisson counts), and the whole model selection is repeated
on it. The BCa acceleration comes from a delete-one jackknife in which each
observed pattern loses one person, weighted by its count. The bias
correction is ``z0 = Phi^-1(share of replicates below the estimate)`` and the
limits are type-8 sample quantiles (R's ``quantile(type = 8)``) at
``Phi(z0 + (z0 + z_a) / (1 - a (z0 + z_a)))`` (DiCiccio & Efron 1996).

Every random draw takes a `numpy.random.Generator`; nothing touches global
random state.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

__all__ = [
    "acceleration",
    "bca_interval",
    "bca_levels",
    "jackknife_counts",
    "multinomial_replicates",
]


def multinomial_replicates(counts: np.ndarray, nboot: int, rng: np.random.Generator) -> np.ndarray:
    """`nboot` multinomial resamples of `counts` with the same total, shape (nboot, cells)."""
    counts = np.asarray(counts, dtype=float)
    total = int(round(counts.sum()))
    return rng.multinomial(total, counts / counts.sum(), size=nboot).astype(float)


def jackknife_counts(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Delete-one tables: each positive pattern loses one person.

    Returns the tables (one per positive pattern) and the weights (the counts).
    """
    counts = np.asarray(counts, dtype=float)
    cells = np.flatnonzero(counts > 0)
    tables = np.repeat(counts[None, :], cells.size, axis=0)
    tables[np.arange(cells.size), cells] -= 1
    return tables, counts[cells]


def acceleration(jack: np.ndarray, weights: np.ndarray) -> float:
    """BCa acceleration from weighted jackknife estimates; NaN when undefined."""
    if not np.all(np.isfinite(jack)):
        return float("nan")
    mean = float(np.sum(weights * jack) / np.sum(weights))
    d = mean - jack
    denom = float(np.sum(weights * d**2))
    if denom <= 0:
        return float("nan")
    return float(np.sum(weights * d**3) / (6.0 * denom**1.5))


def bca_levels(
    boot: np.ndarray, estimate: float, accel: float, level: float = 0.95
) -> tuple[float, float] | None:
    """The bootstrap quantile levels BCa uses for the two limits (None when undefined).

    A level below ``1 / len(boot)`` (or above ``1 - 1 / len(boot)``) means the limit is
    an extreme order statistic of the replicates and has a large Monte-Carlo error.
    """
    boot = np.asarray(boot, dtype=float)
    boot = boot[np.isfinite(boot)]
    if boot.size < 2 or not np.isfinite(accel):
        return None
    share = float(np.mean(boot < estimate))
    if share <= 0.0 or share >= 1.0:
        return None
    z0 = norm.ppf(share)
    alpha = np.array([(1 - level) / 2, (1 + level) / 2])
    za0 = norm.ppf(alpha) + z0
    lo, hi = norm.cdf(z0 + za0 / (1 - accel * za0))
    return float(lo), float(hi)


def bca_interval(
    boot: np.ndarray, estimate: float, accel: float, level: float = 0.95
) -> tuple[float, float] | None:
    """BCa limits at (1 - level)/2 and (1 + level)/2, or None when undefined."""
    probs = bca_levels(boot, estimate, accel, level)
    if probs is None:
        return None
    boot = np.asarray(boot, dtype=float)
    lo, hi = np.quantile(boot[np.isfinite(boot)], probs, method="median_unbiased")
    return float(lo), float(hi)
