"""Poisson log-linear fitting by Newton's method (IRLS), batched in NumPy.

One call fits many models and data sets at once: every fit shares one design
over all candidate terms (patterns x terms); a column mask says which terms a
fit uses and a row mask which patterns it keeps (patterns forced to zero by
a term at minus infinity are dropped, as in Chan, Silverman & Vincent 2021).
The normal equations of all fits are built with one batched matrix product
and solved with one batched `numpy.linalg.solve`; unused terms get a unit
diagonal so that their coefficient stays 0. The start is R's `glm.fit` start
(``mu = y + 0.1``) or a warm start from a parent model's coefficients.

With the canonical log link IRLS is Newton's method on the Poisson
log-likelihood, so near the optimum it converges quadratically; iterations
stop when no coefficient moves by more than `tol`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

__all__ = ["PoissonFit", "fit_poisson", "column_products", "single_threaded_blas", "weighted_gram"]

_ETA_MAX = 700.0


@dataclass
class PoissonFit:
    """Results of a batch of fits (first axis: the batch)."""

    beta: np.ndarray  # (B, P), 0 for terms not in the model
    mu: np.ndarray  # (B, C), 0 on dropped patterns
    loglik: np.ndarray  # (B,), Poisson log-likelihood over the kept patterns
    converged: np.ndarray  # (B,) bool
    iterations: int

    @property
    def dark(self) -> np.ndarray:
        """Expected count of the all-zero pattern: exp(intercept)."""
        return np.exp(np.minimum(self.beta[:, 0], _ETA_MAX))


def poisson_loglik(y: np.ndarray, mu: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Sum over kept cells of y log mu - mu - log y! (0 log 0 = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(np.where(mu > 0, mu, 1.0)), 0.0) - mu - gammaln(y + 1)
    return np.where(keep, term, 0.0).sum(axis=-1)


def _solve(a: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Batched solve; a singular or non-finite system gives a row of NaN."""
    ok = np.isfinite(a).all(axis=(1, 2)) & np.isfinite(r).all(axis=1)
    out = np.full(r.shape, np.nan)
    if ok.all():
        try:
            return np.linalg.solve(a, r[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            pass
    for i in np.flatnonzero(ok):
        try:
            out[i] = np.linalg.solve(a[i], r[i])
        except np.linalg.LinAlgError:
            continue
    return out


_PRODUCTS_MAX = 4_000_000


def column_products(x: np.ndarray) -> np.ndarray | None:
    """All products of pairs of design columns, (C, P*P), or None when too large."""
    nc, npar = x.shape
    if nc * npar * npar > _PRODUCTS_MAX:
        return None
    return (x[:, :, None] * x[:, None, :]).reshape(nc, npar * npar)


def weighted_gram(x: np.ndarray, xx: np.ndarray | None, w: np.ndarray) -> np.ndarray:
    """X' diag(w_b) X for every row w_b of `w`, shape (B, P, P)."""
    npar = x.shape[1]
    if xx is not None:
        return (w @ xx).reshape(-1, npar, npar)
    return np.stack([x.T @ (x * wb[:, None]) for wb in w])


def _objective(x: np.ndarray, y: np.ndarray, keep: np.ndarray, beta: np.ndarray) -> np.ndarray:
    eta = np.clip(beta @ x.T, -_ETA_MAX, _ETA_MAX)
    return np.where(keep, y * eta - np.exp(eta), 0.0).sum(axis=1)


def _halve(
    x: np.ndarray, y: np.ndarray, keep: np.ndarray, old: np.ndarray, new: np.ndarray,
    rows: np.ndarray, objective_old: np.ndarray,
) -> np.ndarray:
    """Step-halving: shorten Newton steps that lower the (concave) log-likelihood."""
    idx = np.flatnonzero(rows)
    before = objective_old[idx]
    after = _objective(x, y[idx], keep[idx], new[idx])
    for _ in range(40):
        worse = after < before - 1e-10 * (1.0 + np.abs(before))
        if not worse.any():
            break
        w = idx[worse]
        new[w] = 0.5 * (new[w] + old[w])
        after[worse] = _objective(x, y[w], keep[w], new[w])
    return new


def fit_poisson(
    x: np.ndarray,
    y: np.ndarray,
    colmask: np.ndarray | None = None,
    keep: np.ndarray | None = None,
    beta0: np.ndarray | None = None,
    tol: float = 1e-9,
    max_iter: int = 100,
) -> PoissonFit:
    """Fit log E[y] = x @ beta for every row of `y` at once.

    Parameters
    ----------
    x:
        (C, P) design shared by the batch.
    y:
        (B, C) counts.
    colmask:
        (B, P) bool: the terms of each fit (default: all).
    keep:
        (B, C) bool: the patterns of each fit (default: all).
    beta0:
        (B, P) warm start; rows with NaN in column 0 use the `glm` start.
    """
    y = np.atleast_2d(np.asarray(y, dtype=float))
    nb, nc = y.shape
    npar = x.shape[1]
    cm = np.ones((nb, npar), dtype=bool) if colmask is None else np.atleast_2d(colmask)
    kp = np.ones((nb, nc), dtype=bool) if keep is None else np.atleast_2d(keep)
    xc = np.ascontiguousarray(x)
    beta = np.zeros((nb, npar))
    eta = np.log(y + 0.1)
    cold = np.ones(nb, dtype=bool)
    if beta0 is not None:
        warm = ~np.isnan(beta0[:, 0])
        beta[warm] = np.where(cm[warm], np.nan_to_num(beta0[warm]), 0.0)
        eta[warm] = beta[warm] @ xc.T
        cold = ~warm
    active = np.arange(nb)
    converged = np.zeros(nb, dtype=bool)
    diag = np.arange(npar)
    # Products of design columns, so that all X'WX are one matrix product: w @ xx
    # (for small designs; large ones, as with covariates, use one product per fit).
    xx = column_products(xc)
    it = 0
    first = cold.copy()
    while it < max_iter:
        if active.size == 0:
            break
        it += 1
        e = np.clip(eta[active], -_ETA_MAX, _ETA_MAX)
        mu = np.exp(e) * kp[active]
        ya = y[active]
        ka = kp[active]
        # Dropped patterns have count 0 and mu 0, so they add nothing below.
        objective = (ya * e - mu).sum(axis=1)
        m = cm[active].astype(float)
        a = weighted_gram(xc, xx, mu)
        a *= m[:, :, None]
        a *= m[:, None, :]
        a[:, diag, diag] += 1.0 - m
        r = ((mu * e + ya - mu) @ xc) * m
        new = _solve(a, r)
        bad = ~np.isfinite(new).all(axis=1)
        old = beta[active]
        new[bad] = old[bad]
        warm_rows = ~first[active]
        if warm_rows.any():
            new = _halve(xc, ya, ka, old, new, warm_rows, objective)
        step = np.abs(new - beta[active]).max(axis=1)
        done = (step < tol) & ~first[active]
        beta[active] = new
        eta[active] = new @ xc.T
        first[active] = False
        converged[active[done]] = True
        active = active[~(done | bad)]
    mu_all = np.exp(np.clip(eta, -_ETA_MAX, _ETA_MAX)) * kp
    return PoissonFit(
        beta=beta, mu=mu_all, loglik=poisson_loglik(y, mu_all, kp), converged=converged,
        iterations=it,
    )


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run BLAS on one thread while fitting, if `threadpoolctl` is installed.

    The fits are many small matrix products; a multi-threaded BLAS spends more
    time synchronising than computing on them, badly so on a busy machine
    (measured: 30 ms instead of 1.3 ms per product with two threads under load).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield
