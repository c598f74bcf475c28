"""The result of validating and importing one file (frictionless style).

Problems in the data are a report, not an exception: `valid`, `stats`,
`errors`, `to_dict()`; `thb import --json` prints exactly `to_dict()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from thbmonitor.ingest.catalogue import CATALOGUE, message


def plural(n: int, noun: str, plural_form: str | None = None) -> str:
    """`1 row`, `2 rows`, `0 rows`: a count with its noun in the right number."""
    return f"{n:,} {noun if n == 1 else (plural_form or noun + 's')}"


@dataclass(frozen=True)
class RowError:
    """One problem: file, row (1 = first data row; None for the file), column, code.

    `line` is the spreadsheet line of the row: the data row + 1 for the header, what
    Excel shows at the left of the row.
    """

    file: str
    row: int | None
    column: str | None
    code: str
    message: str

    @property
    def line(self) -> int | None:
        return None if self.row is None else self.row + 1

    @classmethod
    def make(
        cls, file: str, row: int | None, column: str | None, code: str, detail: str = ""
    ) -> RowError:
        return cls(file, row, column, code, message(code, column=column, detail=detail, file=file))

    @property
    def triple(self) -> tuple[int | None, str | None, str]:
        return (self.row, self.column, self.code)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "line": self.line, "column": self.column,
                "code": self.code, "message": self.message}


@dataclass
class ImportReport:
    """What happened to one file."""

    file: str
    kind: str
    file_hash: str = ""
    partial: bool = False
    rows: int = 0
    stored: int = 0
    unchanged: int = 0
    quarantined: int = 0
    #: Rows of earlier imports that left the quarantine because this import stored them.
    resolved: int = 0
    already_imported: bool = False
    import_id: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    errors: list[RowError] = field(default_factory=list)
    #: Unknown columns of the file that were not stored (their names, never a value).
    dropped_columns: list[str] = field(default_factory=list)
    #: How many errors there were; `errors` lists the first ingest.max_errors of them.
    errors_total: int | None = None
    #: How many rows had an error (all of them, also those beyond the listed errors).
    rows_with_errors: int | None = None

    @property
    def file_errors(self) -> list[RowError]:
        return [e for e in self.errors if CATALOGUE[e.code].file_level]

    @property
    def valid(self) -> bool:
        """True when the file had no problem at all."""
        return not self.errors

    @property
    def stored_anything(self) -> bool:
        return self.stored > 0 or self.quarantined > 0

    @property
    def succeeded(self) -> bool:
        """The import did what was asked: all rows valid, or `--partial` with no file error."""
        return self.valid or (self.partial and not self.file_errors)

    @property
    def error_rows(self) -> int:
        if self.rows_with_errors is not None:
            return self.rows_with_errors
        return len({e.row for e in self.errors if e.row is not None})

    @property
    def error_count(self) -> int:
        return self.errors_total if self.errors_total is not None else len(self.errors)

    def summary(self) -> str:
        """One sentence on what happened, in correct English for any count."""
        stats = self.stats()
        if self.succeeded:
            note = " (this file was imported before)" if self.already_imported else ""
            dropped = (f"; not stored: unknown {plural(len(self.dropped_columns), 'column')} "
                       f"{', '.join(self.dropped_columns)} (docs/data-formats.md)"
                       if self.dropped_columns else "")
            return (f"{self.file}: {plural(stats['rows'], 'row')}, {stats['stored']:,} stored, "
                    f"{stats['unchanged']:,} already stored, {stats['quarantined']:,} "
                    f"quarantined{note}{dropped}")
        problems = plural(self.error_count, "problem")
        where = (f" in {plural(self.error_rows, 'row')}" if self.error_rows
                 else " in the file as a whole")
        return (f"{self.file}: not imported — {problems}{where}; nothing was stored. Fix the "
                "file and import it again" + ("" if self.file_errors else
                                              ", or use --partial to store the valid rows") + ".")

    def stats(self) -> dict[str, Any]:
        return {
            "rows": self.rows, "stored": self.stored, "unchanged": self.unchanged,
            "quarantined": self.quarantined, "resolved": self.resolved,
            "error_rows": self.error_rows,
            "errors": self.error_count,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "file": self.file,
            "kind": self.kind,
            "file_hash": self.file_hash,
            "partial": self.partial,
            "already_imported": self.already_imported,
            "import_id": self.import_id,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "stats": self.stats(),
            "errors": [e.to_dict() for e in self.errors],
            "errors_listed": len(self.errors),
            "dropped_columns": list(self.dropped_columns),
        }
