"""`thb figures --year Y`: the annual figures (docs/CONTRACTS.md §3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from thbmonitor.cli.app import (
    DbOption,
    JsonOption,
    app,
    console,
    emit,
    err_console,
    plain,
    store,
    user_errors,
)
from thbmonitor.cli.spark import EngineOption, MasterOption

if TYPE_CHECKING:
    from rich.table import Table


@app.command("figures")
def figures_command(
    year: Annotated[int, typer.Option("--year", help="Calendar year of the figures.")],
    db: DbOption = None,
    as_json: JsonOption = False,
    protected: Annotated[
        bool, typer.Option(
            "--protected",
            help="Apply disclosure control: suppressed cells are null and listed in "
                 "\"suppressed\" (threshold: setting publication.threshold)."),
    ] = False,
    engine: EngineOption = "duckdb",
    spark_master: MasterOption = None,
) -> None:
    """The annual figures: victims with breakdowns, reports, the chain and the findings."""
    from thbmonitor.release import annual_figures
    from thbmonitor.store import audit

    # unprotected figures hold small counts about identifiable groups: that read is audited
    with user_errors(), store(db, "read" if protected else "write") as opened:
        if engine == "duckdb":
            result = annual_figures(opened.db, year, protected=protected)
        else:
            from thbmonitor.figures.spark import spark_figures

            result = spark_figures(opened.db, year, master=spark_master, protected=protected,
                                   engine=engine)
        if not protected:
            audit.record(opened.db, "figures.unprotected", str(year))
    emit(result, as_json, lambda r: _render(r.to_dict()))


def _render(data: dict[str, Any]) -> None:
    from rich.table import Table

    victims, chain = data["victims"], data["chain"]
    year = data["year"]
    console.print(
        f"[bold]Victims {year}[/bold]: {_cell(victims['total'])} "
        f"({_signed(victims['change'])} on {year - 1}: {_cell(victims['previous'])}); "
        f"reports: {_cell(data['reports']['total'])}"
    )
    for warning in data.get("warnings") or []:
        err_console.print(f"note: {warning}", markup=False, highlight=False)
    if not data.get("previous_available", True):
        console.print(f"{year - 1} has no data: nothing is compared with it.")
    for name, table in victims["by"].items():
        console.print(_table(f"victims by {name}", table,
                             (victims["previous_by"] or {}).get(name, {})))
    inv, pros, ver = chain["investigations"], chain["prosecution"], chain["verdicts"]
    stages = Table(title=f"criminal-justice chain {year}")
    for column in ("stage", str(year), str(year - 1)):
        stages.add_column(column, justify="left" if column == "stage" else "right")
    stages.add_row("investigations", _cell(inv["total"]), _cell(inv["previous"]))
    suspects = chain["suspects"]
    stages.add_row("suspects", _cell(suspects["total"]), _cell(suspects["previous"]))
    stages.add_row("cases registered", _cell(pros["registered"]), _cell(pros["previous"]))
    stages.add_row("cases decided", _cell(pros["decided"]), "")
    stages.add_row(
        "summons (% of decided)",
        f"{_cell(pros['summons'])} ({_pct(pros['summons_pct'])})",
        _pct(pros["previous_summons_pct"]),
    )
    stages.add_row("verdicts", _cell(ver["total"]), "")
    stages.add_row("convictions (% of verdicts)",
                   f"{_cell(ver['convictions'])} ({_pct(ver['conviction_pct'])})", "")
    console.print(stages)


def _table(title: str, current: dict[str, int], previous: dict[str, int]) -> Table:
    from rich.table import Table

    table = Table(title=plain(title))
    table.add_column("category")
    table.add_column("this year", justify="right")
    table.add_column("previous year", justify="right")
    # Keys only the previous year has (nationalities) go before `stateless` and `unknown`.
    tail: list[str] = [key for key in ("stateless", "unknown") if key in current]
    keys = [key for key in current if key not in tail]
    keys += [key for key in previous if key not in current and key not in tail] + tail
    for key in keys:
        table.add_row(plain(key), _cell(current.get(key, 0)), _cell(previous.get(key, 0)))
    return table


def _signed(value: int | None) -> str:
    return "x" if value is None else f"{value:+d}"


def _cell(value: int | None) -> str:
    return "x" if value is None else str(value)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"
