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

METHODS = ("pooled", "stepwise", "bic", "main", "fixed")


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
    method: Annotated[str, typer.Option(
        "--method", help="pooled (default: the window of years with covariates, as the Dutch "
                         "estimates), or one year: stepwise, bic, main.")] = "pooled",
    criterion: Annotated[str, typer.Option(
        "--criterion", help="Information criterion of the covariate search: bic or aic.")] = "bic",
    window: Annotated[int | None, typer.Option(
        "--window", help="Years pooled (default: the setting estimate.window_years).")] = None,
    nboot: Annotated[int | None, typer.Option(
        "--nboot", min=0, help="Bootstrap replicates (default: the setting "
                               "estimate.bootstrap_replicates).")] = None,
    seed: Annotated[int | None, typer.Option(
        "--seed", help="Bootstrap seed (default: the setting random.seed).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Multiple systems estimation of how many victims no organisation saw."""
    from thbmonitor.estimate import estimate_dark_figure, parse_lists

    with user_errors():
        if method not in METHODS or method == "fixed":
            raise UsageError("--method takes pooled, stepwise, bic or main here; fixed models: "
                             "thb mse")
        if criterion not in ("bic", "aic"):
            raise UsageError("--criterion takes bic or aic")
        with store(db, "read") as opened, \
                progress(f"estimating the dark figure of {year}", disable=as_json):
            result = estimate_dark_figure(
                opened.db, year, lists=parse_lists(lists or []), covariates=covariates,
                merge_below=merge_below, method=method,  # type: ignore[arg-type]
                criterion=criterion,  # type: ignore[arg-type]
                window=window, nboot=nboot, seed=seed)
    emit(result, as_json, _render)


def _render(result: Any) -> None:
    r = result.to_dict()
    if r["estimate"] is None:
        console.print(f"[yellow]no estimate for {r['year']}[/yellow]"
                      + (f": {r['reason']}" if r.get("reason") else ""))
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
    for row in r.get("sensitivity", []):
        ci = row["ci"]
        value = "n/a" if row["estimate"] is None else f"{row['estimate']:,.0f}"
        interval = f" ({ci[0]:,.0f} to {ci[1]:,.0f})" if ci else ""
        console.print(f"  {plain(row['label'])}: {value}{interval}")
