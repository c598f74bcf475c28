"""`thb init`, `thb status`, `thb import` (`thb quarantine`: cli/quarantine.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from thbmonitor.cli.app import (
    EXIT_INVALID,
    DbOption,
    JsonOption,
    app,
    console,
    emit,
    emit_json,
    on_interrupt,
    plain,
    plural,
    progress,
    stage_updater,
    store,
    user_errors,
)

_STAGES = ("read", "pseudonymise", "validate", "store")


@app.command("init")
def init(
    db: DbOption = None,
    encrypt: Annotated[bool, typer.Option(
        "--encrypt", help="Encrypt the new store at rest (AES-GCM) under the key in "
                          "$THB_STORE_KEY (64 hex digits, kept apart from the store).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Create an empty database and its key file (mode 0600, unless $THB_KEY is set);
    an existing store is brought up to date."""
    from thbmonitor.store import open_store

    with user_errors(), open_store(db, "create", encrypt=encrypt) as opened:
        status = opened.db.status()
        created, path, key_file = opened.created, opened.path, opened.key_file
        encrypted = opened.db.encrypted
    if encrypt and not created and not encrypted:
        console.print(f"[yellow]{plain(path)} existed and is not encrypted; --encrypt only "
                      "applies to a new store (docs/security.md: encrypting a store)[/]")
    if as_json:
        emit_json({"database": str(path), "created": created, "encrypted": encrypted,
                   "key_file": None if key_file is None else str(key_file), **status})
        return
    if created:
        where = (f"key file {plain(key_file)} (keep it safe: without it new reports never "
                 "match the stored ones)" if key_file else "key from $THB_KEY")
        sealed = " (encrypted at rest: $THB_STORE_KEY opens it)" if encrypted else ""
        console.print(f"database created: {plain(path)}{sealed}; {where}")
    else:
        console.print(f"database ready: {plain(path)} (it existed; schema up to date)")


@app.command("status")
def status(db: DbOption = None, as_json: JsonOption = False) -> None:
    """What the database holds."""
    from rich.table import Table

    with user_errors(), store(db, "read") as opened:
        counts = opened.db.status()
        path = opened.path
    if as_json:
        emit_json(counts)
        return
    table = Table("table", "rows", title=plain(path))
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    console.print(table)


@app.command("import")
def import_(
    kind: Annotated[str, typer.Argument(
        help="reports, locations, investigations, suspects, cases or verdicts "
             "(docs/data-formats.md).", show_default=False)],
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8, ',' or ';') or XLSX file.",
                                         show_default=False)],
    db: DbOption = None,
    partial: Annotated[bool, typer.Option(
        "--partial", help="Store the valid rows; put bad rows in quarantine.")] = False,
    replace: Annotated[bool, typer.Option(
        "--replace",
        help="Replace stored records whose identifier comes again with other values "
             "(written to the audit log with the counts).")] = False,
    vintage: Annotated[str | None, typer.Option(
        "--vintage", help="Delivery label, e.g. '2024-Q4' (default: today's date).")] = None,
    as_json: JsonOption = False,
    table: Annotated[list[str] | None, typer.Option(
        "--table", help="With `thb import parquet FOLDER`: a table to take back (repeatable; "
                        "default: the linkage's tables).", show_default=False)] = None,
) -> None:
    """Import one file of one kind (docs/CONTRACTS.md §1); all-or-nothing unless --partial."""
    from thbmonitor.ingest import KINDS, import_file
    from thbmonitor.store import audit

    if kind == "parquet":  # a Parquet folder of `thb export parquet` (docs/scale.md)
        from thbmonitor.cli.spark import import_parquet_command

        return import_parquet_command(file, db, table, as_json)
    with user_errors():
        if kind not in KINDS:
            from thbmonitor.errors import UsageError

            raise UsageError(f"unknown kind {kind!r}; use one of: {', '.join(KINDS)}")
        with store(db, "write", key=True) as opened, \
                progress(f"importing {file.name}", total=len(_STAGES), disable=as_json) as bar:
            path, before = opened.path, opened.db.last_import_id()
            on_interrupt(lambda: _committed(path, before))
            report = import_file(opened.db, kind, file, key=opened.key, partial=partial,
                                 replace=replace, vintage=vintage,
                                 progress=stage_updater(bar, _STAGES))
            if replace and report.succeeded and report.stored:
                audit.record(opened.db, "import.replace", f"{kind}:{file.name}",
                             detail={"import_id": report.import_id, **report.stats()})
    emit(report, as_json, _render_import)
    if not report.valid:  # with --partial too: rows were rejected (the valid ones are stored)
        raise typer.Exit(EXIT_INVALID)


def _committed(path: Path, before: int) -> str | None:
    """After Ctrl-C: did the import commit? (Then it succeeded, whatever was printed.)"""
    from thbmonitor.store import open_store

    with open_store(path, "read") as opened:
        done = opened.db.imports_after(before)
    if not done:
        return None
    stored = sum(item["stored"] for item in done)
    return (f"finished: {stored:,} stored (Ctrl-C came after the import of "
            f"{done[-1]['file']} had been committed; `thb status` shows it)")


def _render_import(result: Any) -> None:
    from rich.table import Table

    report = result
    stats = report.stats()
    name = plain(report.file)
    if report.succeeded:
        note = " (this file was imported before)" if report.already_imported else ""
        console.print(
            f"[green]{name}[/green]: {plural(stats['rows'], 'row')}, {stats['stored']:,} "
            f"stored, {stats['unchanged']:,} already stored, {stats['quarantined']:,} "
            f"quarantined{note}")
    else:
        where = (f"in {plural(report.error_rows, 'row')}" if report.error_rows
                 else "in the file")
        console.print(f"[red]{name}: not imported[/red] — "
                      f"{plural(len(report.errors), 'problem')} {where}; nothing was stored. "
                      "Fix the file and import it again, or use --partial to store the valid "
                      "rows.")
    if report.errors:
        table = Table("row", "line", "column", "code", "what to do")
        for error in report.errors[:50]:
            table.add_row("" if error.row is None else str(error.row),
                          "" if error.line is None else str(error.line),
                          plain(error.column or ""), error.code, plain(error.message))
        console.print(table)
        if len(report.errors) > 50:
            console.print(f"... and {len(report.errors) - 50:,} more (use --json for all)")
