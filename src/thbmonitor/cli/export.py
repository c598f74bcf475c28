"""`thb export ...`: standard extracts. Each export is a sub-command of this group."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from thbmonitor.cli.app import DbOption, app, default_db, err_console, user_errors
from thbmonitor.store import Database

export_app = typer.Typer(help="Standard extracts (CSV).", no_args_is_help=True)
app.add_typer(export_app, name="export")

OutOption = Annotated[
    Path | None, typer.Option("--out", help="Write to this file instead of standard output.")]


@export_app.command("persons")
def persons(db: DbOption = None, out: OutOption = None) -> None:
    """CSV report_id,source,person_id: which person each report was linked to."""
    from thbmonitor.link import export_persons

    with user_errors(), Database(db or default_db(), create=False) as database:
        if out is None:
            count = export_persons(database, sys.stdout)
        else:
            with out.open("w", encoding="utf-8", newline="") as handle:
                count = export_persons(database, handle)
    if out is not None:
        err_console.print(f"{count:,} rows written to {out}")
