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
    #: Template with {column}, {detail} (a non-personal value or list of
    #: allowed values) and {file}; says what to do.
    template: str
    #: File-level errors stop the import whatever `--partial` says.
    file_level: bool = False


_TYPES = (
    ErrorType("unsupported-file", "Unsupported file",
              "{file} is not a CSV or XLSX file the intake can read ({detail}); "
              "export it as CSV (UTF-8) or XLSX and import again.", True),
    ErrorType("encoding-error", "Unreadable text encoding",
              "{file} is not UTF-8{detail}; save it as UTF-8 (CSV UTF-8 in Excel) and import "
              "again.",
              True),
    ErrorType("empty-file", "No data",
              "{file} has no header row or no data rows; check that the right file was exported.",
              True),
    ErrorType("missing-column", "Required column missing",
              "required column '{column}' is not in the header; add it (names are matched "
              "case-insensitively).", True),
    ErrorType("duplicate-column", "Column given twice",
              "column '{column}' appears more than once in the header; keep one.", True),
    ErrorType("malformed-row", "Wrong number of fields",
              "this row has {detail} fields where the header has a different number; check "
              "quoting and delimiters in this row."),
    ErrorType("missing-value", "Required value missing",
              "'{column}' is required{detail}; fill it in."),
    ErrorType("invalid-date", "Not a date",
              "'{column}' is not a valid date; write it as YYYY-MM-DD or DD-MM-YYYY."),
    ErrorType("date-in-future", "Date in the future",
              "'{column}' lies in the future; check the date."),
    ErrorType("date-out-of-range", "Implausible date",
              "'{column}' is outside the plausible range ({detail}); check the date."),
    ErrorType("inconsistent-dates", "Dates in the wrong order",
              "'{column}' {detail}; check both dates."),
    ErrorType("invalid-number", "Not a number",
              "'{column}' must be {detail}; correct the value."),
    ErrorType("unknown-value", "Value not in the vocabulary",
              "'{column}' has a value outside the vocabulary{detail}; use one of the values "
              "listed in docs/data-formats.md."),
    ErrorType("unknown-country", "Country not recognised",
              "'{column}' is not a recognised country; use an ISO 3166-1 code (NL, NLD) or an "
              "English or Dutch country name, or 'unknown' / 'stateless'."),
    ErrorType("invalid-phone", "Not a phone number",
              "'{column}' cannot be read as a phone number; write it with its country code "
              "(+31 6 ...) or as a Dutch number."),
    ErrorType("duplicate-id", "Identifier used twice",
              "'{column}' repeats an identifier of an earlier row of this file{detail}; each "
              "must be unique."),
    ErrorType("duplicate-row", "Row given twice",
              "this row repeats an earlier row of this file exactly; remove one."),
    ErrorType("conflicting-id", "Identifier already stored with other values",
              "'{column}' was already imported with different values{detail}; a stored record "
              "is never overwritten silently: correct the file, or ask an administrator to "
              "import the correction with `thb import --replace`."),
    ErrorType("unknown-reference", "Reference to a missing record",
              "'{column}' points at a {detail} that is not in the database; import that file "
              "first, or correct the reference."),
    ErrorType("source-type-mismatch", "Organisation type differs",
              "'{column}' differs from the type registered for this source{detail}; use the "
              "registered type or correct the source code."),
)

CATALOGUE = MappingProxyType({t.code: t for t in _TYPES})


def message(code: str, *, column: str | None, detail: str = "", file: str = "") -> str:
    """The user-facing message of an error."""
    return CATALOGUE[code].template.format(column=column or "", detail=detail, file=file)
