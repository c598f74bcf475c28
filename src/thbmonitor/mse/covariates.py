"""Log-linear models with categorical covariates (van der Heijden et al.).

Capture probabilities that differ between groups (age, sex, form of
exploitation, Dutch or not, year) make lists look dependent when the groups
are pooled, and a pooled model then misses people. The stratified model of
the Dutch estimates (van Dijk, Cruyff, van der Heijden & Kragten-Heerdink
2017, UNODC research brief; van der Heijden, Whittaker, Cruyff, Bakker & van
der Vliet 2012, J. R. Stat. Soc. C 61(1); Cruyff's R package ``mse``) is,
for stratum ``s`` (a combination of covariate levels) and pattern ``c``:

    log mu[s, c] = alpha[s] + sum_i beta_i c_i + sum_(i,j) gamma_ij c_i c_j
                   + sum_(i,v) delta_(i,v)[level of v in s] c_i

with one intercept per stratum (the covariates fully crossed), list main
effects, two-list interactions and list x covariate interactions. The
unseen in stratum ``s`` are ``exp(alpha[s])``.

Model choice: forward stepwise by BIC (``k log(n) - 2 log L``, ``n`` the number
observed) over the two-list and list x covariate terms, starting from main
effects; a candidate whose lists never overlap, or whose extended MLE does
not exist (`existence.check_models`), is skipped. Interval: a parametric
bootstrap: Poisson counts are drawn from the fitted model for every cell
(seen and unseen), the chosen model is refitted to the seen cells, and the
percentile interval of the totals is reported, also per covariate level.
The selection is not repeated within the bootstrap (a documented shortcut).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from thbmonitor.mse.existence import check_models
from thbmonitor.mse.fit import fit_poisson
from thbmonitor.mse.models import all_terms, design, term_name
from thbmonitor.mse.table import CaptureTable

__all__ = ["CovariateFit", "fit_covariates"]


@dataclass
class CovariateFit:
    """The chosen stratified model and its estimates."""

    terms: list[str]
    estimate: float | None
    ci: tuple[float, float] | None
    per_stratum: pd.DataFrame  # covariates, observed, estimate
    bootstrap: np.ndarray | None
    per_level_ci: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    minus_infinity: list[str] = field(default_factory=list)

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


class _Design:
    """The stacked design over (stratum, pattern) cells and its term blocks."""

    def __init__(self, table: CaptureTable) -> None:
        assert table.strata is not None and table.strata_counts is not None
        k = table.k
        strata = table.strata
        nstrata = len(strata)
        ncell = 2**k - 1
        self.k, self.nstrata, self.ncell = k, nstrata, ncell
        lists_x = design(k, [1 << i for i in range(k)] + all_terms(k, 2))
        blocks: list[np.ndarray] = [np.kron(np.eye(nstrata), np.ones((ncell, 1)))]
        names: list[str] = ["(strata)"]
        self.block_of: list[int] = [0] * nstrata
        for j in range(lists_x.shape[1]):
            blocks.append(np.tile(lists_x[:, j:j + 1], (nstrata, 1)))
            self.block_of.append(len(names))
            names.append(term_name(([1 << i for i in range(k)] + all_terms(k, 2))[j], table.lists))
        self.base_blocks = set(range(1 + k))  # strata and list main effects
        self.pair_blocks = list(range(1 + k, len(names)))
        self.cov_blocks: list[int] = []
        for i, name in enumerate(table.lists):
            for cov in strata.columns:
                levels = sorted(strata[cov].unique())
                for level in levels[1:]:
                    dummy = (strata[cov].to_numpy() == level).astype(float)
                    col = np.kron(dummy[:, None], lists_x[:, i:i + 1])
                    blocks.append(col)
                    self.block_of.append(len(names))
                if len(levels) > 1:
                    self.cov_blocks.append(len(names))
                    names.append(f"{name}:{cov}")
        self.x = np.hstack(blocks)
        self.names = names
        self.block_of_arr = np.asarray(self.block_of)
        self.y = table.strata_counts.reshape(-1)

    def mask(self, blocks: set[int]) -> np.ndarray:
        return np.isin(self.block_of_arr, list(blocks))


def _fit(d: _Design, y: np.ndarray, blocks: set[int], check: bool = True) -> tuple[
    np.ndarray | None, np.ndarray | None, float
]:
    """Coefficients, fitted values and log-likelihood; None when not valid."""
    cm = d.mask(blocks)
    x = d.x[:, cm]
    if check:
        status, _, neginf = check_models(x, y[None, :], np.ones((1, x.shape[1]), dtype=bool))
        if status[0] != 0 or neginf[0].any():
            return None, None, -np.inf
    fit = fit_poisson(x, y[None, :])
    if not fit.converged[0]:
        return None, None, -np.inf
    return fit.beta[0], fit.mu[0], float(fit.loglik[0])


def fit_covariates(
    table: CaptureTable, nboot: int = 1000, ci_level: float = 0.95,
    rng: np.random.Generator | None = None,
) -> CovariateFit:
    """Choose list and list x covariate terms by BIC; interval by parametric bootstrap."""
    rng = rng if rng is not None else np.random.default_rng(0)
    d = _Design(table)
    logn = np.log(max(d.y.sum(), 1.0))
    warns: list[str] = []
    model = set(d.base_blocks)
    beta, mu, ll = _fit(d, d.y, model)
    if beta is None:
        return CovariateFit([], None, None, pd.DataFrame(), None,
                            warnings=["the main-effects model with covariates has no finite MLE"])
    bic = d.mask(model).sum() * logn - 2 * ll
    candidates = set(d.pair_blocks) | set(d.cov_blocks)
    while True:
        best: tuple[float, int] | None = None
        for blk in sorted(candidates - model):
            b, _, l1 = _fit(d, d.y, model | {blk})
            if b is None:
                continue
            score = d.mask(model | {blk}).sum() * logn - 2 * l1
            if score < bic - 1e-9 and (best is None or score < best[0]):
                best = (score, blk)
        if best is None:
            break
        bic, chosen = best
        model.add(chosen)
    beta, mu, ll = _fit(d, d.y, model)
    assert beta is not None and mu is not None
    cm = d.mask(model)
    strata_int = beta[: d.nstrata]
    dark = np.exp(strata_int)
    observed = table.strata_counts.sum(axis=1) if table.strata_counts is not None else np.zeros(0)
    assert table.strata is not None
    per = table.strata.copy()
    per["observed"] = observed
    per["estimate"] = observed + dark
    terms = sorted(d.names[b] for b in model - d.base_blocks)
    result = CovariateFit(terms, float(per["estimate"].sum()), None, per, None, warnings=warns)
    if nboot <= 0:
        return result
    x = d.x[:, cm]
    means = np.concatenate([mu, dark])
    rows = max(1, int(4e6 // max(1, x.size)))
    totals = np.full((nboot, d.nstrata), np.nan)
    for start in range(0, nboot, rows):
        n = min(rows, nboot - start)
        draws = rng.poisson(means, size=(n, means.size)).astype(float)
        seen = draws[:, : d.y.size]
        fit = fit_poisson(x, seen, beta0=np.repeat(beta[None, :], n, axis=0))
        ok = fit.converged
        block = seen.reshape(n, d.nstrata, d.ncell).sum(axis=2) + np.exp(fit.beta[:, : d.nstrata])
        totals[start:start + n][ok] = block[ok]
    good = np.isfinite(totals).all(axis=1)
    if (~good).any():
        warns.append(f"{int((~good).sum())} of {nboot} parametric bootstrap fits did not converge")
    q = [(1 - ci_level) / 2, (1 + ci_level) / 2]
    boot_total = totals[good].sum(axis=1)
    if boot_total.size >= 2:
        lo, hi = np.quantile(boot_total, q)
        result.ci = (float(lo), float(hi))
        for cov in table.covariates:
            result.per_level_ci[cov] = {}
            for level in sorted(per[cov].unique()):
                sel = (per[cov] == level).to_numpy()
                lv = totals[good][:, sel].sum(axis=1)
                a, b = np.quantile(lv, q)
                result.per_level_ci[cov][str(level)] = (float(a), float(b))
    result.bootstrap = boot_total
    return result
