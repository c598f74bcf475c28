"""The dark figure of a year: capture histories from the linked data, then MSE.

`thb estimate` and the annual report call `estimate_dark_figure`; a
researcher with their own table uses `thbmonitor.mse` directly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from thbmonitor.errors import UsageError
from thbmonitor.figures.capture import DEFAULT_LISTS, capture_records
from thbmonitor.mse import MSEstimator, capture_table_from_records
from thbmonitor.mse.estimator import Method
from thbmonitor.store import Database
from thbmonitor.vocab import SOURCE_TYPES

COVARIATES = ("age_group", "sex", "exploitation", "dutch")


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


def estimate_dark_figure(
    db: Database,
    year: int,
    *,
    lists: Mapping[str, tuple[str, ...]] | None = None,
    covariates: Sequence[str] = (),
    merge_below: int = 0,
    method: Method = "stepwise",
    nboot: int = 1000,
    seed: int | None = None,
) -> dict[str, Any]:
    """The MSE result (CONTRACTS §4 shape) for the victims of `year`.

    `merge_below` merges lists that saw fewer victims than that into `other`.
    The seed defaults to the database's `random.seed` setting.
    """
    unknown = [c for c in covariates if c not in COVARIATES]
    if unknown:
        raise UsageError(f"unknown covariate {unknown[0]!r}; use: {', '.join(COVARIATES)}")
    records = capture_records(db, year, lists)
    if records.empty:
        raise UsageError(f"no victims in {year}: nothing to estimate")
    merge: dict[str, str] = {}
    if merge_below:
        sizes = records.groupby("list")["person_id"].nunique()
        merge = {str(name): "other" for name, size in sizes.items() if size < merge_below}
    table = capture_table_from_records(records, covariates=tuple(covariates), merge=merge)
    estimator = MSEstimator(method=method, nboot=nboot,
                            seed=int(db.setting("random.seed")) if seed is None else seed,
                            covariates=list(covariates) or None)
    result: dict[str, Any] = estimator.fit(table).to_dict()
    result["year"] = year
    result["list_members"] = {name: list(types) for name, types in
                              (lists or DEFAULT_LISTS).items()}
    if merge:
        result["merged_lists"] = sorted(merge)
    return result
