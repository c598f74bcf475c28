"""`thb init`, `thb status`, `thb import` (`thb quarantine`: cli/quarantine.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from thbmonitor.cli.app import (
    EXIT_INVALID,
    DbOption,
    JsonOption,
    app,
    console,
    default_db,
    emit,
    emit_json,
    err_console,
    user_errors,
)
from thbmonitor.ingest import KINDS, ImportReport, import_file
from thbmonitor.store import Database, load_key

_STAGES = ("read", "pseudonymise", "validate", "store")


@contextmanager
def open_store(db: Path | None, *, create: bool) -> Iterator[tuple[Database, bytes]]:
    """The database and its pseudonymisation key (created together when allowed), closed
    on leaving the block, also when the key is missing or wrong."""
    path = db or default_db()
    existed = path.exists()
    database = Database(path, create=create)
    try:
        key = load_key(path, create=create and not existed)
        database.check_key(key)
        yield database, key
    finally:
        database.close()


@app.command("init")
def init(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Create an empty database (and its key file, unless $THB_KEY is set)."""
    with user_errors(), open_store(db, create=True) as (database, _):
        status = database.status()
    if as_json:
        emit_json({"database": str(db or default_db()), **status})
    else:
        console.print(f"database ready: {db or default_db()}")


@app.command("status")
def status(db: DbOption = None, as_json: JsonOption = False) -> None:
    """What the database holds."""
    with user_errors(), Database(db or default_db(), create=False) as database:
        counts = database.status()
    if as_json:
        emit_json(counts)
        return
    table = Table("table", "rows", title=str(db or default_db()))
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    console.print(table)


@app.command("import")
def import_(
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(KINDS)}.")],
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8, ',' or ';') or XLSX file.")],
    db: DbOption = None,
    partial: Annotated[bool, typer.Option(
        "--partial", help="Store the valid rows; put bad rows in quarantine.")] = False,
    replace: Annotated[bool, typer.Option(
        "--replace",
        help="Replace stored records whose identifier comes again with other values.")] = False,
    vintage: Annotated[str | None, typer.Option(
        "--vintage", help="Delivery label, e.g. '2024-Q4' (default: today's date).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Import one file of one kind (CONTRACTS §1); all-or-nothing unless --partial."""
    if kind not in KINDS:
        kinds = ", ".join(KINDS)
        err_console.print(f"[red]error:[/red] unknown kind {kind!r}; use one of: {kinds}")
        raise typer.Exit(2)
    with user_errors(), open_store(db, create=True) as (database, key):
        if as_json:
            report = import_file(database, kind, file, key=key, partial=partial,
                                 replace=replace, vintage=vintage)
        else:
            with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                          console=err_console, transient=True) as bar:
                task = bar.add_task(f"importing {file.name}", total=len(_STAGES))

                def step(stage: str) -> None:
                    bar.update(task, completed=_STAGES.index(stage),
                               description=f"{file.name}: {stage}")

                report = import_file(database, kind, file, key=key, partial=partial,
                                     replace=replace, vintage=vintage, progress=step)
    emit(report, as_json, _render_import)
    if not report.valid:  # with --partial too: rows were rejected (the valid ones are stored)
        raise typer.Exit(EXIT_INVALID)


def _render_import(result: Any) -> None:
    report: ImportReport = result
    stats = report.stats()
    if report.succeeded:
        note = " (this file was imported before)" if report.already_imported else ""
        console.print(
            f"[green]{report.file}[/green]: {stats['rows']:,} rows, {stats['stored']:,} stored, "
            f"{stats['unchanged']:,} already stored, {stats['quarantined']:,} quarantined{note}"
        )
    else:
        console.print(f"[red]{report.file}: not imported[/red] — {len(report.errors):,} problems "
                      f"in {report.error_rows:,} rows; nothing was stored. Fix the file and import "
                      "it again, or use --partial to store the valid rows.")
    if report.errors:
        table = Table("row", "column", "code", "what to do")
        for error in report.errors[:50]:
            table.add_row("" if error.row is None else str(error.row), error.column or "",
                          error.code, error.message)
        console.print(table)
        if len(report.errors) > 50:
            console.print(f"... and {len(report.errors) - 50:,} more (use --json for all)")
