"""`thb export ...`: standard extracts. Each export is a sub-command of this group."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from thbmonitor.cli.app import (
    DbOption,
    ForceOption,
    app,
    err_console,
    plain,
    plural,
    store,
    stores_of,
    user_errors,
)

export_app = typer.Typer(help="Standard extracts (CSV).", no_args_is_help=True)
app.add_typer(export_app, name="export")

OutOption = Annotated[
    Path | None, typer.Option("--out", help="Write to this file instead of standard output.")]


@export_app.command("persons")
def persons(db: DbOption = None, out: OutOption = None, force: ForceOption = False) -> None:
    """CSV report_id,source,person_id: which person each report was linked to."""
    from thbmonitor.link import export_persons
    from thbmonitor.output_file import check_output, output_file
    from thbmonitor.store import audit

    with user_errors():
        if out is not None:  # refused before the store is opened: nothing written, nothing read
            check_output(out, force=force, stores=stores_of(db))
        with store(db, "write") as opened:  # a person-level read: audited first
            audit.record(opened.db, "export.persons", str(out) if out else "stdout")
            if out is None:
                count = export_persons(opened.db, sys.stdout)
            else:
                with output_file(out, force=force, private=True,
                                 stores=[*stores_of(db), opened.path]) as handle:
                    count = export_persons(opened.db, handle)
    if out is not None:
        err_console.print(f"{plural(count, 'row')} written to {plain(out)}")
