"""Where a command may write its output (`--out`, `--export`), and how it writes there.

Every file THB Monitor writes for the user (an export, the report, its
tables, the quarantine) goes through `output_file`:

- an existing file is not overwritten unless the caller says so (`force`,
  the CLI's `--force`);
- a store is never overwritten, not even with `force`: a file that is a
  DuckDB database (recognised by its content, `store.identity.sniff`, so a
  renamed, linked or symlinked store too), the store being used, its WAL
  or its key file, and any name ending in ``.wal`` or ``.key`` (a file of
  that name beside a store would be replayed as its write-ahead log, or
  read as its key);
- the content goes to a temporary file in the target's folder, which is
  renamed onto the target only when it is complete: a crash, a full disk or
  Ctrl-C leaves the old file (or none), never half a file. Without `force`
  the rename is a hard link, which fails when the target appeared meanwhile.

Person-level output (`private=True`) is created mode 0600.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Literal, cast, overload

from thbmonitor.errors import StoreRefusedError, UsageError

__all__ = ["PROTECTED_SUFFIXES", "OutputRefusedError", "check_output", "check_output_dir",
           "output_file"]

#: Names an output never gets: a store's write-ahead log and its key file.
PROTECTED_SUFFIXES = (".wal", ".key")


class OutputRefusedError(UsageError):
    """An output path that must not be written (exit code 2; nothing was written)."""


def _store_files(store: Path) -> list[Path]:
    return [store, store.with_name(store.name + ".wal"), store.with_name(store.name + ".key")]


def _is_duckdb(path: Path) -> bool:
    from thbmonitor.store.identity import sniff

    try:
        sniff(path)  # refuses whatever is not a DuckDB file by its first bytes
    except StoreRefusedError:
        return False
    return True


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def check_output(path: str | Path, *, force: bool = False,
                 stores: Iterable[str | Path] = ()) -> Path:
    """`path` if an output may be written there; else an OutputRefusedError saying why.

    `stores`: the stores the command uses (`--db`, `$THB_DB`); neither they nor their
    WAL or key file may be the target, under any name.
    """
    target = Path(path)
    name = target.name
    if name.lower().endswith(PROTECTED_SUFFIXES):
        raise OutputRefusedError(
            f"refusing to write {target}: a name ending in .wal or .key is a store's "
            "write-ahead log or key file; choose another name")
    for store in stores:
        for protected in _store_files(Path(store)):
            if _same(target, protected):
                raise OutputRefusedError(
                    f"refusing to write {target}: it is the store {store} or its WAL or key "
                    "file; choose another name (nothing was written)")
    if target.is_dir():
        raise OutputRefusedError(f"{target} is a directory; give the path of a file")
    if target.exists() or target.is_symlink():
        if not target.is_file():  # a device, a pipe, a dangling link: never renamed over
            raise OutputRefusedError(
                f"refusing to write {target}: it is not a regular file (to write to standard "
                "output, leave out --out)")
        if _is_duckdb(target):
            raise OutputRefusedError(
                f"refusing to write {target}: it is a DuckDB database (a store), which an "
                "output never replaces, not even with --force; choose another name")
        if not force:
            raise OutputRefusedError(
                f"{target} exists; give --force to replace it, or choose another name "
                "(nothing was written)")
    return target


def check_output_dir(path: str | Path, *, force: bool = False) -> Path:
    """`path` if a folder of outputs may be written there (missing, empty, or `force`)."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise OutputRefusedError(f"{target} exists and is not a directory; choose another name")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise OutputRefusedError(
            f"{target} is a directory that is not empty; give --force to write into it "
            "(files of the same name are replaced, others kept), or choose another name")
    return target


@overload
def output_file(path: str | Path, *, binary: Literal[False] = False, force: bool = False,
                private: bool = False, stores: Iterable[str | Path] = ()
                ) -> contextlib.AbstractContextManager[IO[str]]: ...
@overload
def output_file(path: str | Path, *, binary: Literal[True], force: bool = False,
                private: bool = False, stores: Iterable[str | Path] = ()
                ) -> contextlib.AbstractContextManager[IO[bytes]]: ...
def output_file(path: str | Path, *, binary: bool = False, force: bool = False,
                private: bool = False, stores: Iterable[str | Path] = ()
                ) -> contextlib.AbstractContextManager[IO[str]] | \
        contextlib.AbstractContextManager[IO[bytes]]:
    """A handle (text UTF-8, or bytes) whose content replaces `path` when the block ends.

    Checked first (`check_output`); nothing is left behind when the block fails.
    """
    return cast("contextlib.AbstractContextManager[IO[str]]",
                _output_file(Path(path), binary=binary, force=force, private=private,
                             stores=tuple(stores)))


@contextmanager
def _output_file(target: Path, *, binary: bool, force: bool, private: bool,
                 stores: tuple[str | Path, ...]) -> Iterator[IO[str] | IO[bytes]]:
    check_output(target, force=force, stores=stores)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name[:80]}.", suffix=".part",
                                     dir=target.parent)  # mode 0600
    temp = Path(temp_name)
    try:
        if not private:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)
        handle = (os.fdopen(fd, "wb") if binary
                  else os.fdopen(fd, "w", encoding="utf-8", newline=""))
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        check_output(target, force=force, stores=stores)  # nothing appeared meanwhile
        _move(temp, target, force=force)
    finally:
        temp.unlink(missing_ok=True)


def _move(temp: Path, target: Path, *, force: bool) -> None:
    if force:
        os.replace(temp, target)
        return
    try:
        os.link(temp, target)  # fails if the target exists: never a silent overwrite
    except FileExistsError:
        raise OutputRefusedError(
            f"{target} appeared while it was being written; give --force to replace it"
        ) from None
    except OSError:  # a file system without hard links: checked just above
        os.replace(temp, target)
