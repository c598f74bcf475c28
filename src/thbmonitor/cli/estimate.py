"""`thb estimate`: the dark figure of a year from the linked data."""

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
from thbmonitor.errors import UsageError

METHODS = ("stepwise", "bic", "main", "fixed")


@app.command("estimate")
def estimate(
    year: Annotated[int, typer.Option("--year", help="Year of the victims.")],
    db: DbOption = None,
    lists: Annotated[list[str] | None, typer.Option(
        "--lists", help="A list of organisation types: 'police' or 'care=care_coordinator+shelter'"
                        "; repeat for each list; types not named form 'other'.")] = None,
    covariates: Annotated[list[str] | None, typer.Option(
        "--covariates", help="age_group, sex, exploitation, dutch (repeat).")] = None,
    merge_below: Annotated[int, typer.Option(
        "--merge-below", help="Merge lists that saw fewer victims than this into 'other'.")] = 0,
    method: Annotated[str, typer.Option("--method", help="stepwise, bic, main.")] = "stepwise",
    nboot: Annotated[int, typer.Option("--nboot", help="Bootstrap replicates.")] = 1000,
    seed: Annotated[int | None, typer.Option(
        "--seed", help="Bootstrap seed (default: the setting random.seed).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Multiple systems estimation of how many victims no organisation saw."""
    from thbmonitor.darkfigure import estimate_dark_figure, parse_lists
    from thbmonitor.release import ReleaseResult

    with user_errors():
        if method not in METHODS or method == "fixed":
            raise UsageError("--method takes stepwise, bic or main here; fixed models: thb mse")
        with store(db, "read") as opened, \
                progress(f"estimating the dark figure of {year}", disable=as_json):
            result = estimate_dark_figure(
                opened.db, year, lists=parse_lists(lists or []), covariates=covariates or (),
                merge_below=merge_below, method=method,  # type: ignore[arg-type]
                nboot=nboot, seed=seed)
    emit(ReleaseResult(result), as_json, _render)


def _render(result: Any) -> None:
    r = result.to_dict()
    if r["estimate"] is None:
        console.print(f"[yellow]no estimate for {r['year']}[/yellow]")
    else:
        ci = r.get("ci")
        interval = f" ({r['ci_level']:.0%} interval {ci[0]:,.0f} to {ci[1]:,.0f})" if ci else ""
        console.print(f"[bold]{r['year']}: estimated {r['estimate']:,.0f} victims[/bold]"
                      f"{interval}; {r['observed']:,} seen by the lists, "
                      f"{r['dark_figure']:,.0f} by none")
    console.print(f"lists: {plain(', '.join(r['lists']))}; model terms: "
                  f"{plain(', '.join(r['terms'])) or 'none'}; method {plain(r['method'])}")
    for warning in r.get("warnings", []):
        console.print(f"[yellow]warning:[/yellow] {plain(warning)}")
