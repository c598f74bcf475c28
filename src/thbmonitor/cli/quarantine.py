"""`thb quarantine`: rows rejected by `--partial` imports; `thb quarantine resolve ID`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from thbmonitor.cli.app import (
    DbOption,
    ForceOption,
    JsonOption,
    app,
    console,
    emit,
    emit_json,
    plain,
    store,
    stores_of,
    user_errors,
)

quarantine_app = typer.Typer(
    invoke_without_command=True,
    help="Rows rejected by --partial imports, with their errors; resolve them.")
app.add_typer(quarantine_app, name="quarantine")


@quarantine_app.callback()
def quarantine(
    ctx: typer.Context,
    db: DbOption = None,
    export: Annotated[Path | None, typer.Option(
        "--export", help="Write the rows to this CSV: their own columns, the errors beside "
                         "them.")] = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    """List the quarantined rows (a row leaves when a later import stores it)."""
    if ctx.invoked_subcommand is not None:
        return
    from thbmonitor.ingest.quarantine import quarantine_rows
    from thbmonitor.output_file import check_output
    from thbmonitor.store import audit

    with user_errors():
        if export is not None:  # refused before anything is read or written
            check_output(export, force=force, stores=stores_of(db))
        with store(db, "write") as opened:  # person-level rows: the read is audited
            result = quarantine_rows(opened.db)
            audit.record(opened.db, "quarantine.read", str(export) if export else "listing",
                         detail={"rows": len(result.rows)})
        if export is not None:
            result.export(export, force=force, stores=stores_of(db))
    if export is not None and not as_json:
        noun = "row" if len(result.rows) == 1 else "rows"
        console.print(f"{len(result.rows):,} quarantined {noun} written to {plain(export)}")
    if as_json:
        emit_json(result.to_dict())
    elif export is None:
        _render_rows(result.rows)


def _render_rows(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    if not rows:
        console.print("the quarantine is empty")
        return
    table = Table("id", "kind", "file", "line", "row", "record", "errors")
    for row in rows:
        record = " / ".join(str(v) for v in row["record"].values() if v not in (None, ""))
        codes = "; ".join(f"{e['column'] or '-'}: {e['code']}" for e in row["errors"])
        table.add_row(str(row["quarantine_id"]), row["kind"], plain(row["file"]),
                      str(row["line"]), str(row["row"]), plain(record), plain(codes))
    console.print(table)
    console.print("fix the rows in the source file and import it again (the stored rows are "
                  "recognised), or take a row out with `thb quarantine resolve ID`")


@quarantine_app.command("resolve")
def resolve(
    ids: Annotated[list[int], typer.Argument(help="The ids `thb quarantine` lists.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Take rows out of the quarantine by hand (audited)."""
    from thbmonitor.ingest.quarantine import resolve_quarantine

    with user_errors(), store(db, "write") as opened:
        result = resolve_quarantine(opened.db, ids)
    emit(result, as_json, _render_resolution)


def _render_resolution(result: Any) -> None:
    r = result
    ids = ", ".join(str(i) for i in r.resolved)
    noun = "row" if len(r.resolved) == 1 else "rows"
    console.print(f"resolved quarantined {noun} {ids}; {r.remaining:,} left in the quarantine")
