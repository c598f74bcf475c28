"""The CSV form every export writes: a header, then one line per row.

Every cell goes through `thbmonitor.safe_text.spreadsheet_cell`: a text that a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first)
gets a leading ``'`` (OWASP's rule); numbers stay numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from thbmonitor.safe_text import spreadsheet_cell, spreadsheet_row

__all__ = ["write_grid", "write_rows"]


def write_rows(handle: IO[str], columns: Sequence[str],
               rows: Iterable[Mapping[str, Any]]) -> int:
    """Write `rows` under the header `columns`; return the number of rows written."""
    writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
    writer.writerow({name: spreadsheet_cell(name) for name in columns})
    count = 0
    for row in rows:
        writer.writerow({name: spreadsheet_cell(value) for name, value in row.items()})
        count += 1
    return count


def write_grid(handle: IO[str], rows: Iterable[Sequence[Any]], *,
               lineterminator: str = "\n") -> int:
    """Write `rows` (the first one is the header, if any) cell by cell; return their number."""
    writer = csv.writer(handle, lineterminator=lineterminator)
    count = 0
    for row in rows:
        writer.writerow(spreadsheet_row(row))
        count += 1
    return count
