"""`thb audit list|verify|head`: the hash-chained audit log (docs/security.md)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from thbmonitor.cli.app import (
    EXIT_INVALID,
    DbOption,
    JsonOption,
    app,
    console,
    emit,
    emit_json,
    plain,
    store,
    user_errors,
)

audit_app = typer.Typer(help="The audit log: who read or changed what, hash-chained.",
                        no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("list")
def list_command(
    last: Annotated[int, typer.Option("--last", help="Show the newest N entries.")] = 50,
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """The newest entries of the audit log, oldest first."""
    from thbmonitor.store import audit

    with user_errors(), store(db, "read") as opened:
        result = audit.list_entries(opened.db, last=last)
    emit(result, as_json, _render_list)


def _render_list(result: Any) -> None:

    listing = result
    table = Table("id", "time (UTC)", "actor", "action", "resource", "detail",
                  title=f"audit log: {listing.total:,} entries, {len(listing.entries):,} shown")
    for e in listing.entries:
        table.add_row(str(e.event_id), e.occurred_at[:19], plain(e.actor), plain(e.action),
                      plain(e.resource), plain(json.dumps(e.detail, ensure_ascii=False)))
    console.print(table)


@audit_app.command("verify")
def verify_command(
    expected_head: Annotated[str | None, typer.Option(
        "--head", help="A head hash exported earlier (`thb audit head`): it must still be "
                       "in the chain.")] = None,
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Check the hash chain; name the first broken entry (exit 1 when broken)."""
    from thbmonitor.store import audit

    with user_errors(), store(db, "read") as opened:
        result = audit.verify(opened.db, expected_head=expected_head)
    emit(result, as_json, _render_verify)
    if not result.ok:
        raise typer.Exit(EXIT_INVALID)


def _render_verify(result: Any) -> None:

    checked = result
    if checked.ok:
        top = checked.head
        where = f"; head: entry {top['event_id']} {top['hash']}" if top else ""
        console.print(f"[green]audit log intact[/green]: {checked.entries:,} entries{where}")
        if checked.unsealed:
            console.print(f"{checked.unsealed:,} entries from before the chain are sealed by "
                          "the next entry written")
    else:
        broken = checked.broken or {}
        console.print(f"[red]audit log broken[/red]: {plain(str(broken.get('message')))}")


@audit_app.command("head")
def head_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The chain's newest entry and hash: keep it elsewhere to check the log against later."""
    from thbmonitor.store import audit

    with user_errors(), store(db, "read") as opened:
        top = audit.head(opened.db)
    if as_json:
        emit_json(top)
    elif top is None:
        console.print("the audit log is empty")
    else:
        console.print(f"entry {top['event_id']} ({top['occurred_at'][:19]} UTC, "
                      f"{top['entries']:,} entries): {top['hash']}")
