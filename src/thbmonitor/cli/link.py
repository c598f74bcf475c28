"""`thb link`: (re)build persons from reports."""

from __future__ import annotations

from typing import Any

from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from thbmonitor.cli.app import DbOption, JsonOption, app, console, emit, err_console, user_errors
from thbmonitor.cli.intake import open_store
from thbmonitor.link import LinkResult, link_persons


@app.command("link")
def link(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Rebuild persons from all stored reports and print a summary."""
    with user_errors():
        database, _ = open_store(db, create=False)
        try:
            with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                          console=err_console, transient=True, disable=as_json) as bar:
                task = bar.add_task("linking", total=None)
                result = link_persons(
                    database, progress=lambda stage: bar.update(task, description=stage))
        finally:
            database.close()
    emit(result, as_json, _render)


def _render(result: Any) -> None:
    r: LinkResult = result
    console.print(f"{r.reports:,} reports linked into {r.persons:,} persons "
                  f"({r.pairs:,} linking pairs, method {r.method})")
