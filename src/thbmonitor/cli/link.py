"""`thb link`: (re)build persons from reports; `thb review`: the pairs a person decides."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from thbmonitor.cli.app import (
    DbOption,
    JsonOption,
    app,
    console,
    emit,
    err_console,
    on_interrupt,
    plain,
    plural,
    progress,
    stage_updater,
    store,
    user_errors,
)
from thbmonitor.cli.spark import EngineOption, MasterOption

if TYPE_CHECKING:
    from thbmonitor.link import Decision, LinkResult, ReviewQueue, Split


@app.command("link")
def link(
    db: DbOption = None,
    as_json: JsonOption = False,
    method: Annotated[str, typer.Option(
        "--method", help="Linkage method: splink (probabilistic) or exact (exact keys, the "
                         "baseline).",
    )] = "splink",
    threshold: Annotated[float | None, typer.Option(
        "--threshold", help="Match probability from which two reports are linked "
                            "(default: the setting link.threshold; 0.5 to 1).",
    )] = None,
    engine: EngineOption = "duckdb",
    spark_master: MasterOption = None,
) -> None:
    """Rebuild persons from all stored reports and print a summary."""
    from thbmonitor.link import link_persons
    from thbmonitor.store import SETTINGS

    with user_errors():
        review = None
        if threshold is not None:
            threshold = SETTINGS.get("link.threshold").check(threshold)
        with store(db, "write") as opened, progress("linking", disable=as_json) as bar:
            if threshold is not None:
                review = min(threshold, float(opened.db.setting("link.review_low")))
            path, before = opened.path, opened.db.latest_link_run()
            on_interrupt(lambda: _linked(path, before))
            result = link_persons(opened.db, method=method, threshold=threshold,
                                  review_low=review, progress=stage_updater(bar),
                                  engine=engine, spark_master=spark_master)
    emit(result, as_json, _render)


def _linked(path: Path, before: dict[str, Any] | None) -> str | None:
    """After Ctrl-C: had the new persons been committed?"""
    from thbmonitor.store import open_store

    with open_store(path, "read") as opened:
        latest = opened.db.latest_link_run()
    if latest is None or latest == before:
        return None
    return (f"finished: {plural(latest['persons'], 'person')} stored from "
            f"{plural(latest['reports'], 'report')} (Ctrl-C came after the linkage had been "
            "committed)")


def _render(result: Any) -> None:
    r: LinkResult = result
    console.print(f"{plural(r.reports, 'report')} linked into {plural(r.persons, 'person')} "
                  f"(method {plain(r.method)})")
    console.print(f"pairs scored: {r.pairs_scored:,}; linking pairs: {r.pairs:,}; "
                  f"pairs in review: {r.pairs_in_review:,}; decisions applied: "
                  f"{r.decisions_applied:,}")
    for warning in getattr(r, "warnings", None) or []:
        err_console.print(f"note: {warning}", markup=False, highlight=False)
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
    from thbmonitor.link import review_queue

    with user_errors(), store(db, "write") as opened:  # the read is written to the audit log
        queue = review_queue(opened.db, limit=limit)
    emit(queue, as_json, _render_queue)


def _render_queue(result: Any) -> None:
    from rich.table import Table

    queue: ReviewQueue = result
    console.print(f"{queue.total:,} pairs to review ({len(queue.pairs):,} shown); "
                  f"{queue.decided:,} decided so far")
    if not queue.pairs:
        return
    table = Table("p", "names", "name shared by", "birth", "left", "right")
    table.add_column("pair", no_wrap=True, min_width=13)
    for pair in queue.pairs:
        comp = pair["comparison"]
        names = "; ".join(comp[c]["level"] for c in ("name", "given", "family") if c in comp)
        shared = f"{pair.get('name_frequency') or '?'} persons"
        left, right = pair["left"], pair["right"]
        # The year only: the store keeps no date of birth in clear (docs/privacy.md).
        birth = f"{left['birth_year'] or '-'} / {right['birth_year'] or '-'}"
        table.add_row(f"{pair['match_probability']:.2f}", plain(names), plain(shared),
                      plain(birth),
                      plain(_side(left)), plain(_side(right)), pair["pair_id"])
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
    from thbmonitor.link import decide

    with user_errors(), store(db, "write") as opened:
        result = decide(opened.db, pair, decision)
    emit(result, as_json, _render_decision)


def _render_decision(result: Any) -> None:
    d: Decision = result
    console.print(f"pair {d.pair_id}: {d.decision} (applied at the next `thb link`)")


@review_app.command("split")
def split(
    report: Annotated[str, typer.Argument(
        help="The report to take out of its person, as SOURCE/REPORT_ID.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Undo a wrong link: the report leaves its person at the next `thb link`."""
    from thbmonitor.errors import UsageError
    from thbmonitor.link import split_report

    with user_errors():
        source, sep, report_id = report.partition("/")
        if not sep or not source or not report_id:
            raise UsageError(f"name the report as SOURCE/REPORT_ID, not {report!r}")
        with store(db, "write") as opened:
            result = split_report(opened.db, source, report_id)
    emit(result, as_json, _render_split)


def _render_split(result: Any) -> None:
    s: Split = result
    console.print(f"report {plain(s.report_id)} of {plain(s.source)} leaves person "
                  f"{s.person_id}: {plural(len(s.decisions), 'pair')} decided different "
                  "(applied at the next `thb link`)")
