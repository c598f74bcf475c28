"""`thb patterns carousel|networks|explain|fairness`: leads for analysts, never published.

Every command reads person-level pattern output, so every run is written to
the audit log (by the library), with the operating-system user as actor. The
command line has no roles: whoever can open the store file can run these, so
the store file itself must be readable by analysts only (docs/patterns.md); in
the web app the analyst role is checked on every route.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from thbmonitor.cli.app import DbOption, JsonOption, app, console, emit, plain, store, user_errors

patterns_app = typer.Typer(
    help="Pattern signals for analysts (every run audited): carousel movement and networks.",
    no_args_is_help=True,
)
app.add_typer(patterns_app, name="patterns")

YearOption = Annotated[int | None, typer.Option("--year", help="Calendar year (default: the "
                                                "latest year with reports).")]
WindowOption = Annotated[str, typer.Option("--window", help="`year` (the calendar year) or "
                                           "`90d` (each person's densest 90 days).")]


@patterns_app.command("carousel")
def carousel_command(year: YearOption = None, window: WindowOption = "year", db: DbOption = None,
                     as_json: JsonOption = False) -> None:
    """Persons whose movement fits the carousel rule, with every indicator."""
    from thbmonitor.patterns import carousel_leads

    with user_errors(), store(db, "write") as opened:  # written to the audit log
        result = carousel_leads(opened.db, year, window)
    emit(result, as_json, lambda r: _render_carousel(r.to_dict()))


@patterns_app.command("networks")
def networks_command(
    year: Annotated[int | None, typer.Option("--year", help="Only persons with a report in this "
                                             "year (default: all years).")] = None,
    cross_border: Annotated[bool, typer.Option("--cross-border",
                                               help="Only networks spanning two or more "
                                               "countries.")] = False,
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Groups of persons linked by shared phones, booking accounts, addresses or suspects."""
    from thbmonitor.patterns import find_networks

    with user_errors(), store(db, "write") as opened:  # written to the audit log
        result = find_networks(opened.db, year, cross_border=cross_border)
    emit(result, as_json, lambda r: _render_networks(r.to_dict()))


@patterns_app.command("explain")
def explain_command(
    person_a: Annotated[str, typer.Argument(help="A person_id (as `thb export persons`).")],
    person_b: Annotated[str, typer.Argument(help="Another person_id.")],
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """The shortest chain of shared identifiers between two persons (no clear values)."""
    from thbmonitor.patterns import explain_link

    with user_errors(), store(db, "write") as opened:  # written to the audit log
        result = explain_link(opened.db, person_a, person_b)
    emit(result, as_json, lambda r: _render_explain(r.to_dict()))


@patterns_app.command("fairness")
def fairness_command(
    year: Annotated[int, typer.Option("--year", help="Calendar year.")],
    window: WindowOption = "year", db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Carousel flag rates by nationality group, small cells suppressed."""
    from thbmonitor.patterns import flag_rates

    with user_errors(), store(db, "write") as opened:  # written to the audit log
        result = flag_rates(opened.db, year, window)
    emit(result, as_json, lambda r: _render_fairness(r.to_dict()))


def _render_carousel(data: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title=f"carousel leads {data['year']} (window {data['window']}): "
                  f"{len(data['leads'])} of {data['population']} persons; "
                  f"mobility alone: {data['mobility_only']}")
    for column in ("person", "places", "moves/30d", "median stay", "fired"):
        table.add_column(column)
    for lead in data["leads"]:
        ind = lead["indicators"]
        table.add_row(plain(lead["person_id"]), str(ind["distinct_places"]["value"]),
                      str(ind["moves_per_30d"]["value"]), str(lead["median_stay_days"]),
                      plain(", ".join(lead["fired"])))
    console.print(table)
    console.print("Leads for human review, not findings: see docs/patterns.md.")


def _render_networks(data: dict[str, Any]) -> None:
    from rich.table import Table

    removed = data["removed"]
    table = Table(title=f"{len(data['networks'])} networks "
                  f"({data['year'] or 'all years'}); removed first: "
                  f"{removed['hub_identifiers']} hubs, {removed['deny_listed']} deny-listed, "
                  f"{removed['intake_lines']} intake lines")
    for column in ("network", "persons", "countries", "suspects", "abroad, no investigation"):
        table.add_column(column)
    for net in data["networks"]:
        table.add_row(plain(net["network_id"]), str(len(net["person_ids"])),
                      plain(" ".join(net["countries"])), str(net["suspects"]),
                      "yes" if net["abroad_without_investigation"] else "")
    console.print(table)


def _render_explain(data: dict[str, Any]) -> None:
    if not data["linked"]:
        console.print(f"{plain(data['from'])} and {plain(data['to'])} are not linked by "
                      "shared identifiers")
        return
    steps = "step" if data["hops"] == 1 else "steps"
    console.print(f"{plain(data['from'])} → {plain(data['to'])}: {data['hops']} {steps}")
    for step in data["path"][1:]:
        console.print(f"  via {plain(', '.join(step['via']))} → {plain(step['person_id'])}")


def _render_fairness(data: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title=f"carousel flag rates by nationality group, {data['year']}")
    for column in ("group", "persons", "leads", "lead rate", "mobility only", "mobility rate"):
        table.add_column(column)
    for group, cell in data["groups"].items():
        table.add_row(plain(group), *("–" if cell[k] is None else str(cell[k]) for k in
                               ("persons", "leads", "lead_rate", "mobility_only",
                                "mobility_rate")))
    console.print(table)
