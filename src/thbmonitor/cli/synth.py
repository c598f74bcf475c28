"""`thb synth`: write the synthetic data set (the six public files and the ground truth)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from thbmonitor.cli.app import (
    JsonOption,
    Result,
    app,
    console,
    emit,
    plain,
    user_errors,
)
from thbmonitor.errors import UsageError

__all__ = ["synth"]


def _render(result: Result) -> None:
    from thbmonitor.synth import SynthResult

    assert isinstance(result, SynthResult)
    console.print(f"Synthetic data written to [bold]{plain(result.out_dir)}[/bold] "
                  f"(seed {result.seed}, scale {result.scale}, {result.seconds:.1f} s)")
    for name, count in result.counts.items():
        console.print(f"  {name}: {count:,}")
    registered = ", ".join(f"{y}: {n}" for y, n in result.registered_by_year.items())
    console.print(f"  registered victims per year: {registered}")
    console.print(f"  ground truth (never imported): {plain(result.out_dir / 'ground_truth')}")


@app.command("synth")
def synth(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the CSV files to.")],
    seed: Annotated[int | None, typer.Option(
        "--seed", help="Random seed (default: the generator's own, that of the demo).")] = None,
    scale: Annotated[
        float, typer.Option("--scale", help="Population multiplier (1.0 = the Dutch figures).")
    ] = 1.0,
    force: Annotated[bool, typer.Option(
        "--force", help="Write into a folder that is not empty (its CSV files of the same "
                        "names are replaced; never a store).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Generate the synthetic population, its reports and chain, with ground truth."""
    from thbmonitor.output_file import check_output, check_output_dir
    from thbmonitor.synth import DEFAULT_SEED, generate

    with user_errors():
        if scale <= 0:
            raise UsageError("--scale must be greater than 0; try --scale 1.0")
        check_output_dir(out, force=force)
        for existing in [*out.glob("*.csv"), *out.glob("ground_truth/*.csv")]:
            check_output(existing, force=True)  # a store renamed *.csv is never replaced
        result = generate(out, seed=DEFAULT_SEED if seed is None else seed, scale=scale)
    emit(result, as_json, _render)
