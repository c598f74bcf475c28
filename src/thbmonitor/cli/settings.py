"""`thb settings [NAME [VALUE]]`: list the declared settings, or set one."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from thbmonitor.cli.app import (
    DbOption,
    JsonOption,
    app,
    console,
    emit_json,
    plain,
    store,
    user_errors,
)


@app.command("settings")
def settings(
    name: Annotated[str | None, typer.Argument(help="A setting to show or set.",
                                               show_default=False)] = None,
    value: Annotated[str | None, typer.Argument(
        help="New value as JSON (10, 0.05, [\"a\", \"b\"]) or plain text.",
        show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The settings with their values, allowed values and help; with NAME VALUE, store a new
    value (checked against its type and range, and written to the audit log)."""
    from rich.table import Table

    from thbmonitor.store import SETTINGS

    with user_errors():
        if name is not None:
            SETTINGS.get(name)  # an unknown name is a usage error, before the store is opened
        with store(db, "read" if value is None else "write") as opened:
            if value is not None and name is not None:
                opened.db.set_setting(name, _parse(value))
            current = opened.db.settings()
    shown = {k: v for k, v in current.items() if name is None or k == name}
    if as_json:
        emit_json(shown)
        return
    table = Table("setting", "value", "allowed", "what it does")
    for setting in SETTINGS:
        if setting.name in shown:
            table.add_row(setting.name, plain(json.dumps(shown[setting.name])),
                          plain(setting.allowed()), plain(setting.help))
    console.print(table)


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
