"""`thb synth`: write the synthetic data set (the six public files and the ground truth)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from thbmonitor.cli.app import JsonOption, Result, app, console, emit, user_errors
from thbmonitor.errors import UsageError
from thbmonitor.synth import DEFAULT_SEED, SynthResult, generate

__all__ = ["synth"]


def _render(result: Result) -> None:
    assert isinstance(result, SynthResult)
    console.print(f"Synthetic data written to [bold]{result.out_dir}[/bold] "
                  f"(seed {result.seed}, scale {result.scale}, {result.seconds:.1f} s)")
    for name, count in result.counts.items():
        console.print(f"  {name}: {count:,}")
    registered = ", ".join(f"{y}: {n}" for y, n in result.registered_by_year.items())
    console.print(f"  registered victims per year: {registered}")
    console.print(f"  ground truth (never imported): {result.out_dir / 'ground_truth'}")


@app.command("synth")
def synth(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the CSV files to.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = DEFAULT_SEED,
    scale: Annotated[
        float, typer.Option("--scale", help="Population multiplier (1.0 = the Dutch figures).")
    ] = 1.0,
    as_json: JsonOption = False,
) -> None:
    """Generate the synthetic population, its reports and chain, with ground truth."""
    with user_errors():
        if scale <= 0:
            raise UsageError("--scale must be greater than 0; try --scale 1.0")
        result = generate(out, seed=seed, scale=scale)
    emit(result, as_json, _render)
