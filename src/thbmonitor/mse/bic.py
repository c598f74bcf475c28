"""Model choice by BIC over all admissible hierarchical models.

As ``MultipleSystemsEstimation::estimate_population_bic`` (Silverman, Chan &
Vincent 2024, Statistics and Computing 34, 44): every hierarchical model
with interactions up to `max_order` is checked for existence and
identifiability of its extended MLE (`existence.check_models`); the valid
ones are fitted and ranked by

    BIC = (number of terms, including the intercept and terms at minus
           infinity) * log(number of people observed) - 2 * Poisson log-likelihood.

The model with the smallest BIC gives the estimate. For the interval each
bootstrap replicate (and each jackknife deletion) refits only the
`ntop` best models on the original data and takes the estimate of the one
with the smallest BIC among those valid on the replicate.

Defaults as the reference: `max_order` 1 for two lists, 2 for three, 3 for
four or five, 2 for six; `ntop` all models for two or three lists, 20 for
four, 100 for five or six. More than six lists is refused, as in R (the
number of models explodes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from thbmonitor.errors import UsageError
from thbmonitor.mse.existence import check_models
from thbmonitor.mse.fit import fit_poisson, single_threaded_blas
from thbmonitor.mse.models import Model, all_terms, design, enumerate_models, parameters

__all__ = ["BicRanking", "bic_refit", "bic_search", "default_max_order", "default_ntop"]

_CHUNK = 1024


def default_max_order(k: int) -> int:
    """The reference's default maximum interaction order for `k` lists."""
    if k > 6:
        raise UsageError(
            f"the BIC search covers at most six lists ({k} given): merge sparse lists or use "
            "--method stepwise"
        )
    return {2: 1, 3: 2, 4: 3, 5: 3, 6: 2}[k]


def default_ntop(k: int) -> int | None:
    """The reference's default number of top models kept for the bootstrap (None: all)."""
    return {2: None, 3: None, 4: 20, 5: 100, 6: 100}.get(k, 100)


@dataclass
class BicRanking:
    """Valid models on the data, best (smallest BIC) first."""

    models: list[Model]
    estimates: np.ndarray
    bic: np.ndarray
    neginf: list[list[int]]  # terms at minus infinity, per model
    enumerated: int  # models in the catalogue
    max_order: int


def _score(
    k: int, counts: np.ndarray, models: Sequence[Model], max_order: int
) -> tuple[np.ndarray, np.ndarray, list[list[int]]]:
    """Estimate and BIC of every model on one table (NaN where not valid)."""
    params = [0] + [1 << i for i in range(k)] + all_terms(k, max_order)
    pos = {p: j for j, p in enumerate(params)}
    x = design(k, params)
    total = float(counts.sum())
    est = np.full(len(models), np.nan)
    bic = np.full(len(models), np.nan)
    neginf_terms: list[list[int]] = [[] for _ in models]
    for start in range(0, len(models), _CHUNK):
        chunk = models[start:start + _CHUNK]
        cm = np.zeros((len(chunk), len(params)), dtype=bool)
        cm[:, : 1 + k] = True
        for i, m in enumerate(chunk):
            cm[i, [pos[t] for t in m]] = True
        y = np.repeat(counts[None, :], len(chunk), axis=0)
        status, keep, neginf = check_models(x, y, cm)
        ok = np.flatnonzero(status == 0)
        if ok.size == 0:
            continue
        fit = fit_poisson(x, y[ok], cm[ok] & ~neginf[ok], keep[ok])
        npar = cm[ok].sum(axis=1).astype(float)
        good = fit.converged
        est[start + ok[good]] = (y[ok] * keep[ok]).sum(axis=1)[good] + fit.dark[good]
        bic[start + ok[good]] = (npar * np.log(total) - 2.0 * fit.loglik)[good]
        for i in ok.tolist():
            neginf_terms[start + i] = [params[j] for j in np.flatnonzero(neginf[i]).tolist()]
    return est, bic, neginf_terms


def bic_search(k: int, counts: np.ndarray, max_order: int | None = None) -> BicRanking:
    """Fit every admissible model up to `max_order` and rank the valid ones by BIC."""
    order = default_max_order(k) if max_order is None else max_order
    if k == 6 and order > 2:
        raise UsageError("for six lists the BIC search allows interactions of order 2 at most")
    if k > 6:
        default_max_order(k)
    models = enumerate_models(k, order)
    counts = np.asarray(counts, dtype=float)
    with single_threaded_blas():
        est, bic, neginf = _score(k, counts, models, order)
    valid = np.flatnonzero(np.isfinite(bic))
    rank = valid[np.argsort(bic[valid], kind="stable")]
    return BicRanking(
        models=[models[i] for i in rank], estimates=est[rank], bic=bic[rank],
        neginf=[neginf[i] for i in rank], enumerated=len(models), max_order=order,
    )


def bic_refit(
    k: int, tables: np.ndarray, models: Sequence[Model], origin: np.ndarray | None = None
) -> np.ndarray:
    """For each row of `tables`, the estimate of the valid model with the smallest BIC.

    NaN for a table on which none of `models` is valid. With `origin` (the original
    counts) each model's fit on it is the warm start of the fits to the tables.
    """
    with single_threaded_blas():
        return _refit(k, np.atleast_2d(np.asarray(tables, dtype=float)), models, origin)


def _refit(
    k: int, tables: np.ndarray, models: Sequence[Model], origin: np.ndarray | None
) -> np.ndarray:
    nb = tables.shape[0]
    best_bic = np.full(nb, np.inf)
    best_est = np.full(nb, np.nan)
    logn = np.log(tables.sum(axis=1))
    for model in models:
        params = parameters(k, model)
        x = design(k, params)
        cm = np.ones((nb, len(params)), dtype=bool)
        status, keep, neginf = check_models(x, tables, cm)
        ok = np.flatnonzero(status == 0)
        if ok.size == 0:
            continue
        start = None
        if origin is not None:
            base = fit_poisson(x, np.asarray(origin, dtype=float)[None, :], cm[:1] & ~neginf[:1])
            if base.converged[0]:
                start = np.repeat(base.beta, ok.size, axis=0)
        fit = fit_poisson(x, tables[ok], cm[ok] & ~neginf[ok], keep[ok], beta0=start)
        bic = len(params) * logn[ok] - 2.0 * fit.loglik
        est = (tables[ok] * keep[ok]).sum(axis=1) + fit.dark
        better = fit.converged & (bic < best_bic[ok])
        best_bic[ok[better]] = bic[better]
        best_est[ok[better]] = est[better]
    return best_est
