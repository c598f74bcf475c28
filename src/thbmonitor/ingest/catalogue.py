"""The error catalogue: every problem the intake reports, with a stable code.

Codes are kebab-case and never change meaning once released; docs/data-formats.md
documents each one (a test fails when a code here is not documented there).
A message says what is wrong and what to do; it never contains the value of a
cell whose column holds personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class ErrorType:
    code: str
    title: str
    #: Template with {column}, {detail} (a non-personal value, a suggestion or the
    #: allowed values, with its leading space or parenthesis) and {file}; says what to do.
    template: str
    #: File-level errors stop the import whatever `--partial` says.
    file_level: bool = False
    #: An example column and detail, for the documentation (docs/data-formats.md shows
    #: `example()` for every code; a test checks it).
    example_column: str | None = None
    example_detail: str = ""

    def example(self) -> str:
        """The message of a typical occurrence, as the user sees it."""
        return message(self.code, column=self.example_column, detail=self.example_detail,
                       file="reports.xlsx")


_TYPES = (
    ErrorType("unsupported-file", "Unsupported file",
              "{file} is not a CSV or XLSX file the intake can read ({detail}); "
              "export it as CSV (UTF-8) or XLSX and import again.", True,
              example_detail="it is named .xlsx but is not an XLSX workbook; perhaps a "
                             "renamed CSV or text file"),
    ErrorType("encoding-error", "Unreadable text encoding",
              "{file} is not UTF-8{detail}; save it as UTF-8 (CSV UTF-8 in Excel) and import "
              "again.",
              True, example_detail=" and reading it as Windows-1252 gives text in another "
                                   "script (Cyrillic or Greek?)"),
    ErrorType("file-too-large", "File too large",
              "{file} is too large to import{detail}; split it into smaller files, or ask an "
              "administrator to raise the limit (docs/data-formats.md).", True,
              example_detail=" (1,536 MB; at most 1,024 MB: setting ingest.max_file_mb)"),
    ErrorType("too-many-rows", "Too many rows",
              "{file} has too many data rows{detail}; split it into smaller files.", True,
              example_detail=" (more than 2,000,000: setting ingest.max_rows)"),
    ErrorType("too-many-columns", "Too many columns",
              "{file} has too many columns{detail}; export only the columns of its kind "
              "(docs/data-formats.md).", True,
              example_detail=" (50,000; at most 500: setting ingest.max_columns)"),
    ErrorType("field-too-long", "Cell too long",
              "{file} has a cell longer than the limit{detail}; check the quoting of that row "
              "(an unclosed quote joins many lines into one cell).", True,
              example_detail=" (row 12, line 13, column notes; at most 10,000 characters: "
                             "setting ingest.max_field_chars)"),
    ErrorType("empty-file", "No data",
              "{file} has no header row or no data rows; check that the right file was exported.",
              True),
    ErrorType("missing-column", "Required column missing",
              "required column '{column}' is not in the header; add it (names are matched "
              "case-insensitively).", True, example_column="report_date"),
    ErrorType("personal-column", "Personal data in a file that must hold none",
              "column '{column}' looks like a name or an identifier, and {file} is a file "
              "of concerns, which are counted, never linked{detail}; remove the column and "
              "import again.", True, example_column="given_name",
              example_detail=" (CONTRACTS section 8)"),
    ErrorType("duplicate-column", "Column given twice",
              "{detail} appears more than once in the header; keep one (if the file has no "
              "header row, add one).", True, example_column="source",
              example_detail="column 'source'"),
    ErrorType("malformed-row", "Wrong number of fields",
              "this row has {detail}; check quoting and delimiters in this row.",
              example_detail="3 fields where the header has 5"),
    ErrorType("missing-value", "Required value missing",
              "'{column}' is required{detail}; fill it in.", example_column="source_type",
              example_detail=" for a source that is not registered yet"),
    ErrorType("invalid-date", "Not a date",
              "'{column}' is not a valid date{detail}; write it as YYYY-MM-DD or DD-MM-YYYY.",
              example_column="report_date",
              example_detail=" (it has a time of day other than 00:00; give the date only)"),
    ErrorType("date-in-future", "Date in the future",
              "'{column}' lies in the future; check the date.", example_column="report_date"),
    ErrorType("date-out-of-range", "Implausible date",
              "'{column}' is outside the plausible range ({detail}); check the date.",
              example_column="report_date", example_detail="1900 to today"),
    ErrorType("inconsistent-dates", "Dates in the wrong order",
              "'{column}' {detail}; check both dates.", example_column="end_date",
              example_detail="is before start_date"),
    ErrorType("invalid-number", "Not a number",
              "'{column}' must be {detail}; correct the value.", example_column="birth_year",
              example_detail="a whole number"),
    ErrorType("unknown-value", "Value not in the vocabulary",
              "'{column}' has a value outside the vocabulary{detail}.",
              example_column="exploitation",
              example_detail=" (did you mean 'sexual'?); use one of: sexual, "
                             "labour, criminal, organ_removal, other, unknown, or a synonym "
                             "listed in docs/data-formats.md"),
    ErrorType("unknown-country", "Country not recognised",
              "'{column}' is not a recognised country{detail}; use an ISO 3166-1 code (NL, "
              "NLD), an English or Dutch country name or nationality, or 'unknown' / "
              "'stateless'.", example_column="nationality",
              example_detail=" (did you mean NL, Netherlands?)"),
    ErrorType("invalid-phone", "Not a phone number",
              "'{column}' cannot be read as a phone number; write it with its country code "
              "(+31 6 ...) or as a Dutch number.", example_column="contact_phone"),
    ErrorType("duplicate-id", "Identifier used twice",
              "'{column}' repeats an identifier of an earlier row of this file{detail}; each "
              "must be unique.", example_column="report_id",
              example_detail=" (first used in row 3, line 4)"),
    ErrorType("duplicate-row", "Row given twice",
              "this row repeats an earlier row of this file exactly; remove one."),
    ErrorType("conflicting-id", "Identifier already stored with other values",
              "'{column}' was already imported with different values{detail}; a stored record "
              "is never overwritten silently: correct the file, or ask an administrator to "
              "import the correction with `thb import --replace`.", example_column="report_id"),
    ErrorType("unknown-reference", "Reference to a missing record",
              "'{column}' points at {detail} that is not in the database; import that file "
              "first, or correct the reference.", example_column="investigation_id",
              example_detail="an investigation"),
    ErrorType("source-type-mismatch", "Organisation type differs",
              "'{column}' differs from the type registered for this source{detail}; use the "
              "registered type or correct the source code.", example_column="source_type",
              example_detail=" (registered: police)"),
)

CATALOGUE = MappingProxyType({t.code: t for t in _TYPES})


def message(code: str, *, column: str | None, detail: str = "", file: str = "") -> str:
    """The user-facing message of an error."""
    return CATALOGUE[code].template.format(column=column or "", detail=detail, file=file)
