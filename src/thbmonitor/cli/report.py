"""`thb report` and `thb demo`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from thbmonitor.cli.app import (
    DbOption,
    ForceOption,
    JsonOption,
    app,
    console,
    emit,
    err_console,
    plain,
    progress,
    stage_updater,
    store,
    stores_of,
    user_errors,
)
from thbmonitor.errors import UsageError

# The pipeline is imported inside the commands: `thb --help` and the other
# commands should not pay for pandas, SciPy, Altair and the synthetic generator.


@app.command("report")
def report(
    year: Annotated[int, typer.Option("--year", help="Year of the report.")],
    db: DbOption = None,
    lang: Annotated[str, typer.Option("--lang", help="nl or en.")] = "nl",
    fmt: Annotated[str, typer.Option("--format", help="html or pdf (A4, WeasyPrint).")] = "html",
    out: Annotated[Path | None, typer.Option("--out", help="Output file.")] = None,
    tables: Annotated[str | None, typer.Option(
        "--tables", help="Also write every table for reuse: xlsx (one workbook) or csv "
        "(a folder); the report links them.")] = None,
    force: ForceOption = False,
    live: Annotated[bool, typer.Option(
        "--live", help="Compute from the data as they are now, even when the year has a "
        "release (default: a released year is rendered from its latest release).")] = False,
) -> None:
    """The annual report as one self-contained HTML file or an A4 PDF."""
    from thbmonitor.output_file import check_output, check_output_dir
    from thbmonitor.publish import LANGUAGES
    from thbmonitor.publish.report import publication_paths, write_publication
    from thbmonitor.release import report_release

    with user_errors():
        if lang not in LANGUAGES:
            raise UsageError(f"--lang takes one of: {', '.join(LANGUAGES)}")
        if fmt not in ("html", "pdf"):
            raise UsageError("--format takes one of: html, pdf")
        if tables is not None and tables not in ("xlsx", "csv"):
            raise UsageError("--tables takes one of: xlsx, csv")
        target = out or Path(f"report-{year}-{lang}.{fmt}")
        for kind, path in publication_paths(target, tables).items():  # refused before work
            if kind == "tables" and tables == "csv":
                check_output_dir(path, force=force)
            else:
                check_output(path, force=force, stores=stores_of(db))
        with progress(f"report {year}: figures, findings, dark figure") as bar:
            # write: the pattern counts in the report are a read the audit log records
            with store(db, "write") as opened:
                release = report_release(opened.db, year, live=live)
            bar.update(bar.task_ids[0], description=f"report {year}: writing")
            written = write_publication(release, target, lang, fmt, tables, force=force)
    for kind, path in written.items():
        console.print(f"{kind} written: {plain(path)}")


@app.command("demo")
def demo(
    out: Annotated[Path, typer.Option("--out", help="Directory for data, database, reports.")]
    = Path("demo-out"),
    seed: Annotated[int | None, typer.Option(
        "--seed", help="Seed of the synthetic data (default: the declared default of the "
                       "setting random.seed).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Generate the built-in synthetic data, import, link, compute and write the report."""
    from thbmonitor.demo import run_demo

    with user_errors(), progress("demo", disable=as_json) as bar:
        result = run_demo(out, seed=seed, progress=stage_updater(bar))
    emit(result, as_json, _render_demo)


def _render_demo(result: Any) -> None:
    r = result
    link = r.linkage
    console.print(f"[bold]{r.victims:,} victims registered in {r.year}[/bold] "
                  f"({r.victims - r.previous:+,} on {r.year - 1}); synthetic truth: "
                  f"{r.true_registered:,}")
    console.print(f"linkage against the synthetic truth: precision {link.get('precision')}, "
                  f"recall {link.get('recall')}, F1 {link.get('f1')}")
    for text in r.findings:
        console.print(f"  • {plain(text)}")
    for key, value in r.extras.items():
        console.print(f"{key}: {plain(value)}")
    for lang, path in r.reports.items():
        console.print(f"report ({lang}): [green]{plain(path)}[/green]")
    err_console.print(f"database: {plain(r.database)}")
    console.print("to use the demo store afterwards (for example `thb link`, `thb figures "
                  f"--year {r.year}`):")
    for line in r.use_lines():
        console.print(f"  {plain(line)}", soft_wrap=True)
