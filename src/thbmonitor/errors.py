"""The exception tree. Exceptions are for faults; problems in data are reports.

Every message says what to try next and never contains a personal value.
Each class carries the exit code the command line gives it (CONTRACTS §2:
1 invalid data or a failed check, 2 wrong usage).
"""

from __future__ import annotations

__all__ = [
    "ThbError", "UsageError", "StoreError", "StoreRefusedError", "KeyMissingError", "DataError",
]


class ThbError(Exception):
    """Root of every error THB Monitor raises on purpose."""

    exit_code: int = 1


class UsageError(ThbError):
    """The command or call was used wrongly (exit code 2)."""

    exit_code = 2


class StoreError(ThbError):
    """The database cannot be opened, migrated or written."""


class StoreRefusedError(StoreError):
    """The file is not a store this version may use: missing, not a THB Monitor store,
    not a DuckDB file, or made by a newer version (exit code 2; the file is left untouched)."""

    exit_code = 2


class KeyMissingError(ThbError):
    """The pseudonymisation key is missing or does not match the database."""


class DataError(ThbError):
    """Input data cannot be read at all (not: rows with errors, which are a report)."""
