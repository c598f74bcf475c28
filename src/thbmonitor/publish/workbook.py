"""Reusable tables: every published table as one XLSX workbook or a folder of CSV files.

Made from the same `Table` objects as the HTML and the PDF
(`thbmonitor.publish.tables.report_tables`), so they hold the same protected
values: counts as numbers, a suppressed cell as `NOT_PUBLISHED`, a year
without data as ``–``. The workbook has a first sheet with the title,
publisher, legend and source, then one sheet per table with its notes; the
CSV folder has one file per table and ``legend.csv``. openpyxl writes the
workbook (a maintained library; no home-made XLSX).

Every text cell, in the CSV files and the workbook alike, goes through
`thbmonitor.safe_text` (a text that a spreadsheet would run as a formula gets a
leading ``'``; numbers stay numbers), and every file is written whole or not at
all (`thbmonitor.output_file`): an existing file is replaced only with
``force``, a store or key file never.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from thbmonitor.errors import UsageError
from thbmonitor.output_file import check_output_dir, output_file
from thbmonitor.publish.exports.csv_out import write_grid
from thbmonitor.publish.tables import MISSING, Table, report_tables
from thbmonitor.publish.texts import NOT_PUBLISHED, Texts, texts_for
from thbmonitor.safe_text import workbook_cell

__all__ = ["TABLE_FORMATS", "legend_lines", "table_grid", "write_tables"]

TABLE_FORMATS = ("xlsx", "csv")
NO_DATA = "–"


def _cell(value: Any) -> Any:
    if value is MISSING:
        return NO_DATA
    if value is None:
        return NOT_PUBLISHED
    return value


def table_grid(table: Table, t: Texts) -> list[list[Any]]:
    """The table as rows of cells: a header row, then one row per category.

    Counts are numbers, shares are percentages rounded to one decimal.
    """
    header: list[Any] = [table.row_header]
    for year in table.years:
        header += [str(year), f"{year} %"]
    grid = [header]
    for row in table.rows:
        line: list[Any] = [row.label]
        for value, share in zip(row.values, row.shares(), strict=True):
            if row.kind == "heading":
                line += ["", ""]
                continue
            line.append(_cell(value))
            line.append("" if share is MISSING or row.kind == "pct"
                        else _cell(None if share is None else round(share, 1)))
        grid.append(line)
    return grid


def legend_lines(release: Mapping[str, Any], t: Texts) -> list[str]:
    """The first sheet: what the tables are, the legend, publisher and source."""
    figures = release["figures"]
    publication = release.get("publication") or {}
    provenance = release.get("provenance") or {}
    return [
        t._("Trafficking in human beings: annual figures %(year)s", year=int(figures["year"])),
        str(publication.get("publisher") or "THB Monitor"),
        t._("%(marker)s = not published: a small number, or a number from which a small "
            "number could be recomputed.", marker=NOT_PUBLISHED),
        t._("%(marker)s = no data for that year.", marker=NO_DATA),
        f"THB Monitor {provenance.get('version', '')} · {provenance.get('data_hash', '')}",
    ]


def _sheet_name(table: Table, used: set[str]) -> str:
    name = table.id[:31]
    n = 2
    while name in used:
        name = f"{table.id[:28]}-{n}"
        n += 1
    used.add(name)
    return name


def write_tables(release: Mapping[str, Any], path: str | Path, lang: str = "nl",
                 kind: str = "xlsx", *, force: bool = False) -> Path:
    """Write every published table to ``path`` (an .xlsx file, or a folder for csv).

    ``force``: replace an existing file (for csv: write into a folder that is not empty,
    replacing the tables' own files).
    """
    if kind not in TABLE_FORMATS:
        raise UsageError(f"--tables takes one of: {', '.join(TABLE_FORMATS)}")
    t = texts_for(lang)
    tables = report_tables(release, t)
    target = Path(path)
    if kind == "csv":
        check_output_dir(target, force=force)
        with output_file(target / "legend.csv", force=force) as handle:
            write_grid(handle, ([line] for line in legend_lines(release, t)),
                       lineterminator="\r\n")
        for table in tables:
            with output_file(target / f"{table.id}.csv", force=force) as handle:
                write_grid(handle, table_grid(table, t), lineterminator="\r\n")
        return target

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    front = book.active
    assert front is not None
    front.title = t._("Legend")[:31]
    for i, line in enumerate(legend_lines(release, t), start=1):
        front.cell(row=i, column=1, value=workbook_cell(line))
    front.cell(row=1, column=1).font = Font(bold=True, size=14)
    front.cell(row=7, column=1, value=t._("Tables")).font = Font(bold=True)
    used: set[str] = {front.title}
    for i, table in enumerate(tables, start=8):
        name = _sheet_name(table, used)
        front.cell(row=i, column=1, value=name)
        front.cell(row=i, column=2, value=workbook_cell(table.title))
        sheet = book.create_sheet(name)
        sheet.cell(row=1, column=1, value=workbook_cell(table.title)).font = Font(bold=True)
        grid = table_grid(table, t)
        for r, cells in enumerate(grid, start=3):
            for c, value in enumerate(cells, start=1):
                cell = sheet.cell(row=r, column=c, value=workbook_cell(value))
                if r == 3:
                    cell.font = Font(bold=True)
        row = len(grid) + 4
        for text in [*table.notes, legend_lines(release, t)[2]]:
            sheet.cell(row=row, column=1, value=workbook_cell(text))
            row += 1
        sheet.column_dimensions["A"].width = 44
    with output_file(target, binary=True, force=force) as handle:
        book.save(handle)
    return target
