"""The stepwise rule of Chan, Silverman & Vincent (2021), batched over data sets.

Start from the main-effects model. At each stage, for every two-list term
not yet in the model compute ``nstar``, the number of people on both lists
(whatever their other lists), and ``pstar``, its expectation under the
current fit (the sum of fitted values over the patterns containing both
lists). Its p-value is the smaller Poisson tail,
``min(P(N <= nstar), P(N >= nstar))`` with ``N ~ Poisson(pstar)``. A
candidate whose model would have no finite or no identifiable extended MLE
(`existence.check_models`) gets p-value 1. The term with the smallest
p-value is added (the first in pair order on ties) if that p-value is below
the threshold (0.02); otherwise the search stops. A term whose lists never
overlap (``nstar = 0``) enters at minus infinity: its patterns are dropped.
Threshold 0 gives the main-effects model; threshold 1 the model with every
two-list term if its MLE exists, else the search.

This is the rule of R's ``SparseMSE::estimatepopulation.0`` and
``MultipleSystemsEstimation::estimate_population_stepwise`` (Chan,
Silverman & Vincent 2021, JASA 116(535); Silverman 2020, JRSS A 183(3)).
Here one call runs the rule on a whole batch of count vectors (the data, the
bootstrap replicates, the jackknife deletions) in lockstep: one batched IRLS
per stage with warm starts from the parent model, p-values for all pairs as
one matrix product, and existence checks only for the best candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import poisson

from thbmonitor.mse.existence import check_models
from thbmonitor.mse.fit import fit_poisson, single_threaded_blas
from thbmonitor.mse.models import all_terms, design

__all__ = ["StepwiseResult", "stepwise"]


@dataclass
class StepwiseResult:
    """Per data set in the batch: the estimate and the chosen model."""

    params: list[int]  # all candidate terms: intercept, mains, pairs
    estimate: np.ndarray  # (B,) observed + exp(intercept)
    dark: np.ndarray  # (B,)
    included: np.ndarray  # (B, P) bool: finite terms in the model
    neginf: np.ndarray  # (B, P) bool: terms at minus infinity
    beta: np.ndarray  # (B, P)
    keep: np.ndarray  # (B, C) patterns kept in the fit
    steps: np.ndarray  # (B,) number of terms added
    skipped: list[list[int]]  # per data set: candidate terms refused by the existence check
    converged: np.ndarray  # (B,)


def stepwise(k: int, counts: np.ndarray, pthresh: float = 0.02) -> StepwiseResult:
    """Run the stepwise rule on each row of `counts` (shape (B, 2**k - 1))."""
    with single_threaded_blas():
        return _stepwise(k, counts, pthresh)


def _stepwise(k: int, counts: np.ndarray, pthresh: float) -> StepwiseResult:
    counts = np.atleast_2d(np.asarray(counts, dtype=float))
    nb = counts.shape[0]
    pairs = all_terms(k, 2)
    params = [0] + [1 << i for i in range(k)] + pairs
    x = design(k, params)
    npar = len(params)
    first_pair = 1 + k
    nstar_all = counts @ x
    # Main effects of lists with no one on them are at minus infinity too.
    colmask = np.zeros((nb, npar), dtype=bool)
    colmask[:, :first_pair] = True
    neginf = colmask & (nstar_all <= 0)
    neginf[:, 0] = False
    colmask &= ~neginf
    keep = (neginf.astype(float) @ x.T) == 0
    beta = np.full((nb, npar), np.nan)
    steps = np.zeros(nb, dtype=int)
    skipped: list[list[int]] = [[] for _ in range(nb)]
    active = np.ones(nb, dtype=bool) if pthresh > 0 else np.zeros(nb, dtype=bool)
    if pthresh >= 1:
        # As the references: with threshold 1 take the model with every two-list term
        # when its extended MLE exists and is identifiable, else search as usual.
        full = np.ones((nb, npar), dtype=bool)
        status, full_keep, full_neg = check_models(x, counts, full)
        take = status == 0
        colmask[take] = full[take] & ~full_neg[take]
        neginf[take] = full_neg[take]
        keep[take] = full_keep[take]
        active &= ~take
    fit = fit_poisson(x, counts, colmask, keep)
    beta = fit.beta.copy()
    mu = fit.mu
    converged = fit.converged.copy()
    pair_x = x[:, first_pair:]
    nstar = nstar_all[:, first_pair:]
    for _ in range(len(pairs)):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        pstar = mu[idx] @ pair_x
        ns = nstar[idx]
        pval = np.minimum(poisson.cdf(ns, pstar), poisson.sf(ns - 1, pstar))
        inmodel = colmask[idx, first_pair:] | neginf[idx, first_pair:]
        pval = np.where(inmodel, np.inf, pval)
        order = np.argsort(pval, axis=1, kind="stable")
        pointer = np.zeros(idx.size, dtype=int)
        chosen = np.full(idx.size, -1)
        pending = np.arange(idx.size)
        while pending.size:
            cand = order[pending, pointer[pending]]
            pv = pval[pending, cand]
            ok = pv < pthresh
            pending, cand = pending[ok], cand[ok]
            if pending.size == 0:
                break
            rows = idx[pending]
            trial = colmask[rows] | neginf[rows]
            trial[np.arange(rows.size), first_pair + cand] = True
            status, _, _ = check_models(x, counts[rows], trial)
            passed = status == 0
            chosen[pending[passed]] = cand[passed]
            for r, c in zip(rows[~passed], cand[~passed], strict=True):
                skipped[r].append(params[first_pair + c])
            pending = pending[~passed]
            pointer[pending] += 1
            pending = pending[pointer[pending] < len(pairs)]
        stop = chosen < 0
        active[idx[stop]] = False
        grow = idx[~stop]
        if grow.size == 0:
            break
        col = first_pair + chosen[~stop]
        zero = nstar_all[grow, col] <= 0
        colmask[grow[~zero], col[~zero]] = True
        neginf[grow[zero], col[zero]] = True
        keep[grow[zero]] &= x[:, col[zero]].T == 0
        steps[grow] += 1
        refit = fit_poisson(x, counts[grow], colmask[grow], keep[grow], beta0=beta[grow])
        beta[grow] = refit.beta
        mu = mu.copy()
        mu[grow] = refit.mu
        converged[grow] = refit.converged
    dark = np.exp(np.minimum(beta[:, 0], 700.0))
    observed = (counts * keep).sum(axis=1)
    return StepwiseResult(
        params=params, estimate=observed + dark, dark=dark, included=colmask, neginf=neginf,
        beta=beta, keep=keep, steps=steps, skipped=skipped, converged=converged,
    )
