"""One model fitted to one table: estimate, coefficients and caveats.

The building block shared by every method: check the model on the table
(`existence.check_models`), set terms of lists that never overlap to minus
infinity, fit the rest, and read off the estimate ``observed + exp(intercept)``
(Chan, Silverman & Vincent 2021).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

from thbmonitor.mse.existence import EXISTS, check_models, status_message
from thbmonitor.mse.fit import fit_poisson
from thbmonitor.mse.models import Model, design, generating_class, parameters, popcount, term_name

__all__ = ["ModelFit", "fit_model"]


@dataclass
class ModelFit:
    """A model on a table; `estimate` is None when the MLE does not exist or is not identifiable."""

    k: int
    model: Model
    params: list[int]
    status: int
    keep: np.ndarray  # patterns kept
    neginf: list[int]  # terms at minus infinity
    beta: np.ndarray | None  # coefficients of params (-inf for terms at minus infinity)
    se: np.ndarray | None
    estimate: float | None
    converged: bool
    x_kept: np.ndarray  # design of the finite terms on the kept patterns (intercept first)
    y_kept: np.ndarray

    @property
    def message(self) -> str:
        return status_message(self.status)

    def terms(self, lists: tuple[str, ...]) -> list[str]:
        """Generating class of the finite part, names sorted."""
        finite = set(self.model) - set(self.neginf)
        return sorted(term_name(t, lists) for t in generating_class(finite))

    def minus_infinity(self, lists: tuple[str, ...]) -> list[str]:
        return sorted(term_name(t, lists) for t in self.neginf if popcount(t) >= 2)


def fit_model(k: int, counts: np.ndarray, model: Model) -> ModelFit:
    """Check and fit `model` (interaction terms) on the pooled `counts`."""
    params = parameters(k, model)
    x = design(k, params)
    counts = np.asarray(counts, dtype=float)
    cm = np.ones((1, len(params)), dtype=bool)
    status_arr, keep_arr, neg_arr = check_models(x, counts[None, :], cm)
    status = int(status_arr[0])
    keep = keep_arr[0]
    neg = neg_arr[0]
    finite = ~neg
    x_kept = x[keep][:, finite]
    y_kept = counts[keep]
    neginf = [params[j] for j in np.flatnonzero(neg)]
    if status != EXISTS:
        return ModelFit(
            k, model, params, status, keep, neginf, None, None, None, False, x_kept, y_kept
        )
    fit = fit_poisson(x, counts[None, :], finite[None, :], keep[None, :])
    beta = np.where(finite, fit.beta[0], -np.inf)
    mu = fit.mu[0][keep]
    info = x_kept.T @ (x_kept * mu[:, None])
    se = np.full(len(params), np.nan)
    with contextlib.suppress(np.linalg.LinAlgError):
        se[finite] = np.sqrt(np.clip(np.diag(np.linalg.inv(info)), 0.0, None))
    estimate = float(y_kept.sum() + fit.dark[0])
    return ModelFit(
        k, model, params, status, keep, neginf, beta, se, estimate, bool(fit.converged[0]),
        x_kept, y_kept,
    )
