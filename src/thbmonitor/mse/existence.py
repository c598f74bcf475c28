"""Existence and identifiability of the (extended) maximum-likelihood estimate.

A Poisson log-linear model on a sparse capture table may have no finite MLE
(some parameter runs off to minus infinity) or parameters that the observed
patterns cannot identify. Chan, Silverman & Vincent (2021, JASA 116(535),
1297-1306) handle this in two steps, following Fienberg & Rinaldo (2012,
Ann. Statist. 40, 996-1023):

1. A term whose lists never appear together (its margin ``nstar`` is 0) is
   set to minus infinity: the patterns containing it have expected count 0
   and are dropped, and the term leaves the design (the "extended" MLE).
2. On the remaining patterns the MLE exists iff the margins ``t = X'n`` lie
   in the relative interior of the cone spanned by the design rows, i.e.
   there is a strictly positive ``y`` with ``X'y = t`` (the linear program of
   Fienberg & Rinaldo); it is identifiable iff ``X`` has full column rank.

The linear program is solved in its dual form, which is smaller and usually
unnecessary: with ``S`` the patterns with positive counts and ``Z`` the zero
ones, the MLE fails to exist iff some ``theta`` has ``X_S theta = 0`` and
``X_Z theta >= 0`` with ``X_Z theta != 0``. If ``X_S`` has full column rank no
such ``theta`` exists (one batched SVD decides most cases); if its null space
has dimension one the sign pattern decides; only otherwise is
`scipy.optimize.linprog` called, on the null-space coordinates. Results are
cached by support and model, since existence depends on nothing else.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.optimize import linprog

from thbmonitor.mse.fit import column_products, weighted_gram

__all__ = [
    "EXISTS",
    "NOT_FINITE",
    "NOT_IDENTIFIABLE",
    "NonExistentMLEWarning",
    "NotIdentifiableWarning",
    "SparseDataWarning",
    "check_models",
    "status_message",
]

EXISTS = 0
NOT_FINITE = 1
NOT_IDENTIFIABLE = 2

_TOL = 1e-9


class SparseDataWarning(UserWarning):
    """A statistical caveat caused by sparse capture data; the result is still returned."""


class NonExistentMLEWarning(SparseDataWarning):
    """The maximum-likelihood estimate of the model does not exist (is not finite)."""


class NotIdentifiableWarning(SparseDataWarning):
    """The model's parameters are not identifiable from the observed patterns."""


def status_message(status: int) -> str:
    """Plain words for a status code (0 fine, 1 not finite, 2 not identifiable, 3 both)."""
    parts = []
    if status & NOT_FINITE:
        parts.append("the maximum-likelihood estimate does not exist (a parameter is infinite)")
    if status & NOT_IDENTIFIABLE:
        parts.append("the parameters are not identifiable")
    return " and ".join(parts) or "the estimate exists and is identifiable"


def _gram_rank(x: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Rank of each x[rows_b][:, cols_b], from the eigenvalues of its Gram matrix.

    The design is 0/1, so the Gram matrices are integer and their non-zero
    eigenvalues are well away from 0; all of them come from one matrix product.
    """
    if rows.shape[0] == 0:
        return np.zeros(0, dtype=int)
    m = cols.astype(float)
    gram = weighted_gram(x, column_products(x), rows.astype(float)) * m[:, :, None] * m[:, None, :]
    ev = np.linalg.eigvalsh(gram)
    scale = np.maximum(ev[:, -1:], 1.0)
    return (ev > 1e-9 * scale * x.shape[1]).sum(axis=1)


@lru_cache(maxsize=200_000)
def _cone_direction(key: bytes, shape: tuple[int, int]) -> bool:
    """True when some z has M z >= 0 and M z != 0 (M given as bytes, cached)."""
    m = np.frombuffer(key, dtype=float).reshape(shape)
    d = shape[1]
    res = linprog(
        c=-m.sum(axis=0),
        A_ub=np.vstack([-m, m]),
        b_ub=np.concatenate([np.zeros(shape[0]), np.ones(shape[0])]),
        bounds=[(None, None)] * d,
        method="highs",
    )
    return bool(res.status == 0 and -res.fun > 1e-7)


def _nonexistent(xs: np.ndarray, xz: np.ndarray) -> bool:
    """Fienberg-Rinaldo in dual form: a direction flat on S, non-negative and not flat on Z."""
    if xz.shape[0] == 0:
        return False
    _, s, vt = np.linalg.svd(xs, full_matrices=True)
    rank = int((s > _TOL * max(1.0, s[0] if s.size else 1.0) * max(xs.shape)).sum())
    null = vt[rank:].T
    if null.shape[1] == 0:
        return False
    m = xz @ null
    m[np.abs(m) < 1e-10] = 0.0
    m = m[np.any(m != 0, axis=1)]
    if m.shape[0] == 0:
        return False
    if null.shape[1] == 1:
        col = m[:, 0]
        return bool((col >= 0).all() or (col <= 0).all())
    m = np.round(m, 12)
    return _cone_direction(np.ascontiguousarray(m).tobytes(), m.shape)


def check_models(
    x: np.ndarray, counts: np.ndarray, colmask: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check a batch of (data, model) pairs on the extended-MLE face.

    Parameters
    ----------
    x:
        Design over all candidate terms, shape (cells, terms); column 0 the intercept.
    counts:
        Counts, shape (batch, cells).
    colmask:
        Terms in each model, shape (batch, terms) bool.

    Returns
    -------
    status:
        Per pair: 0 fine, 1 MLE not finite, 2 not identifiable, 3 both.
    keep:
        Patterns left after dropping those of minus-infinity terms, (batch, cells).
    neginf:
        Terms of the model at minus infinity (margin 0), (batch, terms).
    """
    counts = np.atleast_2d(counts)
    colmask = np.atleast_2d(colmask)
    nstar = counts @ x
    neginf = colmask & (nstar <= 0)
    neginf[:, 0] = False
    keep = (neginf.astype(float) @ x.T) == 0
    cm = colmask & ~neginf
    support = keep & (counts > 0)
    nparam = cm.sum(axis=1)
    status = np.zeros(len(counts), dtype=int)
    slow = np.flatnonzero(_gram_rank(x, support, cm) < nparam)
    if slow.size:
        status[slow[_gram_rank(x, keep[slow], cm[slow]) < nparam[slow]]] |= NOT_IDENTIFIABLE
        for b in slow:
            cols = np.flatnonzero(cm[b])
            sub = x[:, cols]
            if _nonexistent(sub[support[b]], sub[keep[b] & ~support[b]]):
                status[b] |= NOT_FINITE
    return status, keep, neginf
