"""`thb export eurostat|sdg|ctdc --year Y`: the standard extracts, protected (CSV)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Annotated, Protocol

import typer

from thbmonitor.cli.app import DbOption, err_console, plain, plural, store, user_errors
from thbmonitor.cli.export import OutOption, export_app
from thbmonitor.errors import ThbError

YearOption = Annotated[int, typer.Option("--year", help="Calendar year of the extract.")]
LiveOption = Annotated[bool, typer.Option(
    "--live", help="Make the extract from the data as they are now, even when the year has "
    "a release (default: a released year's extract is the one frozen with its latest "
    "release).")]


def _from_release(db: Path | None, kind: str, year: int, out: Path | None) -> bool:
    """Write the extract frozen with the year's latest release; False when there is none."""
    from thbmonitor.publish.release import frozen_export
    from thbmonitor.store import audit

    with store(db, "write") as opened:  # write: the export is recorded in the audit log
        frozen = frozen_export(opened.db, kind, year)
        if frozen is None:
            return False
        release_id, text = frozen
        audit.record(opened.db, f"export.{kind}", str(year),
                     detail={"out": str(out) if out else "stdout", "release": release_id})
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8", newline="")
        err_console.print(f"{kind} extract of release {plain(release_id)} written to "
                          f"{plain(out)}")
    return True


class Extract(Protocol):
    def write_csv(self, handle: IO[str]) -> int: ...


class AuditFailed(ThbError):
    """An export did not pass its disclosure audit (nothing is written)."""


def _write(extract: Extract, ok: bool, out: Path | None) -> None:
    if not ok:
        raise AuditFailed("the export did not pass the disclosure audit; nothing was written")
    if out is None:
        extract.write_csv(sys.stdout)
        return
    with out.open("w", encoding="utf-8", newline="") as handle:
        count = extract.write_csv(handle)
    err_console.print(f"{plural(count, 'row')} written to {plain(out)}")


@export_app.command("eurostat")
def eurostat(year: YearOption, db: DbOption = None, out: OutOption = None,
             live: LiveOption = False) -> None:
    """Victims and suspects by sex, age, citizenship and form (crim_thb layout), protected."""
    from thbmonitor.publish.exports import eurostat_export
    from thbmonitor.store import audit

    with user_errors():
        if not live and _from_release(db, "eurostat", year, out):
            return
        with store(db, "write") as opened:  # write: the export is recorded in the audit log
            extract = eurostat_export(opened.db, year)
            audit.record(opened.db, "export.eurostat", str(year),
                         detail={"out": str(out) if out else "stdout", "ok": extract.audit.ok})
        _write(extract, extract.audit.ok, out)


@export_app.command("sdg")
def sdg(
    year: YearOption, db: DbOption = None, out: OutOption = None,
    population: Annotated[Path | None, typer.Option(
        "--population", help="Population table CSV year,sex,age_group,population "
                             "(default: the shipped table for the Netherlands).")] = None,
    live: LiveOption = False,
) -> None:
    """SDG 16.2.2: victims per 100,000 population by sex and age, and by form, protected."""
    from thbmonitor.publish.exports import load_population, sdg_export
    from thbmonitor.store import audit

    with user_errors():
        # another population table: the release's extract (default table) does not apply
        if not live and population is None and _from_release(db, "sdg", year, out):
            return
        table = load_population(population) if population is not None else None
        with store(db, "write") as opened:  # write: the export is recorded in the audit log
            extract = sdg_export(opened.db, year, population=table)
            audit.record(opened.db, "export.sdg", str(year),
                         detail={"out": str(out) if out else "stdout", "ok": extract.audit.ok})
        _write(extract, extract.audit.ok, out)


@export_app.command("ctdc")
def ctdc(year: YearOption, db: DbOption = None, out: OutOption = None,
         live: LiveOption = False) -> None:
    """Victims as records in the CTDC global synthetic data layout, k-anonymous."""
    from thbmonitor.publish.exports import ctdc_export
    from thbmonitor.store import audit

    with user_errors():
        if not live and _from_release(db, "ctdc", year, out):
            return
        with store(db, "write") as opened:  # write: the export is recorded in the audit log
            extract = ctdc_export(opened.db, year)
            audit.record(opened.db, "export.ctdc", str(year),
                         detail={"out": str(out) if out else "stdout", "ok": extract.audit.ok})
        _write(extract, extract.audit.ok, out)
