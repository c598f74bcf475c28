"""The CSV form every export writes: a header, then one line per row."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any


def write_rows(handle: IO[str], columns: Sequence[str],
               rows: Iterable[Mapping[str, Any]]) -> int:
    """Write `rows` under the header `columns`; return the number of rows written."""
    writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
