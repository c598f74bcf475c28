"""The `thb` command line: a thin shell over the library.

Command modules register on the shared Typer `app` when imported here.
"""

from __future__ import annotations

import sys

try:
    # Command modules: imported for their registrations.
    from thbmonitor.cli import commands  # noqa: F401  (registration side effect)
    from thbmonitor.cli.app import app, run
except KeyboardInterrupt:  # Ctrl-C while Python starts `thb`: nothing has run yet
    sys.stderr.write("\ninterrupted; nothing was stored\n")
    sys.exit(130)

__all__ = ["app", "main", "run"]


def main() -> None:
    """Entry point of the `thb` script: exit codes 0, 1, 2 and 130 (interrupted).

    Once `run` has returned, the command has said what it did; a Ctrl-C in the moment
    between that and the process's end is ignored rather than shown as a traceback
    (issue #10: a SIGINT landing there ended the process as killed, exit -2).
    """
    sys.exit(run(exiting=True))
