"""Profile-likelihood intervals for the population size of a fixed model.

As ``Rcapture::closedpCI.t`` (Rivest & Baillargeon, Rcapture; Baillargeon &
Rivest 2007, J. Stat. Softw. 19(5)): for a candidate population ``N`` the
unseen cell gets the count ``n0 = N - n`` and the log-linear model is fitted
to the completed table (the unseen pattern has only the intercept). The
multinomial profile log-likelihood is ``ct - deviance / 2`` where ``ct`` is
Cormack's (1992) correction
``log(n0^n0 N! / (N^N n0!))``, replaced by its Stirling form
``n0 - N - log(n0 / N) / 2`` when ``N > 100`` (as Rcapture does). The
interval is the set of ``N`` whose log-likelihood is within
``chi2_1(level) / 2`` of the maximum; the maximum is sought in ``(n, 3 N_hat)``
and the upper limit up to ``3 N_hat`` (Rcapture's ``fmaxSupCL = 3``); beyond
that the upper limit is reported as missing. The lower limit is ``n`` when
the likelihood never falls that far below ``n``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq, minimize_scalar
from scipy.special import gammaln
from scipy.stats import chi2

from thbmonitor.mse.fit import fit_poisson

__all__ = ["profile_interval"]


def _cormack(n0: float, total: float) -> float:
    if total > 100:
        if n0 == 0 or n0 == 1:
            return -total + 0.5 * math.log(2 * math.pi * total)
        return n0 - total - 0.5 * math.log(n0 / total)
    n0_log = n0 * math.log(n0) if n0 > 0 else 0.0
    return n0_log + float(gammaln(total + 1)) - total * math.log(total) - float(gammaln(n0 + 1))


class _Profile:
    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        zero_row = np.zeros((1, x.shape[1]))
        zero_row[0, 0] = 1.0
        self.x = np.vstack([x, zero_row])
        self.y = np.asarray(y, dtype=float)
        self.n = float(self.y.sum())
        self.beta: np.ndarray | None = None

    def loglik(self, total: float) -> float:
        n0 = max(total - self.n, 0.0)
        yy = np.concatenate([self.y, [n0]])[None, :]
        beta0 = self.beta[None, :] if self.beta is not None else None
        fit = fit_poisson(self.x, yy, beta0=beta0, tol=1e-11)
        self.beta = fit.beta[0]
        mu = fit.mu[0]
        yv = yy[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = 2.0 * float(np.sum(np.where(yv > 0, yv * np.log(yv / mu), 0.0) - (yv - mu)))
        return _cormack(n0, total) - dev / 2.0


def profile_interval(
    x: np.ndarray, y: np.ndarray, estimate: float, level: float = 0.95
) -> tuple[float, float | None]:
    """Profile-likelihood limits for N of the model with design `x` on counts `y`.

    `x` holds the kept patterns' rows with the intercept in column 0; `estimate`
    is the Poisson estimate of N (it sets the search range).
    """
    prof = _Profile(x, y)
    n = prof.n
    upper = 3.0 * estimate
    opt = minimize_scalar(
        lambda t: -prof.loglik(t), bounds=(n, upper), method="bounded",
        options={"xatol": 1e-7 * max(1.0, estimate)},
    )
    n_max = float(opt.x)
    target = -float(opt.fun) - chi2.ppf(level, 1) / 2.0

    def gap(t: float) -> float:
        return prof.loglik(t) - target

    lo: float = n
    if gap(n) < 0:
        lo = float(brentq(gap, n, n_max, xtol=1e-9 * max(1.0, n_max), rtol=1e-13))
    hi: float | None = None
    if gap(upper) < 0:
        hi = float(brentq(gap, n_max, upper, xtol=1e-9 * max(1.0, n_max), rtol=1e-13))
    return lo, hi
