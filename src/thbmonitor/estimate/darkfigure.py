"""The dark figure of a year from the linked data: the Dutch practice by default.

Default (`method="pooled"`, van der Heijden, Cruyff, van Dijk and colleagues;
van Dijk et al. 2017): the victims of the window of years up to Y (setting
`estimate.window_years`, six) are pooled with the year as a covariate, with
age group, sex, form of exploitation and Dutch / non-Dutch as covariates;
the model starts from main effects of lists and covariates and adds
two-factor terms (list x list, list x covariate, covariate x covariate) by
BIC; the bootstrap repeats the selection; year Y's estimate and interval
are reported, with the other years of the window for the chart. Other
methods (single-year stepwise, BIC and main effects, with or without
covariates) stay available and are shown side by side in a sensitivity
table. Guards (`guards.py`) refuse an estimate on too little data and
publish a doubtful one as a rounded range.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd

from thbmonitor.errors import UsageError
from thbmonitor.estimate.capture import DEFAULT_LISTS, capture_records, pooled_records
from thbmonitor.estimate.guards import blocking_guards, warning_guards
from thbmonitor.estimate.result import DarkFigure, SensitivityRow, YearEstimate
from thbmonitor.mse import MSEstimator, capture_table_from_records
from thbmonitor.store import Database
from thbmonitor.vocab import SOURCE_TYPES

__all__ = ["COVARIATES", "METHODS", "estimate_dark_figure", "parse_lists"]

COVARIATES = ("age_group", "sex", "exploitation", "dutch")
METHODS = ("pooled", "stepwise", "bic", "main")
EstimateMethod = Literal["pooled", "stepwise", "bic", "main"]
Criterion = Literal["bic", "aic"]
#: Replicates of the single-year stepwise row of the sensitivity table (BCa, fast).
SENSITIVITY_NBOOT = 500


def parse_lists(specs: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """`--lists` values: `police`, or `care=care_coordinator+shelter`.

    Organisation types not named in any list form the list `other`.
    """
    if not specs:
        return dict(DEFAULT_LISTS)
    lists: dict[str, tuple[str, ...]] = {}
    for spec in specs:
        name, _, types = spec.partition("=")
        members = tuple(t.strip() for t in (types or name).split("+") if t.strip())
        unknown = [t for t in members if t not in SOURCE_TYPES]
        if unknown:
            raise UsageError(f"unknown organisation type {unknown[0]!r} in --lists {spec!r}; "
                             f"use: {', '.join(SOURCE_TYPES)}")
        lists[name.strip()] = members
    named = {t for members in lists.values() for t in members}
    rest = tuple(t for t in SOURCE_TYPES if t not in named)
    if rest:
        lists.setdefault("other", ())
        lists["other"] = lists["other"] + rest
    return lists


def _overlap(records: pd.DataFrame, person: str) -> int:
    lists_per = records.drop_duplicates([person, "list"]).groupby(person).size()
    return int((lists_per >= 2).sum())


def _merge(records: pd.DataFrame, person: str, merge_below: int) -> dict[str, str]:
    if not merge_below:
        return {}
    sizes = records.groupby("list")[person].nunique()
    return {str(name): "other" for name, size in sizes.items() if size < merge_below}


def _quiet_fit(estimator: MSEstimator, table: Any) -> MSEstimator:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(table)


def estimate_dark_figure(
    db: Database,
    year: int,
    *,
    lists: Mapping[str, tuple[str, ...]] | None = None,
    covariates: Sequence[str] | None = None,
    merge_below: int = 0,
    method: EstimateMethod = "pooled",
    criterion: Criterion = "bic",
    window: int | None = None,
    nboot: int | None = None,
    seed: int | None = None,
    sensitivity: bool = True,
) -> DarkFigure:
    """The dark figure of `year` (see the module docstring); never raises on thin data.

    `covariates` default to the four of the Dutch estimates for `pooled` and
    to none for the single-year methods. The seed defaults to the setting
    `random.seed`, the window to `estimate.window_years`, the replicates to
    `estimate.bootstrap_replicates`.
    """
    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    covs = tuple(COVARIATES if covariates is None and method == "pooled" else covariates or ())
    unknown = [c for c in covs if c not in COVARIATES]
    if unknown:
        raise UsageError(f"unknown covariate {unknown[0]!r}; use: {', '.join(COVARIATES)}")
    groups = dict(lists or DEFAULT_LISTS)
    seed = int(db.setting("random.seed")) if seed is None else seed
    nboot = int(db.setting("estimate.bootstrap_replicates")) if nboot is None else nboot
    width = int(db.setting("estimate.window_years")) if window is None else window
    if width < 1:
        raise UsageError("the window must hold at least one year")
    if method == "pooled":
        records = pooled_records(db, range(year - width + 1, year + 1), groups)
        person = "person_year"
    else:
        records = capture_records(db, year, groups)
        records["year"] = str(year)
        person = "person_id"
    this_year = records[records["year"] == str(year)]
    if this_year.empty:
        raise UsageError(f"no victims in {year}: nothing to estimate")
    notes: list[str] = []
    years = sorted(int(y) for y in records["year"].unique())
    if method == "pooled" and years[0] > year - width + 1:
        notes.append(f"the window holds {years[0]}-{year} only: no victims before {years[0]}")
    result = DarkFigure(
        year=year, observed=int(this_year["person_id"].nunique()), estimate=None, ci=None,
        ci_level=0.95, lists=[], terms=[], method=method, warnings=list(notes),
        covariates=list(covs), window=years if method == "pooled" else [year],
        criterion=criterion if method == "pooled" else None, seed=seed,
        list_members={name: list(types) for name, types in groups.items()})
    result.guards = blocking_guards(result.observed, _overlap(records, person))
    failed = [g for g in result.guards if not g.passed]
    if failed:
        result.reason = "; ".join(g.message for g in failed)
        result.warnings += [f"no estimate: {g.message}" for g in failed]
        return result
    merge = _merge(records, person, merge_below)
    result.merged_lists = sorted(merge)
    model_covs = ("year", *covs) if method == "pooled" and len(years) > 1 else covs
    table = capture_table_from_records(records, person=person, covariates=model_covs,
                                       merge=merge)
    result.lists = list(table.lists)
    est = _quiet_fit(MSEstimator(
        method="stepwise" if method == "pooled" else method, nboot=nboot, seed=seed,
        covariates=list(model_covs) or None, criterion=criterion), table)
    d = est.to_dict()
    result.terms, result.minus_infinity = list(d["terms"]), list(d["minus_infinity"])
    result.warnings += list(d["warnings"])
    result.ci_kind, result.nboot = d["ci_kind"], int(d["nboot"])
    result.failed_bootstrap_share = float(d.get("failed_bootstrap_share") or 0.0)
    result.merged_levels = list(d.get("merged_levels") or [])
    if "year" in model_covs and est.covariate_fit_ is not None:
        by = d["by"]["year"]
        result.by_year = [YearEstimate(int(y), cell["observed"], cell["estimate"], cell["ci"])
                          for y, cell in sorted(by.items())]
        mine = by.get(str(year))
        if mine is not None and d["estimate"] is not None:
            result.estimate, result.ci = float(mine["estimate"]), mine["ci"]
    else:
        result.estimate = d["estimate"]
        result.ci = d["ci"] if d["ci"] and None not in d["ci"] else None
    if result.estimate is None:
        result.reason = "the model gave no estimate: " + "; ".join(d["warnings"][-1:])
        return result
    covariate_estimates = [result.estimate] if covs else []
    if sensitivity and method == "pooled":
        result.sensitivity = _sensitivity(db, year, groups, table, records, result, est,
                                          criterion, seed)
        # models that represent the heterogeneity: list x covariate terms chosen by a criterion
        covariate_estimates = [r.estimate for r in result.sensitivity
                               if r.covariates and r.criterion and r.covariates != ["year"]
                               and r.estimate is not None]
    result.guards += warning_guards(result.estimate, result.observed, result.ci,
                                    covariate_estimates)
    result.warnings += [g.message for g in result.guards if not g.passed and not g.blocks]
    return result


def _row(key: str, label: str, method: str, window: list[int], covs: Sequence[str],
         criterion: str | None, est: MSEstimator, year: int) -> SensitivityRow:
    d = est.to_dict()
    value, ci = d["estimate"], d["ci"]
    if "by" in d and "year" in d["by"]:
        cell = d["by"]["year"].get(str(year))
        value, ci = (cell["estimate"], cell["ci"]) if cell and value is not None else (None, None)
    if ci is not None and None in ci:
        ci = None
    return SensitivityRow(label, method, window, list(covs), criterion, value, ci,
                          len(d["terms"]), list(d["warnings"]), key)


def _sensitivity(db: Database, year: int, groups: Mapping[str, tuple[str, ...]],
                 table: Any, records: pd.DataFrame, result: DarkFigure, est: MSEstimator,
                 criterion: Criterion, seed: int) -> list[SensitivityRow]:
    """The same year by other methods: point estimates (the stepwise row with its interval)."""
    covs = tuple(result.covariates)
    window = result.window
    pooled_covs = ("year", *covs) if len(window) > 1 else covs
    other: Criterion = "aic" if criterion == "bic" else "bic"
    def pooled(criterion_: Criterion | None, method: str = "stepwise",
               cov: Sequence[str] = pooled_covs, tab: Any = table) -> MSEstimator:
        return _quiet_fit(MSEstimator(method=method, nboot=0, seed=seed,  # type: ignore[arg-type]
                                      covariates=list(cov), criterion=criterion_ or "bic"), tab)

    rows = [_row("default", f"pooled {len(window)} years, covariates, {criterion.upper()}",
                 "pooled", window, pooled_covs, criterion, est, year),
            _row("other_criterion", f"pooled, covariates, {other.upper()}", "pooled", window,
                 pooled_covs, other, pooled(other), year),
            _row("main_effects", "pooled, covariates, main effects", "pooled", window,
                 pooled_covs, None, pooled(None, "main"), year)]
    merge = {n: "other" for n in result.merged_lists}
    if len(window) > 1:
        year_only = capture_table_from_records(records, person="person_year",
                                               covariates=("year",), merge=merge)
        rows.append(_row("year_only", "pooled, year only (no covariates), BIC", "pooled",
                         window, ["year"], "bic", pooled("bic", cov=("year",), tab=year_only),
                         year))
    single = records[records["year"] == str(year)]
    plain = capture_table_from_records(single, person="person_id", merge=merge)
    rows.append(_row("single_stepwise", "single year, stepwise (no covariates)", "stepwise",
                     [year], [], None,
                     _quiet_fit(MSEstimator(method="stepwise", nboot=SENSITIVITY_NBOOT,
                                            seed=seed), plain), year))
    rows.append(_row("single_main", "single year, main effects (no covariates)", "main",
                     [year], [], None,
                     _quiet_fit(MSEstimator(method="main", nboot=0, seed=seed), plain), year))
    if covs:
        cov_table = capture_table_from_records(single, person="person_id", covariates=covs,
                                               merge=merge)
        rows.append(_row("single_covariates", f"single year, covariates, {criterion.upper()}",
                         "stepwise", [year], covs, criterion,
                         pooled(criterion, cov=covs, tab=cov_table), year))
    return rows
