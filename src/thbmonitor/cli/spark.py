"""The Spark engine's commands: `thb export parquet`, `thb import parquet`; options of
`thb link` and `thb figures` (`--engine`, `--spark-master`) live with those commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from thbmonitor.cli.app import (
    DbOption,
    JsonOption,
    console,
    emit,
    plain,
    plural,
    store,
    user_errors,
)
from thbmonitor.cli.export import export_app

EngineOption = Annotated[str, typer.Option(
    "--engine", help="Where the SQL runs: duckdb (the store itself) or spark (its tables as "
                     "Parquet in <store>.parquet/, docs/scale.md).")]
MasterOption = Annotated[str | None, typer.Option(
    "--spark-master", help="Spark master for --engine spark (default: local[*]; "
                           "spark://host:7077, yarn, ...).", show_default=False)]
FolderOption = Annotated[Path | None, typer.Option(
    "--folder", help="The Parquet folder (default: <store file>.parquet/ beside the store).",
    show_default=False)]


@export_app.command("parquet")
def export_parquet_command(db: DbOption = None, folder: FolderOption = None,
                           as_json: JsonOption = False) -> None:
    """The store's tables as Parquet files (tokens only, 0600) for a Spark cluster."""
    from thbmonitor.store import audit
    from thbmonitor.store.parquet import export_parquet

    with user_errors(), store(db, "write") as opened:  # person-level tables leave: audited
        result = export_parquet(opened.db, folder)
        audit.record(opened.db, "export.parquet", str(result.folder),
                     detail={"tables": result.tables})
    emit(result, as_json, _render)


def import_parquet_command(folder: Path, db: Path | None, tables: list[str] | None,
                           as_json: bool) -> None:
    """`thb import parquet FOLDER`: the linkage's tables (or --table ...) back into the store."""
    from thbmonitor.store import audit
    from thbmonitor.store.parquet import import_parquet

    with user_errors(), store(db, "write") as opened:
        result = import_parquet(opened.db, folder, tuple(tables) if tables else None)
        audit.record(opened.db, "import.parquet", str(result.folder),
                     detail={"tables": result.tables})
    emit(result, as_json, _render)


def _render(result: Any) -> None:
    verb = "written to" if result.direction == "export" else "read from"
    for table, rows in result.tables.items():
        console.print(f"{table}: {plural(rows, 'row')}")
    console.print(f"{plural(len(result.tables), 'table')} {verb} {plain(result.folder)}")
