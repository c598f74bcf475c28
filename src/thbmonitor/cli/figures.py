"""`thb figures --year Y`: the annual figures (CONTRACTS §3)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from thbmonitor.cli.app import DbOption, JsonOption, app, console, default_db, emit, user_errors
from thbmonitor.errors import UsageError
from thbmonitor.figures import compute_figures
from thbmonitor.store import Database

PROTECTED_UNAVAILABLE = (
    "--protected is not available yet: disclosure control lands with issue 6; "
    "run without --protected for the unprotected (internal) figures"
)


@app.command("figures")
def figures_command(
    year: Annotated[int, typer.Option("--year", help="Calendar year of the figures.")],
    db: DbOption = None,
    as_json: JsonOption = False,
    protected: Annotated[
        bool, typer.Option("--protected", help="Apply disclosure control (not available yet).")
    ] = False,
) -> None:
    """The annual figures: victims with breakdowns, reports and the criminal-justice chain."""
    with user_errors():
        if protected:
            raise UsageError(PROTECTED_UNAVAILABLE)
        with Database(db or default_db(), create=False) as database:
            result = compute_figures(database, year)
        emit(result, as_json, lambda r: _render(r.to_dict()))


def _render(data: dict[str, Any]) -> None:
    victims, chain = data["victims"], data["chain"]
    year = data["year"]
    console.print(
        f"[bold]Victims {year}[/bold]: {victims['total']} "
        f"({victims['change']:+d} on {year - 1}: {victims['previous']}); "
        f"reports: {data['reports']['total']}"
    )
    for name, table in victims["by"].items():
        console.print(_table(f"victims by {name}", table, victims["previous_by"].get(name, {})))
    inv, pros, ver = chain["investigations"], chain["prosecution"], chain["verdicts"]
    stages = Table(title=f"criminal-justice chain {year}")
    for column in ("stage", str(year), str(year - 1)):
        stages.add_column(column, justify="left" if column == "stage" else "right")
    stages.add_row("investigations", str(inv["total"]), str(inv["previous"]))
    stages.add_row("suspects", str(chain["suspects"]["total"]), str(chain["suspects"]["previous"]))
    stages.add_row("cases registered", str(pros["registered"]), str(pros["previous"]))
    stages.add_row("cases decided", str(pros["decided"]), "")
    stages.add_row(
        "summons (% of decided)",
        f"{pros['summons']} ({_pct(pros['summons_pct'])})",
        _pct(pros["previous_summons_pct"]),
    )
    stages.add_row("verdicts", str(ver["total"]), "")
    stages.add_row("convictions (% of verdicts)",
                   f"{ver['convictions']} ({_pct(ver['conviction_pct'])})", "")
    console.print(stages)


def _table(title: str, current: dict[str, int], previous: dict[str, int]) -> Table:
    table = Table(title=title)
    table.add_column("category")
    table.add_column("this year", justify="right")
    table.add_column("previous year", justify="right")
    # Keys only the previous year has (nationalities) go before `stateless` and `unknown`.
    tail: list[str] = [key for key in ("stateless", "unknown") if key in current]
    keys = [key for key in current if key not in tail]
    keys += [key for key in previous if key not in current and key not in tail] + tail
    for key in keys:
        table.add_row(key, str(current.get(key, 0)), str(previous.get(key, 0)))
    return table


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"
