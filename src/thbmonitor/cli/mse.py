"""`thb mse FILE`: multiple systems estimation on a capture-history table (docs/CONTRACTS.md §4)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated

import typer

from thbmonitor.cli.app import JsonOption, Result, app, console, emit, plain, user_errors
from thbmonitor.errors import UsageError


def _render(result: Result) -> None:
    from rich.table import Table

    d = result.to_dict()
    table = Table(title=f"Multiple systems estimate ({d['method']})", show_header=False)
    table.add_row("lists", plain(", ".join(d["lists"])))
    table.add_row("observed", f"{d['observed']:,}")
    est = d["estimate"]
    table.add_row("estimate", "n/a" if est is None else f"{est:,.0f}")
    table.add_row("dark figure", "n/a" if d["dark_figure"] is None else f"{d['dark_figure']:,.0f}")
    if d["ci"] is not None:
        lo, hi = d["ci"]
        hi_text = "n/a" if hi is None else f"{hi:,.0f}"
        table.add_row(f"{d['ci_level']:.0%} interval", f"{lo:,.0f} to {hi_text} ({d['ci_kind']})")
    table.add_row("terms", plain(", ".join(d["terms"])) or "(main effects only)")
    if d["minus_infinity"]:
        table.add_row("minus infinity", plain(", ".join(d["minus_infinity"])))
    if d.get("seed") is not None:
        table.add_row("seed", str(d["seed"]))
    console.print(table)
    for message in d["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {plain(message)}")


@app.command("mse")
def mse_command(
    file: Annotated[Path, typer.Argument(help="CSV: one 0/1 column per list and `count`.")],
    method: Annotated[
        str, typer.Option("--method", help="stepwise (default), bic, main or fixed.")
    ] = "stepwise",
    terms: Annotated[
        list[str] | None,
        typer.Option(
            "--terms", help="For --method fixed: terms such as A:B (repeat, or A:B,C:D)."
        ),
    ] = None,
    covariates: Annotated[
        list[str] | None,
        typer.Option(
            "--covariates", help="Categorical covariate columns of FILE (repeat, or age,sex)."
        ),
    ] = None,
    nboot: Annotated[
        int, typer.Option("--nboot", min=0, help="Bootstrap replicates (stepwise, bic).")
    ] = 1000,
    seed: Annotated[int | None, typer.Option(
        "--seed", help="Seed of the bootstrap (default: the declared default of the setting "
                       "random.seed, so two runs agree; printed with the result).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Estimate how many people no list saw (multiple systems estimation)."""
    from thbmonitor.mse import METHODS, MSEstimator, SparseDataWarning
    from thbmonitor.store.settings import SETTINGS, declared_seed

    with user_errors():
        seed = declared_seed() if seed is None else SETTINGS.get("random.seed").check(seed)
        if method not in METHODS:
            raise UsageError(f"unknown --method {method!r}; choose one of {', '.join(METHODS)}")
        if terms and method != "fixed":
            raise UsageError("--terms goes with --method fixed")
        covs = [c.strip() for value in covariates or [] for c in value.split(",") if c.strip()]
        estimator = MSEstimator(
            method=method,  # type: ignore[arg-type]
            terms=terms or None,
            nboot=nboot,
            seed=seed,
            covariates=covs or None,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SparseDataWarning)
            estimator.fit(file)
    emit(estimator, as_json, _render)
