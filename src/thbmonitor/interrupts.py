"""A Ctrl-C that must not be lost: the flag the command line sets, the store's commit reads.

Python runs a signal handler between two bytecodes of the main thread, wherever that is.
When it lands in Python code that C code called (DuckDB's C++ importing pandas to look at
a query's parameters, say), the exception the handler raises can be swallowed there, and
the work would go on to commit as if nothing had happened. So the handler also sets this
flag, and `Database.transaction` refuses to commit once it is set: it rolls back and
raises `KeyboardInterrupt`, which the command line reports as an interrupt.

Only the command line sets it (`thbmonitor.cli.app.run`); a library caller that never
calls `request` never sees it.
"""

from __future__ import annotations

import threading

__all__ = ["clear", "raise_if_requested", "request", "requested"]

_requested = threading.Event()


def request() -> None:
    """Ctrl-C came: no transaction commits from now on (until `clear`)."""
    _requested.set()


def clear() -> None:
    """A new command starts: earlier interrupts are forgotten."""
    _requested.clear()


def requested() -> bool:
    return _requested.is_set()


def raise_if_requested() -> None:
    """`KeyboardInterrupt` when Ctrl-C came, whether or not its exception got through."""
    if _requested.is_set():
        raise KeyboardInterrupt
