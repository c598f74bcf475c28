"""`MSEstimator`: multiple systems estimation of the dark figure, lifelines-style.

Settings go in ``__init__``, ``fit(table)`` returns the estimator, fitted
values end in ``_``, ``to_dict()`` is the JSON of ``thb mse --json``
(CONTRACTS section 4). Methods:

- ``stepwise`` (default): the p-value stepwise rule of Chan, Silverman &
  Vincent (2021, JASA 116(535)), with a BCa bootstrap that repeats the
  selection in every replicate, as ``SparseMSE::estimatepopulation`` and
  ``MultipleSystemsEstimation::estimate_population_stepwise``;
- ``bic``: BIC over all admissible hierarchical models (Silverman, Chan &
  Vincent 2024, Statistics and Computing 34), bootstrap over the top models,
  as ``MultipleSystemsEstimation::estimate_population_bic``;
- ``main``: independence (main effects), profile-likelihood interval as
  ``Rcapture::closedpCI.t`` (Rivest & Baillargeon);
- ``fixed``: the model given by `terms`, profile-likelihood interval.

With `covariates` the stratified log-linear model of van der Heijden et al.
(van Dijk, Cruyff, van der Heijden & Kragten-Heerdink 2017) is used instead
(see `covariates.py`).

A model whose maximum-likelihood estimate does not exist or is not
identifiable never yields a number: the estimate is None and a
`NonExistentMLEWarning` (a `SparseDataWarning`) says why.
"""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import pandas as pd

from thbmonitor import __version__
from thbmonitor.errors import UsageError
from thbmonitor.mse.bic import bic_refit, bic_search, default_ntop
from thbmonitor.mse.bootstrap import (
    acceleration,
    bca_interval,
    jackknife_counts,
    multinomial_replicates,
)
from thbmonitor.mse.covariates import CovariateFit, fit_covariates
from thbmonitor.mse.existence import (
    NonExistentMLEWarning,
    NotIdentifiableWarning,
    SparseDataWarning,
)
from thbmonitor.mse.fit import single_threaded_blas
from thbmonitor.mse.models import Model, closure, parse_terms, popcount, term_name
from thbmonitor.mse.profile import profile_interval
from thbmonitor.mse.single import ModelFit, fit_model
from thbmonitor.mse.stepwise import stepwise
from thbmonitor.mse.table import CaptureTable

__all__ = ["MSEstimator", "METHODS"]

logger = logging.getLogger(__name__)

METHODS = ("stepwise", "bic", "main", "fixed")
Method = Literal["stepwise", "bic", "main", "fixed"]


class MSEstimator:
    """Estimate the total population (seen + unseen) from overlapping lists.

    Parameters
    ----------
    method:
        ``"stepwise"``, ``"bic"``, ``"main"`` or ``"fixed"``.
    terms:
        For ``"fixed"``: the generating class, e.g. ``["A:B", "B:C"]``.
    p_threshold:
        Stepwise threshold on the Poisson p-value (0.02, as the reference).
    max_order:
        BIC search: highest interaction order (default by number of lists as the
        reference: 1, 2, 3, 3, 2 for 2..6 lists).
    ntop:
        BIC bootstrap: models kept from the original ranking (default as the reference).
    nboot:
        Bootstrap replicates for ``stepwise`` and ``bic`` (0: no interval).
    ci_level:
        Coverage of the interval.
    seed:
        Seed or `numpy.random.Generator` of the bootstrap; None draws a fresh seed
        and records it in `seed_`.
    covariates:
        Categorical covariate columns of the table: fit the covariate model
        (`covariates.py`): ``main`` fits list and covariate main effects, any
        other method searches two-list and list x covariate terms by `criterion`.
    criterion:
        With covariates: ``"bic"`` (default) or ``"aic"``.
    """

    def __init__(
        self,
        method: Method = "stepwise",
        terms: list[str] | None = None,
        p_threshold: float = 0.02,
        max_order: int | None = None,
        ntop: int | None = None,
        nboot: int = 1000,
        ci_level: float = 0.95,
        seed: int | np.random.Generator | None = None,
        covariates: list[str] | tuple[str, ...] | None = None,
        criterion: Literal["bic", "aic"] = "bic",
    ) -> None:
        if method not in METHODS:
            raise UsageError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
        if method == "fixed" and not terms:
            raise UsageError("method 'fixed' needs the model's terms, e.g. terms=['A:B']")
        if nboot < 0:
            raise UsageError("nboot must be 0 or more")
        if not 0 < ci_level < 1:
            raise UsageError("ci_level must lie between 0 and 1")
        if not 0 <= p_threshold <= 1:
            raise UsageError("p_threshold must lie between 0 and 1")
        self.method = method
        self.terms = list(terms) if terms else None
        self.p_threshold = p_threshold
        self.max_order = max_order
        self.ntop = ntop
        self.nboot = nboot
        self.ci_level = ci_level
        self.seed = seed
        self.covariates = tuple(covariates or ())
        if criterion not in ("bic", "aic"):
            raise UsageError(f"unknown criterion {criterion!r}; choose bic or aic")
        self.criterion = criterion

    # -- fitting ------------------------------------------------------------------------

    def fit(self, table: CaptureTable | pd.DataFrame | str | Path) -> MSEstimator:
        """Fit to a `CaptureTable`, a frame of patterns and counts, or a CSV path."""
        with single_threaded_blas():
            return self._fit(table)

    def _fit(self, table: CaptureTable | pd.DataFrame | str | Path) -> MSEstimator:
        if isinstance(table, (str, Path)):
            table = CaptureTable.from_csv(table, covariates=self.covariates)
        elif isinstance(table, pd.DataFrame):
            table = CaptureTable.from_frame(table, covariates=self.covariates)
        if self.covariates and table.strata is None:
            table = CaptureTable.from_frame(table.to_frame(), covariates=self.covariates)
        self.table_ = table
        self.lists_ = list(table.lists)
        self.observed_ = table.observed
        self.population_: float | None = None
        self.ci_: tuple[float, float | None] | None = None
        self.ci_kind_: str | None = None
        self.terms_: list[str] = []
        self.minus_infinity_: list[str] = []
        self.warnings_: list[str] = []
        self.bootstrap_: np.ndarray | None = None
        self.acceleration_: float | None = None
        self.model_fit_: ModelFit | None = None
        self.covariate_fit_: CovariateFit | None = None
        self.extra_: dict[str, Any] = {}
        self.seed_ = self._resolve_seed()
        gen = self.seed if isinstance(self.seed, np.random.Generator) else None
        rng = gen if gen is not None else np.random.default_rng(self.seed_)
        if table.observed == 0:
            self._warn("the table is empty: no one is on any list", SparseDataWarning)
            return self
        for i, name in enumerate(table.lists):
            if table.counts[[c - 1 for c in range(1, 2**table.k) if c >> i & 1]].sum() == 0:
                self._warn(f"list {name} has no one on it; its main effect is at minus infinity",
                           SparseDataWarning)
        if self.covariates:
            self._fit_covariates(table, rng)
        elif self.method == "stepwise":
            self._fit_stepwise(table, rng)
        elif self.method == "bic":
            self._fit_bic(table, rng)
        else:
            model: Model = (
                frozenset() if self.method == "main" else parse_terms(self.terms or [], table.lists)
            )
            self._fit_fixed(table, model)
        return self

    def _resolve_seed(self) -> int | None:
        if isinstance(self.seed, np.random.Generator):
            return None
        if self.seed is None:
            return int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]
        return int(self.seed)

    def _warn(self, message: str, category: type[Warning] = SparseDataWarning) -> None:
        self.warnings_.append(message)
        warnings.warn(message, category, stacklevel=3)

    def _adopt(self, fit: ModelFit) -> None:
        """Take the point estimate, terms and caveats of the chosen model."""
        self.model_fit_ = fit
        lists = tuple(self.lists_)
        self.terms_ = fit.terms(lists)
        self.minus_infinity_ = fit.minus_infinity(lists)
        for name in self.minus_infinity_:
            pair = name.replace(":", " and ")
            self._warn(
                f"{pair} are never seen together: the {name} interaction is at minus infinity "
                "and the patterns containing it are left out (Chan, Silverman & Vincent 2021)"
            )
        if fit.estimate is None:
            category = NonExistentMLEWarning if fit.status & 1 else NotIdentifiableWarning
            self._warn(f"no estimate: for this model {fit.message}", category)
            return
        if not fit.converged:
            self._warn("the model fit did not converge; the estimate is unreliable")
        self.population_ = fit.estimate

    def _fit_fixed(self, table: CaptureTable, model: Model) -> None:
        fit = fit_model(table.k, table.counts, model)
        self._adopt(fit)
        if self.population_ is None:
            return
        lo, hi = profile_interval(fit.x_kept, fit.y_kept, self.population_, self.ci_level)
        self.ci_kind_ = "profile likelihood"
        self.ci_ = (lo, hi)
        if hi is None:
            self._warn("the upper profile-likelihood limit lies beyond three times the estimate")

    def _bca(self, boot: np.ndarray, jack: np.ndarray, weights: np.ndarray) -> None:
        assert self.population_ is not None
        self.bootstrap_ = boot
        bad = int(np.sum(~np.isfinite(boot)))
        if bad:
            self._warn(f"{bad} of {boot.size} bootstrap replicates gave no valid estimate "
                       "and were left out")
        self.acceleration_ = acceleration(jack, weights)
        self.ci_kind_ = "BCa bootstrap"
        self.ci_ = bca_interval(boot, self.population_, self.acceleration_, self.ci_level)
        if self.ci_ is None:
            self._warn("the BCa interval is undefined for these bootstrap replicates")

    def _fit_stepwise(self, table: CaptureTable, rng: np.random.Generator) -> None:
        if self.max_order not in (None, 2):
            raise UsageError("the stepwise rule considers two-list interactions only (max_order 2)")
        k = table.k
        res = stepwise(k, table.counts[None, :], self.p_threshold)
        chosen = closure(
            p for p, on in zip(res.params, res.included[0] | res.neginf[0], strict=True)
            if on and popcount(p) >= 2
        )
        if res.skipped[0]:
            names = ", ".join(term_name(t, table.lists) for t in res.skipped[0])
            logger.info("stepwise: candidates refused by the existence check: %s", names)
            self.extra_["refused_terms"] = sorted({term_name(t, table.lists)
                                                   for t in res.skipped[0]})
        self._adopt(fit_model(k, table.counts, chosen))
        if self.population_ is None or self.nboot == 0:
            return
        boot = stepwise(k, multinomial_replicates(table.counts, self.nboot, rng), self.p_threshold)
        if not boot.converged.all():
            self._warn(f"{int((~boot.converged).sum())} bootstrap fits did not converge")
        jt, w = jackknife_counts(table.counts)
        jack = stepwise(k, jt, self.p_threshold).estimate
        self._bca(boot.estimate, jack, w)

    def _fit_bic(self, table: CaptureTable, rng: np.random.Generator) -> None:
        k = table.k
        ranking = bic_search(k, table.counts, self.max_order)
        self.extra_["max_order"] = ranking.max_order
        self.extra_["models_enumerated"] = ranking.enumerated
        self.extra_["models_valid"] = len(ranking.models)
        if not ranking.models:
            self._warn("no model has an existing, identifiable MLE on this table",
                       NonExistentMLEWarning)
            return
        self._adopt(fit_model(k, table.counts, ranking.models[0]))
        if self.population_ is None or self.nboot == 0:
            return
        ntop = self.ntop if self.ntop is not None else default_ntop(k)
        top = ranking.models if ntop is None else ranking.models[:ntop]
        self.extra_["top_models_used"] = len(top)
        reps = multinomial_replicates(table.counts, self.nboot, rng)
        boot = bic_refit(k, reps, top, origin=table.counts)
        jt, w = jackknife_counts(table.counts)
        self._bca(boot, bic_refit(k, jt, top, origin=table.counts), w)

    def _fit_covariates(self, table: CaptureTable, rng: np.random.Generator) -> None:
        cov = fit_covariates(table, nboot=self.nboot, ci_level=self.ci_level, rng=rng,
                             criterion=None if self.method == "main" else self.criterion)
        self.covariate_fit_ = cov
        self.extra_["criterion"] = cov.criterion if self.method != "main" else None
        self.extra_["failed_bootstrap_share"] = cov.failed_share
        self.extra_["merged_levels"] = list(cov.merged_levels)
        self.terms_ = cov.terms
        self.minus_infinity_ = cov.minus_infinity
        for message in cov.warnings:
            self._warn(message)
        self.population_ = cov.estimate
        self.ci_ = cov.ci
        self.ci_kind_ = "bootstrap percentile (selection repeated)" if cov.ci is not None else None
        self.bootstrap_ = cov.bootstrap

    # -- results ------------------------------------------------------------------------

    @property
    def dark_figure_(self) -> float | None:
        """Estimated number of people on no list."""
        return None if self.population_ is None else self.population_ - self.observed_

    @property
    def method_(self) -> str:
        return "covariates" if self.covariates else self.method

    @property
    def summary(self) -> pd.DataFrame:
        """Coefficients of the chosen model (log scale), with standard errors."""
        fit = self.model_fit_
        if fit is None or fit.beta is None:
            return pd.DataFrame(columns=["coef", "exp(coef)", "se(coef)"])
        names = ["(intercept)"] + [term_name(p, tuple(self.lists_)) for p in fit.params[1:]]
        frame = pd.DataFrame(
            {"coef": fit.beta, "exp(coef)": np.exp(fit.beta), "se(coef)": fit.se}, index=names
        )
        frame.index.name = "term"
        return frame

    def to_dict(self) -> dict[str, Any]:
        """The result as CONTRACTS section 4 (plus a few extra keys)."""
        def num(v: float | None) -> float | None:
            return None if v is None or not np.isfinite(v) else float(v)

        ci = None if self.ci_ is None else [num(self.ci_[0]), num(self.ci_[1])]
        out: dict[str, Any] = {
            "observed": self.observed_,
            "estimate": num(self.population_),
            "dark_figure": num(self.dark_figure_),
            "ci": ci,
            "ci_level": self.ci_level,
            "lists": list(self.lists_),
            "terms": list(self.terms_),
            "method": self.method_,
            "warnings": list(self.warnings_),
            "minus_infinity": list(self.minus_infinity_),
            "ci_kind": self.ci_kind_,
            "nboot": self.nboot if self.method_ in ("stepwise", "bic", "covariates") else 0,
            "seed": self.seed_,
            "p_threshold": self.p_threshold if self.method_ == "stepwise" else None,
            "version": __version__,
        }
        out.update(self.extra_)
        if self.covariate_fit_ is not None:
            out["covariates"] = list(self.covariates)
            out["by"] = self.covariate_fit_.by_level()
        return out

    def print_summary(self, file: IO[str] | None = None) -> None:
        """Write a readable summary (to stdout unless `file` is given)."""
        out = file if file is not None else sys.stdout
        d = self.to_dict()
        lines = [
            f"<thbmonitor.mse.MSEstimator: method={d['method']}>",
            f"lists            {', '.join(d['lists'])}",
            f"observed         {d['observed']}",
            f"estimate         {_fmt(d['estimate'])}",
            f"dark figure      {_fmt(d['dark_figure'])}",
        ]
        if d["ci"] is not None:
            lo, hi = _fmt(d["ci"][0]), _fmt(d["ci"][1])
            lines.append(f"{d['ci_level']:.0%} interval     {lo} to {hi} ({d['ci_kind']})")
        lines.append(f"terms            {', '.join(d['terms']) or '(main effects only)'}")
        if d["minus_infinity"]:
            lines.append(f"minus infinity   {', '.join(d['minus_infinity'])}")
        for cov, levels in d.get("by", {}).items():
            for level, cell in levels.items():
                lines.append(f"{cov} = {level}: observed {cell['observed']}, "
                             f"estimate {_fmt(cell['estimate'])}")
        lines += [f"warning: {w}" for w in d["warnings"]]
        if self.model_fit_ is not None and self.model_fit_.beta is not None:
            lines += ["", self.summary.to_string(float_format=lambda v: f"{v:.4g}")]
        out.write("\n".join(lines) + "\n")

    def chart_spec(self) -> dict[str, Any]:
        """A Vega-Lite spec: observed and estimated population with the interval."""
        from thbmonitor.mse.charts import estimate_spec

        return estimate_spec(self.to_dict(), self.bootstrap_)

    def plot_estimate(self, ax: Any = None) -> Any:
        """Draw the estimate with matplotlib (an optional dependency) on `ax`."""
        from thbmonitor.mse.charts import plot_estimate

        return plot_estimate(self.to_dict(), ax)

    def __repr__(self) -> str:
        if not hasattr(self, "observed_"):
            return f"<MSEstimator: method={self.method}, not fitted>"
        return f"<MSEstimator: method={self.method_}, estimate={_fmt(self.population_)}>"


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:,.1f}"
