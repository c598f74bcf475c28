"""The `thb` command line: a thin shell over the library.

Command modules register on the shared Typer `app` when imported here.
"""

from __future__ import annotations

# Command modules: imported for their registrations.
from thbmonitor.cli import commands  # noqa: E402,F401  (registration side effect)
from thbmonitor.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the `thb` script."""
    app()
