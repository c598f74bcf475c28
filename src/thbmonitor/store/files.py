"""The store's files on disk: private modes, its temp folder, leftovers of a killed run.

The store file, its write-ahead log, DuckDB's temp (spill) folder and the key
file are made readable by their owner only: files 0600 in folders 0700,
whatever the umask. DuckDB creates the WAL and the spill files itself, with
the process umask, so a process that opens a store for writing sets its umask
to 077 (`private_umask`): every file it makes from then on (exports included)
is private to the account that runs THB Monitor. Files that exist already
are tightened at open (`tighten`).

A SIGKILL leaves DuckDB's spill files (`<store>.tmp/duckdb_temp_*`) and an
interrupted creation (`.<store>.creating-<pid>`) behind; they may hold
pseudonymised intermediate results. `remove_leftovers` deletes them once this
process holds the store's write lock (DuckDB allows one writing process per
file, so nothing else can be using them).
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

FILE_MODE = 0o600
DIR_MODE = 0o700
PRIVATE_UMASK = 0o077


def temp_dir(path: Path) -> Path:
    """DuckDB's temp folder of the store at `path` (its default, made explicit)."""
    return path.with_name(path.name + ".tmp")


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def private_umask() -> None:
    """Files this process creates from now on are owner-only (see the module docstring)."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """`path` as a folder of mode 0700 (made when missing)."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != DIR_MODE:
        os.chmod(path, DIR_MODE)
    return path


def tighten(path: Path) -> None:
    """Make the store's files (database, WAL, key file) and temp folder owner-only."""
    for file in (path, wal_path(path), path.with_name(path.name + ".key")):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            os.chmod(file, FILE_MODE)
            log.warning("%s was readable by others (mode %o); it is now 0600", file.name, mode)
    folder = temp_dir(path)
    if folder.is_dir() and stat.S_IMODE(folder.stat().st_mode) != DIR_MODE:
        os.chmod(folder, DIR_MODE)


def remove_leftovers(path: Path) -> int:
    """Delete spill files and half-made stores a killed run left; return how many."""
    removed = 0
    folder = temp_dir(path)
    if folder.is_dir():
        for leftover in folder.iterdir():
            if leftover.is_file() and leftover.name.startswith("duckdb_temp"):
                leftover.unlink(missing_ok=True)
                removed += 1
    for leftover in path.parent.glob(f".{path.name}.creating-*"):
        pid = leftover.name.rsplit("-", 1)[-1].removesuffix(".wal")
        if pid.isdigit() and _alive(int(pid)):
            continue  # another process is creating the store right now
        leftover.unlink(missing_ok=True)
        removed += 1
    if removed:
        log.warning("removed %d temporary file(s) a previous run left beside %s", removed,
                    path.name)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
