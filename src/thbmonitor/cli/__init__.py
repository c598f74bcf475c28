"""The `thb` command line: a thin shell over the library.

Command modules register on the shared Typer `app` when imported here.
"""

from __future__ import annotations

import sys

# Command modules: imported for their registrations.
from thbmonitor.cli import commands  # noqa: E402,F401  (registration side effect)
from thbmonitor.cli.app import app, run

__all__ = ["app", "main", "run"]


def main() -> None:
    """Entry point of the `thb` script: exit codes 0, 1, 2 and 130 (interrupted)."""
    sys.exit(run())
