"""`thb link`: (re)build persons from reports; `thb review`: the pairs a person decides."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from thbmonitor.cli.app import DbOption, JsonOption, app, console, emit, err_console, user_errors
from thbmonitor.cli.intake import open_store
from thbmonitor.link import (
    METHODS,
    Decision,
    LinkResult,
    ReviewQueue,
    decide,
    link_persons,
    review_queue,
)


@app.command("link")
def link(
    db: DbOption = None,
    as_json: JsonOption = False,
    method: Annotated[str, typer.Option(
        "--method", help=f"Linkage method: {' or '.join(METHODS)} (exact keys, the baseline).",
    )] = "splink",
    threshold: Annotated[float | None, typer.Option(
        "--threshold", help="Match probability from which two reports are linked "
                            "(default: the setting link.threshold).",
    )] = None,
) -> None:
    """Rebuild persons from all stored reports and print a summary."""
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                        console=err_console, transient=True, disable=as_json)
    with user_errors(), open_store(db, create=False) as (database, _), progress as bar:
        task = bar.add_task("linking", total=None)
        if threshold is not None:
            threshold = min(threshold, 1.0)
            review = min(threshold, float(database.setting("link.review_low")))
        else:
            review = None
        result = link_persons(
            database, method=method, threshold=threshold, review_low=review,
            progress=lambda stage: bar.update(task, description=stage))
    emit(result, as_json, _render)


def _render(result: Any) -> None:
    r: LinkResult = result
    console.print(f"{r.reports:,} reports linked into {r.persons:,} persons "
                  f"(method {r.method})")
    console.print(f"pairs scored: {r.pairs_scored:,}; linking pairs: {r.pairs:,}; "
                  f"pairs in review: {r.pairs_in_review:,}; decisions applied: "
                  f"{r.decisions_applied:,}")
    if r.pairs_in_review:
        console.print("list the pairs to review with `thb review`")


review_app = typer.Typer(invoke_without_command=True,
                         help="Pairs of reports the model is unsure about; decide them.")
app.add_typer(review_app, name="review")


@review_app.callback()
def review(
    ctx: typer.Context,
    db: DbOption = None,
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option("--limit", help="Show at most this many pairs.")] = 20,
) -> None:
    """List the review queue, most uncertain pairs first (person-level data: logged)."""
    if ctx.invoked_subcommand is not None:
        return
    with user_errors(), open_store(db, create=False) as (database, _):
        queue = review_queue(database, limit=limit)
    emit(queue, as_json, _render_queue)


def _render_queue(result: Any) -> None:
    queue: ReviewQueue = result
    console.print(f"{queue.total:,} pairs to review ({len(queue.pairs):,} shown); "
                  f"{queue.decided:,} decided so far")
    if not queue.pairs:
        return
    table = Table("p", "names", "birth", "left", "right")
    table.add_column("pair", no_wrap=True, min_width=13)
    for pair in queue.pairs:
        comp = pair["comparison"]
        names = "; ".join(comp[c]["level"] for c in ("given", "family") if c in comp)
        left, right = pair["left"], pair["right"]
        birth = (f"{left['date_of_birth'] or left['birth_year'] or '-'} / "
                 f"{right['date_of_birth'] or right['birth_year'] or '-'}")
        table.add_row(f"{pair['match_probability']:.2f}", names, birth, _side(left),
                      _side(right), pair["pair_id"])
    console.print(table)
    console.print("decide with `thb review decide PAIR same|different`")


def _side(side: dict[str, Any]) -> str:
    return (f"{side['source']} {side['report_date']} "
            f"{side['sex'] or '?'} {side['nationality'] or '?'}")


@review_app.command("decide")
def decide_pair(
    pair: Annotated[str, typer.Argument(help="The pair id that `thb review` lists.")],
    decision: Annotated[str, typer.Argument(help="same or different")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Store a decision; every later `thb link` respects it."""
    with user_errors(), open_store(db, create=False) as (database, _):
        result = decide(database, pair, decision)
    emit(result, as_json, _render_decision)


def _render_decision(result: Any) -> None:
    d: Decision = result
    console.print(f"pair {d.pair_id}: {d.decision} (applied at the next `thb link`)")
