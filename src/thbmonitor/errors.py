"""The exception tree. Exceptions are for faults; problems in data are reports.

Every message says what to try next and never contains a personal value.
"""

from __future__ import annotations

__all__ = ["ThbError", "UsageError", "StoreError", "KeyMissingError", "DataError"]


class ThbError(Exception):
    """Root of every error THB Monitor raises on purpose."""


class UsageError(ThbError):
    """The command or call was used wrongly (exit code 2)."""


class StoreError(ThbError):
    """The database cannot be opened, migrated or written."""


class KeyMissingError(ThbError):
    """The pseudonymisation key is missing or does not match the database."""


class DataError(ThbError):
    """Input data cannot be read at all (not: rows with errors, which are a report)."""
