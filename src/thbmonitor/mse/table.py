"""The capture table: how many people each combination of lists saw.

A table with ``k`` lists has ``2**k - 1`` observable capture patterns. Pattern
``c`` (an integer from 1 to ``2**k - 1``) has bit ``i`` set when list ``i``
(the ``i``-th list column, counting from 0) saw the person; its count is
``counts[c - 1]``. The all-zero pattern, the people no list saw, is the dark
figure that multiple systems estimation estimates, so it is never a cell of
the table (a row for it in a file is ignored).

With covariates the table is stratified: one row of counts per combination
of covariate levels (``strata``), and ``counts`` is their sum.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from thbmonitor.errors import DataError, UsageError

__all__ = ["CaptureTable", "MAX_LISTS"]

#: More lists than this make the 2**k cell table itself unwieldy.
MAX_LISTS = 16


@dataclass(frozen=True, eq=False)
class CaptureTable:
    """Counts of people per capture pattern, optionally per covariate stratum.

    Parameters
    ----------
    lists:
        List names, in column order.
    counts:
        Pooled counts, shape ``(2**k - 1,)``; ``counts[c - 1]`` is pattern ``c``.
    strata:
        With covariates: one row per stratum, one column per covariate.
    strata_counts:
        With covariates: shape ``(len(strata), 2**k - 1)``.
    """

    lists: tuple[str, ...]
    counts: np.ndarray
    strata: pd.DataFrame | None = None
    strata_counts: np.ndarray | None = None
    covariates: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        k = len(self.lists)
        if k < 2:
            raise DataError("a capture table needs at least two lists (0/1 columns)")
        if k > MAX_LISTS:
            raise DataError(f"{k} lists is more than the {MAX_LISTS} supported; merge sparse lists")
        if len(set(self.lists)) != k:
            raise DataError("list names must be unique")
        if self.counts.shape != (2**k - 1,):
            raise DataError(f"expected {2**k - 1} pattern counts for {k} lists")
        if np.any(self.counts < 0):
            raise DataError("counts must not be negative")

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, covariates: Sequence[str] = (), count: str = "count"
    ) -> CaptureTable:
        """Build a table from one row per observed pattern: 0/1 list columns and `count`.

        Column names match case-insensitively and ignoring surrounding spaces. Every
        column that is neither `count` nor a named covariate is a list. Repeated
        patterns are added up; absent patterns count 0; the all-zero row is ignored.
        """
        names = {str(c).strip().lower(): c for c in frame.columns}
        if count.lower() not in names:
            raise DataError(
                f"the table has no '{count}' column; expected 0/1 list columns and '{count}'"
            )
        count_col = names[count.lower()]
        cov_cols = []
        for cov in covariates:
            if cov.strip().lower() not in names:
                raise UsageError(f"no covariate column '{cov}' in the table")
            cov_cols.append(names[cov.strip().lower()])
        list_cols = [c for c in frame.columns if c != count_col and c not in cov_cols]
        lists = tuple(str(c).strip() for c in list_cols)
        if len(lists) < 2:
            raise DataError("a capture table needs at least two 0/1 list columns besides 'count'")
        if len(lists) > MAX_LISTS:
            raise DataError(f"{len(lists)} lists is more than the {MAX_LISTS} supported")
        for col in list_cols:
            if pd.to_numeric(frame[col], errors="coerce").isna().any():
                raise DataError(
                    f"column '{str(col).strip()}' is not a 0/1 list column; if it is a "
                    "covariate, name it with --covariates (covariates=...)"
                )
        try:
            flags = frame[list_cols].apply(pd.to_numeric).to_numpy(dtype=float)
            values = pd.to_numeric(frame[count_col]).to_numpy(dtype=float)
        except (ValueError, TypeError) as exc:
            raise DataError(f"list columns and '{count}' must be numbers ({exc})") from None
        if np.isnan(flags).any() or not np.isin(flags, (0.0, 1.0)).all():
            raise DataError("list columns must contain only 0 and 1")
        if np.isnan(values).any() or (values < 0).any() or (values != np.round(values)).any():
            raise DataError(f"'{count}' must contain whole numbers of 0 or more")
        patterns = (flags.astype(np.int64) << np.arange(len(lists), dtype=np.int64)).sum(axis=1)
        ncell = 2 ** len(lists) - 1
        keep = patterns > 0
        pooled = np.bincount(patterns[keep] - 1, weights=values[keep], minlength=ncell)
        if not cov_cols:
            return cls(lists=lists, counts=pooled)
        levels = frame.loc[keep, cov_cols].astype(str).apply(lambda s: s.str.strip())
        strata = levels.drop_duplicates().sort_values(cov_cols).reset_index(drop=True)
        strata.columns = [str(c).strip() for c in cov_cols]
        key = pd.MultiIndex.from_frame(levels.set_axis(strata.columns, axis=1))
        index = pd.MultiIndex.from_frame(strata).get_indexer(key)
        table = np.zeros((len(strata), ncell))
        np.add.at(table, (index, patterns[keep] - 1), values[keep])
        return cls(
            lists=lists, counts=pooled, strata=strata, strata_counts=table,
            covariates=tuple(strata.columns),
        )

    @classmethod
    def from_csv(cls, path: str | Path, covariates: Sequence[str] = ()) -> CaptureTable:
        """Read a CSV (UTF-8, with or without BOM; `,` or `;`) of patterns and counts."""
        path = Path(path)
        if not path.is_file():
            raise DataError(f"cannot read {path}: no such file")
        try:
            frame = pd.read_csv(path, sep=None, engine="python", encoding="utf-8-sig")
        except (UnicodeDecodeError, ValueError, csv.Error, OSError) as exc:
            raise DataError(f"cannot read {path} as a CSV capture table: {exc}") from None
        frame.columns = [str(c).strip() for c in frame.columns]
        return cls.from_frame(frame, covariates=covariates)

    @classmethod
    def from_counts(
        cls, lists: Sequence[str], counts: Sequence[float] | np.ndarray
    ) -> CaptureTable:
        """A table from list names and the ``2**k - 1`` counts in pattern order."""
        return cls(lists=tuple(lists), counts=np.asarray(counts, dtype=float))

    # -- views --------------------------------------------------------------------------

    @property
    def k(self) -> int:
        """Number of lists."""
        return len(self.lists)

    @property
    def observed(self) -> int:
        """Number of people seen by at least one list."""
        return int(round(float(self.counts.sum())))

    def with_counts(self, counts: np.ndarray) -> CaptureTable:
        """The same lists with other pooled counts (no strata)."""
        return CaptureTable(lists=self.lists, counts=np.asarray(counts, dtype=float))

    def pooled(self) -> CaptureTable:
        """The table without its covariates."""
        return self.with_counts(self.counts)

    def to_frame(self, include_zeros: bool = False) -> pd.DataFrame:
        """One row per pattern (observed patterns only unless `include_zeros`)."""
        cells = np.arange(1, 2**self.k)
        bits = (cells[:, None] >> np.arange(self.k)) & 1
        frame = pd.DataFrame(bits, columns=list(self.lists))
        frame["count"] = self.counts.astype(np.int64)
        return frame if include_zeros else frame[frame["count"] > 0].reset_index(drop=True)

    def __repr__(self) -> str:
        cov = f", covariates={list(self.covariates)}" if self.covariates else ""
        return f"CaptureTable(lists={list(self.lists)}, observed={self.observed}{cov})"
