"""Log-linear models with categorical covariates (van der Heijden et al.), sparse and fast.

Capture probabilities that differ between groups (age, sex, form of
exploitation, Dutch or not, year) make lists look dependent when the groups
are pooled, and a pooled model then misses people. The model of the Dutch
estimates (van der Heijden, Whittaker, Cruyff, Bakker & van der Vliet 2012,
J. R. Stat. Soc. C 61(1); van Dijk, Cruyff, van der Heijden &
Kragten-Heerdink 2017, UNODC research brief), for stratum ``s`` (a
combination of covariate levels) and capture pattern ``c``::

    log mu[s, c] = alpha + sum_v a_v[s_v]                (covariate main effects)
                   + sum_i beta_i c_i                     (list main effects)
                   + sum_(i,j) gamma_ij c_i c_j           (two-list terms, searched)
                   + sum_(i,v) delta_(i,v)[s_v] c_i       (list x covariate, searched)

The base has covariate *main effects* instead of one intercept per fully
crossed stratum: with four covariates and six years most crossed strata hold
a handful of people, and an empty stratum's intercept runs to minus infinity.
The unseen of stratum ``s`` are ``exp(alpha + sum_v a_v[s_v])`` over the full
grid of levels (a group no list saw in one year still has unseen members).

Levels (`prepare_levels`): `unknown` is imputed as the most frequent level
unless it holds at least `UNKNOWN_OWN_LEVEL` of the people (then it is a
level of its own); a level with fewer than `min_level` people is merged into
the most frequent level; every merge is reported. Years are never merged.

Fitting (`KronDesign`, `fit_design`): Newton's method (IRLS) on the
Kronecker-structured sparse design (see `KronDesign`), so that ``X'WX``
costs in proportion to strata x patterns; a term whose margin is zero is
screened before the fit and set at minus infinity (its cells are structural
zeros: the extended MLE of Chan, Silverman & Vincent 2021); columns the kept
cells cannot tell apart are left out (R's aliased coefficients);
convergence is R's ``glm.fit`` rule on the deviance; the
linear-programming existence check (`existence.check_models`) runs only when
the chosen fit diverges (a coefficient beyond 25 in absolute value).

Selection: forward search over the two-list and list x covariate blocks by an
information criterion (BIC by default, or AIC). Candidates are ranked by
their score statistic at the current fit (Rao's test: one sparse product for
all candidates instead of one refit each), and the best is refitted and kept
when the exact criterion improves. Interval: a nonparametric bootstrap (the
observed people resampled, a multinomial over the observed cells) that
repeats the whole selection in every replicate, percentile limits; a
replicate whose base model does not converge is counted as failed, and when
more than `MAX_FAILED_SHARE` fail no interval is given.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.sparse as sp
from scipy.special import gammaln

from thbmonitor.mse.table import CaptureTable

__all__ = [
    "CovariateFit", "Criterion", "KronDesign", "MAX_FAILED_SHARE", "MIN_LEVEL", "SparseDesign",
    "UNKNOWN_OWN_LEVEL", "fit_covariates", "prepare_levels",
]

Criterion = Literal["bic", "aic"]
#: A level with fewer people than this is merged into the most frequent level.
MIN_LEVEL = 30
#: `unknown` is a level of its own from this share of the people on; below, it is imputed.
UNKNOWN_OWN_LEVEL = 0.10
#: Above this share of failed bootstrap replicates no interval is given.
MAX_FAILED_SHARE = 0.05
_ETA_MAX = 50.0
_DIVERGED = 25.0  # |coefficient| beyond which a fit is taken to diverge


@dataclass
class CovariateFit:
    """The chosen model and its estimates."""

    terms: list[str]
    estimate: float | None
    ci: tuple[float, float] | None
    per_stratum: pd.DataFrame  # covariates, observed, estimate
    bootstrap: np.ndarray | None
    per_level_ci: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    minus_infinity: list[str] = field(default_factory=list)
    criterion: str = "bic"
    merged_levels: list[str] = field(default_factory=list)
    failed: int = 0
    nboot: int = 0
    base: str = "covariate main effects"

    @property
    def failed_share(self) -> float:
        return self.failed / self.nboot if self.nboot else 0.0

    def by_level(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Observed and estimated totals per level of each covariate."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        covs = [c for c in self.per_stratum.columns if c not in ("observed", "estimate")]
        for cov in covs:
            grouped = self.per_stratum.groupby(cov, sort=True)[["observed", "estimate"]].sum()
            out[cov] = {}
            for level, row in grouped.iterrows():
                ci = self.per_level_ci.get(cov, {}).get(str(level))
                out[cov][str(level)] = {
                    "observed": int(round(row["observed"])),
                    "estimate": float(row["estimate"]),
                    "ci": None if ci is None else [float(ci[0]), float(ci[1])],
                }
        return out


# -- levels ------------------------------------------------------------------------------

def prepare_levels(
    table: CaptureTable, min_level: int = MIN_LEVEL, keep: tuple[str, ...] = ("year",),
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Strata and counts after the documented level rules; and what was merged.

    Returns the grid of strata (every combination of the remaining levels),
    its counts (grid rows x patterns) and one note per merge.
    """
    assert table.strata is not None and table.strata_counts is not None
    strata = table.strata.astype(str).copy()
    per = table.strata_counts.sum(axis=1)
    total = max(per.sum(), 1.0)
    notes: list[str] = []
    for cov in strata.columns:
        sizes = pd.Series(per).groupby(strata[cov].to_numpy()).sum().sort_values(
            ascending=False, kind="stable")
        if cov in keep or len(sizes) == 1:
            continue
        known = sizes.drop("unknown", errors="ignore")
        modal = str(known.index[0]) if len(known) else str(sizes.index[0])
        mapping: dict[str, str] = {}
        for level, size in sizes.items():
            level = str(level)
            if level == modal:
                continue
            if level == "unknown" and size < UNKNOWN_OWN_LEVEL * total:
                mapping[level] = modal
                notes.append(f"{cov}: unknown ({int(size)}) imputed as {modal}, the most "
                             f"frequent level (under {UNKNOWN_OWN_LEVEL:.0%} unknown)")
            elif level != "unknown" and size < min_level:
                mapping[level] = modal
                notes.append(f"{cov}: {level} ({int(size)}, fewer than {min_level}) merged "
                             f"into {modal}")
        if mapping:
            strata[cov] = strata[cov].replace(mapping)
    levels = {c: sorted(strata[c].unique(), key=_level_key) for c in strata.columns}
    grid = pd.MultiIndex.from_product([levels[c] for c in strata.columns],
                                      names=list(strata.columns)).to_frame(index=False)
    index = pd.MultiIndex.from_frame(grid).get_indexer(pd.MultiIndex.from_frame(strata))
    counts = np.zeros((len(grid), table.strata_counts.shape[1]))
    np.add.at(counts, index, table.strata_counts)
    return grid, counts, notes


def _level_key(level: str) -> tuple[int, str]:
    return (1 if level == "unknown" else 0, level)


# -- design ------------------------------------------------------------------------------

@dataclass
class _Block:
    name: str
    kind: str  # "base", "covcov" (covariate x covariate), "pair", "listcov"
    cols: np.ndarray


class KronDesign:
    """The design over (stratum, pattern) cells, never formed densely.

    Every column is the product of a *stratum feature* (the intercept or a
    covariate-level dummy: ``Z``, strata x features) and a *pattern feature*
    (all ones, a list, or a pair of lists: ``B``, patterns x features), so
    ``X = [Z[:, a] (x) B[:, b]]`` is a Kronecker-structured sparse matrix.
    Its products are computed from the structure: ``X beta`` is
    ``Z M B'``, ``X'r`` is ``Z' R B``, and the block of ``X'WX`` between the
    columns with pattern features ``b`` and ``b'`` is ``Z_b' diag(Q[:, b, b'])
    Z_b'`` with ``Q = W (B (*) B)`` (row-wise products of pattern features):
    dense products of size strata x patterns, not cells x columns squared.
    Measured on the six-list, four-covariate, six-year design (22,680 cells,
    113 columns, 770,000 non-zeros): 0.2 s per ``X'WX`` with `scipy.sparse`
    products on the shared machine, about 5 ms this way. `sparse()` gives the
    `scipy.sparse` matrix itself (for the existence check and for comparisons
    with R and statsmodels).
    """

    def __init__(self, lists: tuple[str, ...], grid: pd.DataFrame, counts: np.ndarray) -> None:
        k = len(lists)
        ns, nc = len(grid), 2**k - 1
        self.k, self.nstrata, self.ncell, self.lists = k, ns, nc, lists
        self.grid = grid
        pats = np.arange(1, nc + 1)
        bits = ((pats[:, None] >> np.arange(k)) & 1).astype(float)
        pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
        self.b = np.column_stack([np.ones(nc), bits,
                                  *[bits[:, i] * bits[:, j] for i, j in pairs]])
        zcols: list[np.ndarray] = [np.ones(ns)]
        zcov: list[str] = [""]
        self.z_names: list[str] = ["(intercept)"]
        for cov in grid.columns:
            levels = sorted(grid[cov].unique(), key=_level_key)
            for level in levels[1:]:
                zcols.append((grid[cov].to_numpy() == level).astype(float))
                zcov.append(cov)
                self.z_names.append(f"{cov}={level}")
        nmain = len(zcols)
        covs = list(grid.columns)
        inter: list[tuple[str, list[int]]] = []
        for i, v in enumerate(covs):
            for w in covs[i + 1:]:
                idx = []
                for a in range(1, nmain):
                    for b2 in range(1, nmain):
                        if zcov[a] == v and zcov[b2] == w:
                            idx.append(len(zcols))
                            zcols.append(zcols[a] * zcols[b2])
                            zcov.append(f"{v}:{w}")
                            self.z_names.append(f"{self.z_names[a]}:{self.z_names[b2]}")
                if idx:
                    inter.append((f"{v}:{w}", idx))
        self.z = np.column_stack(zcols)
        nb = self.b.shape[1]
        col_a: list[int] = list(range(nmain)) + [0] * k
        col_b: list[int] = [0] * nmain + list(range(1, k + 1))
        self.blocks = [_Block("(base)", "base", np.arange(nmain + k))]
        for name, idx in inter:
            start = len(col_a)
            col_a += idx
            col_b += [0] * len(idx)
            self.blocks.append(_Block(name, "covcov", np.arange(start, start + len(idx))))
        for m, (i, j) in enumerate(pairs):
            self.blocks.append(_Block(f"{lists[i]}:{lists[j]}", "pair", np.array([len(col_a)])))
            col_a.append(0)
            col_b.append(1 + k + m)
        for i in range(k):
            for cov in grid.columns:
                idx = [a for a in range(nmain) if zcov[a] == cov]
                if not idx:
                    continue
                start = len(col_a)
                col_a += idx
                col_b += [1 + i] * len(idx)
                self.blocks.append(_Block(f"{lists[i]}:{cov}", "listcov",
                                          np.arange(start, start + len(idx))))
        self.col_a, self.col_b = np.array(col_a), np.array(col_b)
        self.ncol = len(col_a)
        self.y = np.asarray(counts, dtype=float).reshape(ns, nc)
        self._bb = (self.b[:, :, None] * self.b[:, None, :]).reshape(nc, nb * nb)
        self._by_name = {blk.name: blk for blk in self.blocks}

    def block(self, name: str) -> _Block:
        return self._by_name[name]

    def eta(self, beta: np.ndarray, cols: np.ndarray) -> np.ndarray:
        m = np.zeros((self.z.shape[1], self.b.shape[1]))
        np.add.at(m, (self.col_a[cols], self.col_b[cols]), beta)
        return np.asarray(self.z @ m @ self.b.T)

    def xt(self, r: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """X' r for a (strata x patterns) array r."""
        return np.asarray((self.z.T @ r @ self.b)[self.col_a[cols], self.col_b[cols]])

    def gram(self, w: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """X' diag(w) X on `cols`, w a (strata x patterns) array.

        ``Q[s, b, b'] = sum_c w[s, c] B[c, b] B[c, b']`` is one matrix product;
        then the block of the columns with pattern features ``b`` and ``b'``
        is ``Z_b' diag(Q[:, b, b']) Z_b'``.
        """
        nb = self.b.shape[1]
        b = self.col_b[cols]
        order = np.argsort(b, kind="stable")
        bs = b[order]
        zc = self.z[:, self.col_a[cols][order]]
        bounds = np.flatnonzero(np.r_[True, bs[1:] != bs[:-1], True])
        groups = [(int(bs[lo]), slice(lo, hi)) for lo, hi in zip(bounds[:-1], bounds[1:],
                                                                 strict=True)]
        feats = np.array([bg for bg, _ in groups])
        group_of = np.repeat(np.arange(feats.size), [sl.stop - sl.start for _, sl in groups])
        # Q only for the pattern-feature pairs the columns use (a bootstrap model uses
        # about 10 of the 22 features: 100 of the 484 pairs; the full product took 60% of
        # the time), then one product per feature group: the rows of the columns with
        # feature b are ``Z_b' (Z * Q[:, b, b(j)])`` (55 small products before; profiled
        # on the demo's six-year design, 360 strata x 63 patterns, a 65-column model).
        q = (w @ self._bb[:, (feats[:, None] * nb + feats[None, :]).ravel()]
             ).reshape(-1, feats.size, feats.size)
        g = np.empty((cols.size, cols.size))
        for n1, (_, s1) in enumerate(groups):
            g[s1, :] = zc[:, s1].T @ (zc * q[:, n1, group_of])
        g = np.triu(g) + np.triu(g, 1).T  # exactly symmetric: the upper triangle mirrored
        inv = np.empty_like(order)
        inv[order] = np.arange(order.size)
        return np.asarray(g[np.ix_(inv, inv)])

    def cells(self, col: int) -> np.ndarray:
        """The (strata x patterns) cells of a column."""
        return np.outer(self.z[:, self.col_a[col]] > 0, self.b[:, self.col_b[col]] > 0)

    def sparse(self, cols: np.ndarray | None = None) -> sp.csr_matrix:
        """The design itself as a `scipy.sparse` matrix (cells in stratum-major order)."""
        cols = np.arange(self.ncol) if cols is None else cols
        parts = [sp.kron(sp.csr_matrix(self.z[:, [self.col_a[c]]]),
                         sp.csr_matrix(self.b[:, [self.col_b[c]]])) for c in cols]
        return sp.hstack(parts, format="csr")

    def term_names(self) -> list[str]:
        out = []
        for c in range(self.ncol):
            a, b = self.z_names[self.col_a[c]], int(self.col_b[c])
            if b == 0:
                out.append(a)
                continue
            pattern = ("" if b <= self.k else "") + self._pattern_name(b)
            out.append(pattern if a == "(intercept)" else f"{pattern}:{a}")
        return out

    def _pattern_name(self, b: int) -> str:
        k = self.k
        if b <= k:
            return self.lists[b - 1]
        pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
        i, j = pairs[b - 1 - k]
        return f"{self.lists[i]}:{self.lists[j]}"


#: The name used in earlier versions.
SparseDesign = KronDesign


@dataclass
class _Fit:
    beta: np.ndarray  # (ncol,), 0 off the model, -inf at minus infinity
    mu: np.ndarray  # (strata, patterns), 0 on dropped cells
    y: np.ndarray  # (strata, patterns), the table fitted
    converged: bool
    params: int  # incl. minus-infinity columns
    minus_infinity: list[int]
    keep: np.ndarray  # (strata, patterns)
    cols: np.ndarray
    aliased: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))

    @functools.cached_property
    def loglik(self) -> float:
        """The Poisson log-likelihood over the kept cells (only the search needs it)."""
        return _loglik(self.y, self.mu, self.keep)

    @property
    def diverged(self) -> bool:
        """Some coefficient ran off (|beta| > 25): the MLE may not exist."""
        b = self.beta[self.live]
        return bool(b.size and np.max(np.abs(b)) > _DIVERGED)

    @property
    def live(self) -> np.ndarray:
        """The estimated columns: neither at minus infinity nor aliased."""
        return np.setdiff1d(self.cols, np.concatenate([np.asarray(self.minus_infinity,
                                                                  dtype=int), self.aliased]))


def _loglik(y: np.ndarray, mu: np.ndarray, keep: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(y > 0, y * np.log(np.where(mu > 0, mu, 1.0)), 0.0) - mu - gammaln(y + 1)
    return float(np.where(keep, t, 0.0).sum())


def fit_design(
    d: KronDesign, y: np.ndarray, cols: np.ndarray, beta0: np.ndarray | None = None,
    tol: float = 1e-8, max_iter: int = 60, zero: np.ndarray | None = None,
) -> _Fit:
    """IRLS on the columns `cols`; zero margins screened first (extended MLE).

    A column whose observed margin is 0 is set at minus infinity and its
    cells dropped (structural zeros). A fit whose coefficients diverge is
    checked by linear programming (`existence.check_models`) and reported
    as not converged when the MLE does not exist.
    """
    cols = np.unique(cols)
    y = y.reshape(d.nstrata, d.ncell)
    margins = d.xt(y, cols)
    neg = cols[(margins <= 0) & (cols != 0)]
    # `zero`: cells known to be 0 in the extended MLE (a bootstrap refit of a model
    # whose original fit sent them to 0 need not find that out again)
    keep = np.ones_like(y, dtype=bool) if zero is None else ~zero
    for c in neg:
        keep &= ~d.cells(int(c))
    use = np.setdiff1d(cols, neg)
    kf = keep.astype(float)
    use, aliased = _drop_aliased(d, use, kf)
    if beta0 is not None and np.isfinite(beta0[use]).all():
        b = beta0[use].copy()
        eta = d.eta(b, use)
    else:
        b = np.zeros(use.size)
        eta = np.log(y + 0.1)
    eta = np.clip(eta, -_ETA_MAX, _ETA_MAX)
    mu = np.exp(eta) * kf
    converged = False
    dev_old = np.inf
    for _ in range(max_iter):
        a = d.gram(mu, use)
        r = d.xt(mu * eta + (y - mu) * kf, use)
        try:
            b_new = scipy.linalg.solve(a, r, assume_a="pos", check_finite=True)
        except (np.linalg.LinAlgError, ValueError):
            # A coefficient running to minus infinity empties its column's weights:
            # a tiny ridge keeps the step defined (the deviance still converges).
            ridge = 1e-10 * max(float(np.max(np.abs(np.diag(a)))), 1e-300)
            try:
                b_new = scipy.linalg.solve(a + ridge * np.eye(a.shape[0]), r,
                                           assume_a="sym", check_finite=True)
            except (np.linalg.LinAlgError, ValueError):
                break
        b = b_new
        eta = np.clip(d.eta(b, use), -_ETA_MAX, _ETA_MAX)
        mu = np.exp(eta) * kf
        # R's glm.fit rule: relative change of the deviance below `tol`
        dev = float(2 * np.sum(kf * (mu - y * eta)))
        if abs(dev - dev_old) < tol * (abs(dev) + 0.1):
            converged = bool(np.isfinite(b).all())
            break
        dev_old = dev
    beta = np.zeros(d.ncol)
    beta[use] = b
    beta[neg] = -np.inf
    return _Fit(beta, mu, y, converged, int(cols.size - aliased.size),
                [int(c) for c in neg], keep, cols, aliased)


def _drop_aliased(d: KronDesign, use: np.ndarray, kf: np.ndarray) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """Leave out columns that the kept cells cannot tell apart (R's NA coefficients).

    Rank by a pivoted QR of the scaled unweighted Gram matrix of the kept cells.
    """
    g = d.gram(kf, use)
    diag = np.sqrt(np.maximum(np.diag(g), 1e-300))
    gs = g / diag[:, None] / diag[None, :]
    _, r, piv = scipy.linalg.qr(gs, pivoting=True, mode="economic")
    dr = np.abs(np.diag(r))
    rank = int(np.sum(dr > 1e-9 * dr[0])) if dr.size else 0
    if rank == use.size:
        return use, np.zeros(0, dtype=int)
    keep_idx = np.sort(piv[:rank])
    return use[keep_idx], use[np.sort(piv[rank:])]


def _mle_missing(d: KronDesign, y: np.ndarray, cols: np.ndarray, keep: np.ndarray) -> bool:
    """The linear-programming check (Fienberg & Rinaldo), only for a fit that diverged."""
    from thbmonitor.mse.existence import check_models

    x = d.sparse(cols).toarray()[keep.reshape(-1)]
    status, _, _ = check_models(x, y.reshape(-1)[keep.reshape(-1)][None, :],
                                np.ones((1, x.shape[1]), dtype=bool))
    return bool(status[0] != 0)


def _penalty(n: float, criterion: Criterion) -> float:
    return float(np.log(max(n, 2.0))) if criterion == "bic" else 2.0


def _gains(info: np.ndarray, grad: np.ndarray, in_model: np.ndarray,
           cands: list[np.ndarray], chol: tuple[np.ndarray, bool] | None = None) -> np.ndarray:
    """Increase of a quadratic log-likelihood when each candidate block is freed.

    `info` is the information over all columns, `grad` the gradient at the
    current constrained optimum (zero on the model's columns), `in_model`
    the model's column indices; candidates are index arrays into `info`.
    Exact for a quadratic; at a fit it is Rao's score statistic / 2. Blocks
    of the same size are solved as one batch. `chol`: the factor of `_ridged_factor`
    for `in_model` when the caller has it.
    """
    a = in_model
    if not cands:
        return np.zeros(0)
    allc = np.concatenate(cands)
    cross = info[np.ix_(a, allc)]
    if chol is None:
        chol = _ridged_factor(info, a)
    if chol is None:
        return np.zeros(len(cands))
    m = scipy.linalg.cho_solve(chol, cross)
    v_all = info[np.ix_(allc, allc)] - cross.T @ m
    g_all = grad[allc]
    offsets = np.cumsum([0] + [c.size for c in cands])
    out = np.zeros(len(cands))
    sizes = np.array([c.size for c in cands])
    for size in np.unique(sizes):
        which = np.flatnonzero(sizes == size)
        idx = offsets[which][:, None] + np.arange(size)[None, :]  # (nb, size)
        v = v_all[idx[:, :, None], idx[:, None, :]]
        g = g_all[idx]
        scale = np.maximum(np.einsum("bii->b", v) / size, 1e-300)
        v = v + (1e-9 * scale)[:, None, None] * np.eye(size)[None]
        ok = scale > 1e-10
        if not ok.any():
            continue
        x = np.linalg.solve(v[ok], g[ok][:, :, None])[:, :, 0]
        out[which[ok]] = 0.5 * np.einsum("bi,bi->b", g[ok], x)
    return np.maximum(out, 0.0)


def _ridged_factor(info: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, bool] | None:
    """Cholesky factor of ``info[a, a]`` plus a tiny ridge (None when it fails).

    A coefficient at (or running to) minus infinity leaves its column without weight:
    the ridge keeps the projection defined instead of ending the search.
    """
    i_aa = info[np.ix_(a, a)]
    i_aa = i_aa + 1e-9 * max(float(np.max(np.diag(i_aa))), 1e-300) * np.eye(a.size)
    try:
        return scipy.linalg.cho_factor(i_aa)
    except (np.linalg.LinAlgError, ValueError):
        return None


@dataclass
class _Selection:
    blocks: list[str]
    fit: _Fit | None


def select(
    d: KronDesign, y: np.ndarray, criterion: Criterion | None, beta0: np.ndarray | None = None,
    forced: tuple[str, ...] = (), max_steps: int = 60, tries: int = 3,
) -> _Selection:
    """Forward search by `criterion` from the base (None: the base and `forced` only).

    Each step ranks the candidate blocks by their score statistic at the
    current fit (one ``X'WX`` over all columns), refits the best exactly and
    keeps it when the exact criterion improves (trying up to `tries`).
    """
    chosen = [d.blocks[0].name, *forced]
    cols = np.concatenate([d.block(n).cols for n in chosen])
    fit = fit_design(d, y, cols, beta0)
    if not fit.converged:
        return _Selection(chosen, None)
    if criterion is None:
        return _Selection(chosen, fit)
    yy = y.reshape(d.nstrata, d.ncell)
    n = float(yy.sum())
    pen = _penalty(n, criterion)
    ic = fit.params * pen - 2 * fit.loglik
    allcols = np.arange(d.ncol)
    for _ in range(max_steps):
        cands = [b for b in d.blocks[1:] if b.name not in chosen]
        if not cands:
            break
        live = fit.live
        info = d.gram(fit.mu, allcols)
        grad = d.xt((yy - fit.mu) * fit.keep, allcols)
        gains = _gains(info, grad, live, [b.cols for b in cands])
        approx = pen * np.array([b.cols.size for b in cands]) - 2 * gains
        improved = False
        for i in np.argsort(approx, kind="stable")[:tries]:
            if approx[i] >= 0:
                break
            trial_cols = np.concatenate([fit.cols, cands[i].cols])
            start = np.where(np.isfinite(fit.beta), fit.beta, 0.0)
            trial = fit_design(d, y, trial_cols, start)
            if not trial.converged:
                continue
            t_ic = trial.params * pen - 2 * trial.loglik
            if t_ic < ic - 1e-9:
                chosen.append(cands[i].name)
                fit, ic = trial, t_ic
                improved = True
                break
        if not improved:
            break
    return _Selection(chosen, fit)


def _unseen(d: KronDesign, fit: _Fit) -> np.ndarray:
    """Expected unseen per stratum: exp of the stratum's base linear predictor."""
    base = [c for c in fit.cols if d.col_b[c] == 0 and c not in fit.minus_infinity]
    beta = fit.beta[base]
    eta = d.z[:, d.col_a[base]] @ beta
    dead = np.zeros(d.nstrata, dtype=bool)
    for c in fit.minus_infinity:
        if d.col_b[c] == 0:
            dead |= d.z[:, d.col_a[c]] > 0
    return np.where(dead, 0.0, np.exp(np.clip(eta, -_ETA_MAX, _ETA_MAX)))


class _Quadratic:
    """Replicate selection on the quadratic expansion of the log-likelihood at the fit.

    For a bootstrap table y*, ``l*(beta) ~ U*'(beta - b) - (beta - b)' I (beta - b) / 2``
    with ``U* = X'(y* - mu)`` and ``I = X' diag(mu) X`` at the original fit
    (``b``, ``mu``), over every column. The forward search of `select` is
    repeated on it (the gains of `_gains` are then exact), and the chosen
    model is refitted exactly to y* by IRLS from the quadratic optimum.
    """

    def __init__(self, d: KronDesign, fit: _Fit) -> None:
        self.d = d
        self.fit = fit
        margins = d.xt(d.y * fit.keep, np.arange(d.ncol))
        out = set(fit.minus_infinity) | set(fit.aliased.tolist())
        self.cols = np.array([c for c in range(d.ncol) if c not in out
                              and (margins[c] > 0 or c == 0)])
        self.info = d.gram(fit.mu, self.cols)
        self.b = np.where(np.isfinite(fit.beta), fit.beta, 0.0)[self.cols]
        self.pos = {int(c): i for i, c in enumerate(self.cols)}
        self.zero = (fit.mu < 1e-9) & (d.y == 0)

    def idx(self, cols: np.ndarray) -> np.ndarray:
        return np.array([self.pos[int(c)] for c in cols if int(c) in self.pos], dtype=int)

    def run(self, y: np.ndarray, criterion: Criterion, start: list[str]) -> _Selection:
        """Stepwise search (add or drop the block that lowers the criterion most) from `start`.

        On the original table the forward search from the base ends where no
        addition helps; each replicate repeats the search by the criterion,
        adding and dropping terms, from that model (the forward search from
        the base repeated in full costs about ten times as much).
        """
        d = self.d
        yy = y.reshape(d.nstrata, d.ncell)
        u = d.xt((yy - self.fit.mu) * self.fit.keep, self.cols)
        pen = _penalty(float(yy.sum()), criterion)
        cand_idx = {b.name: self.idx(b.cols) for b in d.blocks[1:]}
        cand_idx = {k: v for k, v in cand_idx.items() if v.size}
        base = self.idx(d.blocks[0].cols)
        chosen = [n for n in start if n in cand_idx]
        last: tuple[str, str] | None = None
        for _ in range(60):
            a = np.concatenate([base, *[cand_idx[n] for n in chosen]])
            # one factorisation of the model's information per step, shared by the
            # optimum, the gains of additions and the losses of drops (three before)
            chol = _ridged_factor(self.info, a)
            delta = self._optimum(u, a, chol)
            names = [n for n in cand_idx if n not in chosen]
            grad = u - self.info @ delta
            add = _gains(self.info, grad, a, [cand_idx[n] for n in names], chol)
            add_ic = pen * np.array([cand_idx[n].size for n in names]) - 2 * add
            drop_ic = self._drop(a, delta, [cand_idx[n] for n in chosen], pen, chol)
            moves = [(float(v), "add", n) for v, n in zip(add_ic, names, strict=True)]
            moves += [(float(v), "drop", n) for v, n in zip(drop_ic, chosen, strict=True)]
            moves = [m for m in moves if (m[2], "drop" if m[1] == "add" else "add") != last]
            if not moves:
                break
            best = min(moves)
            if best[0] >= -1e-9:
                break
            if best[1] == "add":
                chosen.append(best[2])
            else:
                chosen.remove(best[2])
            last = (best[2], best[1])
        a = np.concatenate([base, *[cand_idx[n] for n in chosen]])
        delta = self._optimum(u, a, _ridged_factor(self.info, a))
        beta0 = np.zeros(d.ncol)
        beta0[self.cols] = self.b + delta
        blocks = [d.blocks[0].name, *chosen]
        cols = np.concatenate([d.block(n).cols for n in blocks])
        fit = fit_design(d, yy, cols, beta0, max_iter=25, tol=1e-6)
        return _Selection(blocks, fit if fit.converged else None)

    def _drop(self, a: np.ndarray, delta: np.ndarray, blocks: list[np.ndarray],
              pen: float, chol: tuple[np.ndarray, bool] | None) -> np.ndarray:
        """Change of the criterion when each block of the model is dropped (quadratic)."""
        if not blocks or chol is None:
            return np.zeros(len(blocks))
        inv = scipy.linalg.cho_solve(chol, np.eye(a.size))
        pos = {int(c): i for i, c in enumerate(a)}
        value = self.b + delta
        out = np.zeros(len(blocks))
        sizes = np.array([blk.size for blk in blocks])
        for size in np.unique(sizes):  # blocks of one size as one batched solve
            which = np.flatnonzero(sizes == size)
            j = np.array([[pos[int(c)] for c in blocks[w]] for w in which])
            v = np.array([value[blocks[w]] for w in which])
            cov = inv[j[:, :, None], j[:, None, :]]
            try:
                x = np.linalg.solve(cov, v[:, :, None])[:, :, 0]
                loss = 0.5 * np.einsum("bi,bi->b", v, x)
            except np.linalg.LinAlgError:
                loss = np.full(which.size, np.inf)
            out[which] = 2 * loss - pen * size
        return out

    def _optimum(self, u: np.ndarray, a: np.ndarray,
                 chol: tuple[np.ndarray, bool] | None) -> np.ndarray:
        """delta maximising the quadratic with the columns outside `a` at 0.

        `chol`: `_ridged_factor(self.info, a)`; None (the factorisation failed) leaves
        the model's columns where they are.
        """
        delta = -self.b.copy()
        fixed = np.ones(self.cols.size, dtype=bool)
        fixed[a] = False
        delta[a] = 0.0
        if chol is not None:
            rhs = u[a] - self.info[np.ix_(a, fixed)] @ delta[fixed]
            delta[a] = scipy.linalg.cho_solve(chol, rhs)
        return delta


def fit_covariates(
    table: CaptureTable, nboot: int = 1000, ci_level: float = 0.95,
    rng: np.random.Generator | None = None, criterion: Criterion | None = "bic",
    min_level: int = MIN_LEVEL,
) -> CovariateFit:
    """Choose two-list and list x covariate terms by `criterion`; bootstrap repeating it.

    `criterion=None` fits the main-effects model (lists and covariates) without search.
    """
    from thbmonitor.mse.fit import single_threaded_blas

    with single_threaded_blas():
        return _fit_covariates(table, nboot, ci_level, rng, criterion, min_level)


def _fit_covariates(
    table: CaptureTable, nboot: int, ci_level: float, rng: np.random.Generator | None,
    criterion: Criterion | None, min_level: int,
) -> CovariateFit:
    rng = rng if rng is not None else np.random.default_rng(0)
    grid, counts, notes = prepare_levels(table, min_level=min_level)
    d = KronDesign(table.lists, grid, counts)
    warns = list(notes)
    sel = select(d, d.y, criterion)
    if sel.fit is None:
        return CovariateFit([], None, None, pd.DataFrame(), None, criterion=str(criterion),
                            warnings=[*warns, "the main-effects model with covariates did not "
                                      "converge or has no finite MLE: no estimate"],
                            merged_levels=notes)
    fit = sel.fit
    if fit.diverged and _mle_missing(d, d.y, fit.live, fit.keep):
        warns.append("the chosen model's maximum-likelihood estimate does not exist (a "
                     "coefficient runs to minus infinity, linear-programming check); the "
                     "estimate is that of the extended MLE, with those cells at zero")
    unseen = _unseen(d, fit)
    per = grid.copy()
    per["observed"] = counts.sum(axis=1)
    per["estimate"] = per["observed"] + unseen
    terms = sorted(n for n in sel.blocks if n != "(base)")
    neg_terms = sorted({b.name for b in d.blocks[1:]
                        if set(b.cols.tolist()) & set(fit.minus_infinity)})
    result = CovariateFit(terms, float(per["estimate"].sum()), None, per, None,
                          warnings=warns, criterion=str(criterion), merged_levels=notes,
                          minus_infinity=neg_terms, nboot=nboot)
    result.design = d  # type: ignore[attr-defined]
    result.fit = fit  # type: ignore[attr-defined]
    if nboot <= 0:
        return result
    n_obs = int(round(d.y.sum()))
    flat = d.y.reshape(-1)
    p = flat / max(flat.sum(), 1.0)
    totals = np.full((nboot, d.nstrata), np.nan)
    quad = _Quadratic(d, fit)
    beta0 = np.where(np.isfinite(fit.beta), fit.beta, 0.0)
    for r in range(nboot):
        y = rng.multinomial(n_obs, p).astype(float).reshape(d.nstrata, d.ncell)
        if criterion is None:
            rep = _Selection(sel.blocks, fit_design(d, y, fit.cols, beta0, max_iter=25))
            if rep.fit is not None and not rep.fit.converged:
                rep.fit = None
        else:
            rep = quad.run(y, criterion, [n for n in sel.blocks if n != "(base)"])
        if rep.fit is None:
            continue
        totals[r] = y.sum(axis=1) + _unseen(d, rep.fit)
    good = np.isfinite(totals).all(axis=1)
    result.failed = int((~good).sum())
    if result.failed:
        warns.append(f"{result.failed} of {nboot} bootstrap replicates "
                     f"({result.failed / nboot:.1%}) failed: the refit did not converge")
    result.bootstrap = totals[good].sum(axis=1)
    result.boot_strata = totals[good]  # type: ignore[attr-defined]
    if result.failed_share > MAX_FAILED_SHARE:
        warns.append(f"more than {MAX_FAILED_SHARE:.0%} of the bootstrap replicates failed: "
                     "no interval")
        return result
    q = [(1 - ci_level) / 2, (1 + ci_level) / 2]
    if good.sum() >= 2:
        lo, hi = np.quantile(result.bootstrap, q)
        result.ci = (float(lo), float(hi))
        for cov in grid.columns:
            result.per_level_ci[cov] = {}
            for level in sorted(per[cov].unique()):
                sel_l = (per[cov] == level).to_numpy()
                a, b = np.quantile(totals[good][:, sel_l].sum(axis=1), q)
                result.per_level_ci[cov][str(level)] = (float(a), float(b))
    return result
