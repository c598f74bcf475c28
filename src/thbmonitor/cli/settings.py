"""`thb settings [NAME [VALUE]]`: list the declared settings, or set one."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from thbmonitor.cli.app import DbOption, JsonOption, app, console, emit_json, user_errors
from thbmonitor.cli.intake import open_store
from thbmonitor.store import SETTINGS


def _declare_all() -> None:
    """Packages declare their own settings on import; load them all before listing."""
    import thbmonitor.patterns  # noqa: F401


@app.command("settings")
def settings(
    name: Annotated[str | None, typer.Argument(help="A setting to show or set.")] = None,
    value: Annotated[str | None, typer.Argument(
        help="New value as JSON (10, 0.05, [\"a\", \"b\"]) or plain text.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The settings with their values and help; with NAME VALUE, store a new value."""
    _declare_all()
    with user_errors(), open_store(db, create=value is not None) as (database, _):
        if name is not None:
            SETTINGS.get(name)  # an unknown name is a usage error
        if value is not None and name is not None:
            database.set_setting(name, _parse(value))
        current = database.settings()
    shown = {k: v for k, v in current.items() if name is None or k == name}
    if as_json:
        emit_json(shown)
        return
    table = Table("setting", "value", "what it does")
    for setting in SETTINGS:
        if setting.name in shown:
            table.add_row(setting.name, json.dumps(shown[setting.name]), setting.help)
    console.print(table)


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
