"""`thb quality --year Y`: data quality per organisation (docs/quality.md)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from thbmonitor.cli.app import DbOption, JsonOption, app, console, emit, plain, store, user_errors

if TYPE_CHECKING:  # imported when the command runs: `thb --help` stays light
    from thbmonitor.quality import DataQuality


@app.command("quality")
def quality_command(
    year: Annotated[int, typer.Option("--year", help="Calendar year of the reports.")],
    db: DbOption = None,
    as_json: JsonOption = False,
    first_release: Annotated[
        str | None, typer.Option(
            "--first-release",
            help="Date (YYYY-MM-DD) the year was first published: reports imported after it "
                 "are late. Default: the year's first release in the store; without either, "
                 "lateness is not computed."),
    ] = None,
) -> None:
    """Per organisation: reports, unknown shares, quarantine, late reports, delay, overlap."""
    from thbmonitor.quality import data_quality

    with user_errors(), store(db, "read") as opened:
        when = None
        if first_release is not None:
            try:
                when = date.fromisoformat(first_release)
            except ValueError:
                from thbmonitor.errors import UsageError

                raise UsageError(f"--first-release {first_release!r} is not a date YYYY-MM-DD"
                                 ) from None
        if when is None:
            from thbmonitor.release import first_release_date

            when = first_release_date(opened.db, year)
        result = data_quality(opened.db, year, first_release_date=when)
    emit(result, as_json, lambda _r: _render(result))


SHORT = {"birth_year": "birth", "nationality": "nation.", "exploitation": "forms"}


def _share(value: float) -> str:
    return f"{value * 100:.0f}%"


def _render(result: DataQuality) -> None:
    from rich.table import Table

    from thbmonitor.quality import FIELDS

    table = Table(title=f"data quality per organisation, reports dated {result.year} "
                        "(fields: share unknown; delay: median days to import)")
    for column in ("organisation", "reports", *(SHORT.get(f, f) for f in FIELDS),
                   "quarant.", "rejected", "late", "delay", "elsewhere"):
        table.add_column(column, justify="left" if column == "organisation" else "right")
    for org in result.organisations:
        table.add_row(
            plain(org.source), str(org.reports),
            *(_share(org.unknown[f]) for f in FIELDS), str(org.quarantined),
            str(org.rejected_at_import), "-" if org.late is None else str(org.late),
            "-" if org.median_delay_days is None else f"{org.median_delay_days:g}",
            _share(org.linked_elsewhere))
    console.print(table)
    if result.gone:
        console.print("delivered before but not in "
                      f"{result.year}: " + ", ".join(
                          f"{plain(g['source'])} (last {g['last_year']})" for g in result.gone))
    for note in result.notes:
        console.print(f"note: {plain(note)}")
