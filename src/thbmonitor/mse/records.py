"""Capture tables from sightings: one row per (person, list).

This is what ``thb estimate`` needs: the linked persons of a year and, for
each, the lists (organisation types) that reported them. Lists can be merged
before counting, e.g. sparse lists into ``"other"`` (merging is the usual
remedy for lists that are too small or never overlap; Silverman 2020, JRSS A
183(3)).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from thbmonitor.errors import DataError, UsageError
from thbmonitor.mse.table import MAX_LISTS, CaptureTable

__all__ = ["capture_table_from_records"]


def capture_table_from_records(
    records: pd.DataFrame,
    person: str = "person_id",
    list_col: str = "list",
    covariates: Sequence[str] = (),
    merge: Mapping[str, str] | None = None,
    lists: Sequence[str] | None = None,
) -> CaptureTable:
    """Build a `CaptureTable` from one row per sighting of a person on a list.

    Parameters
    ----------
    records:
        One row per (person, list) sighting; repeated sightings count once.
    person, list_col:
        Column names of the person identifier and the list.
    covariates:
        Person-level categorical columns (e.g. ``age_group``, ``sex``). A person
        must have one value per covariate; missing values become ``"unknown"``.
    merge:
        Maps list names to new names, e.g. ``{"ngo": "other", "self": "other"}``;
        lists not in the mapping keep their name.
    lists:
        The lists, in column order (default: sorted names after merging). A named
        list that no one is on is kept as an empty column.

    Returns
    -------
    A table with one 0/1 column per list (and the covariates as strata).
    """
    for col in (person, list_col, *covariates):
        if col not in records.columns:
            raise UsageError(f"records have no column {col!r}")
    frame = records[[person, list_col, *covariates]].copy()
    frame = frame.dropna(subset=[person, list_col])
    frame[list_col] = frame[list_col].astype(str)
    if merge:
        frame[list_col] = frame[list_col].replace(dict(merge))
    names = list(lists) if lists is not None else sorted(frame[list_col].unique())
    unknown = sorted(set(frame[list_col]) - set(names))
    if unknown:
        raise UsageError(f"records name lists not in `lists`: {', '.join(unknown)}")
    if len(names) < 2:
        raise DataError("at least two lists are needed for multiple systems estimation")
    if len(names) > MAX_LISTS:
        raise DataError(f"{len(names)} lists; merge some (at most {MAX_LISTS})")
    index = {n: i for i, n in enumerate(names)}
    bits = frame[list_col].map(index).to_numpy(dtype=np.int64)
    frame["_bit"] = np.left_shift(1, bits)
    # Distinct bits add up to their union; all vectorised (no Python per person).
    distinct = frame.drop_duplicates([person, "_bit"])
    pattern = distinct.groupby(person, sort=False)["_bit"].sum()
    if covariates:
        cov = frame.groupby(person, sort=False)[list(covariates)].first()
        cov = cov.astype(object).where(cov.notna(), "unknown").astype(str)
        per = pd.concat([pattern, cov], axis=1)
    else:
        per = pattern.to_frame()
    per = per.rename(columns={"_bit": "_pattern"})
    cols = ["_pattern", *covariates]
    grouped = per.groupby(cols, sort=True).size().rename("count").reset_index()
    flags = (grouped["_pattern"].to_numpy()[:, None] >> np.arange(len(names))) & 1
    table = pd.DataFrame(flags, columns=names)
    for c in covariates:
        table[c] = grouped[c].to_numpy()
    table["count"] = grouped["count"].to_numpy()
    return CaptureTable.from_frame(table, covariates=covariates)
