"""`thb release`, `thb releases`, `thb revisions` (CONTRACTS §7)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from thbmonitor.cli.app import (
    DbOption,
    JsonOption,
    app,
    console,
    emit,
    plain,
    progress,
    store,
    user_errors,
)

YearOption = Annotated[int, typer.Option("--year", help="Calendar year of the release.")]


@app.command("release")
def release_command(year: YearOption, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Freeze the year's published figures as a release, numbered per year, never changed."""
    from thbmonitor.publish.release import freeze_release

    with user_errors(), store(db, "write") as opened, \
            progress(f"release {year}: figures, protection, dark figure", disable=as_json):
        result = freeze_release(opened.db, year)
    emit(result, as_json, _render_release)


def _render_release(result: Any) -> None:
    data = result.to_dict()
    console.print(f"[bold]release {plain(data['release_id'])}[/bold] frozen at "
                  f"{plain(data['released_at'])}; {data['suppressed']} cells suppressed; "
                  f"{data['revisions']} cells revised since the previous release")
    if data["protected_with"]:
        console.print("protected together with: " + plain(", ".join(data["protected_with"])))
    console.print(f"content hash (also in the audit log): {plain(data['content_hash'])}")


@app.command("releases")
def releases_command(
    db: DbOption = None, as_json: JsonOption = False,
    year: Annotated[int | None, typer.Option("--year", help="Only this year.")] = None,
) -> None:
    """The stored releases, each checked against the hash recorded when it was frozen."""
    from thbmonitor.publish.release import list_releases

    with user_errors(), store(db, "read") as opened:
        result = list_releases(opened.db, year)
    emit(result, as_json, _render_list)


def _render_list(result: Any) -> None:
    from rich.table import Table

    rows = result.to_dict()["releases"]
    if not rows:
        console.print("no release yet: `thb release --year Y` makes one")
        return
    table = Table(title="releases")
    for column in ("release", "frozen at", "by", "hash", "intact"):
        table.add_column(column)
    for r in rows:
        table.add_row(plain(r["release_id"]), plain(r["released_at"]), plain(r["released_by"]),
                      plain(r["content_hash"][:16]), "yes" if r["intact"] else "[red]NO[/red]")
    console.print(table)


@app.command("revisions")
def revisions_command(year: YearOption, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every published cell of the year whose value differs between its releases."""
    from thbmonitor.publish.release import revisions

    with user_errors(), store(db, "read") as opened:
        result = revisions(opened.db, year)
    emit(result, as_json, _render_revisions)


def _shown(value: Any) -> str:
    return "x" if value is None else plain(value)


def _render_revisions(result: Any) -> None:
    from rich.table import Table

    data = result.to_dict()
    cells = data["revisions"]
    console.print(f"{data['year']}: releases {plain(', '.join(data['releases']))}; "
                  f"{len(cells)} cells revised (x = not published)")
    if not cells:
        return
    table = Table()
    for column in ("cell", "from", "to", "before", "after"):
        table.add_column(column, justify="right" if column in ("before", "after") else "left")
    for c in cells:
        table.add_row(plain(c["path"]), plain(c["before_release"]), plain(c["after_release"]),
                      _shown(c["before"]), _shown(c["after"]))
    console.print(table)
