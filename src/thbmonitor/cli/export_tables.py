"""`thb export eurostat|sdg|ctdc --year Y`: the standard extracts, protected (CSV)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Annotated, Protocol

import typer

from thbmonitor.cli.app import (
    DbOption,
    ForceOption,
    err_console,
    plain,
    plural,
    store,
    stores_of,
    user_errors,
)
from thbmonitor.cli.export import OutOption, export_app
from thbmonitor.errors import ThbError

YearOption = Annotated[int, typer.Option("--year", help="Calendar year of the extract.")]
LiveOption = Annotated[bool, typer.Option(
    "--live", help="Make the extract from the data as they are now, even when the year has "
    "a release (default: a released year's extract is the one frozen with its latest "
    "release).")]


def _from_release(db: Path | None, kind: str, year: int, out: Path | None,
                  force: bool = False) -> bool:
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
        from thbmonitor.output_file import output_file

        with output_file(out, force=force, stores=stores_of(db)) as handle:
            handle.write(text)
        err_console.print(f"{kind} extract of release {plain(release_id)} written to "
                          f"{plain(out)}")
    return True


class Extract(Protocol):
    def write_csv(self, handle: IO[str]) -> int: ...


class AuditFailed(ThbError):
    """An export did not pass its disclosure audit (nothing is written)."""


def _check(out: Path | None, force: bool, db: Path | None) -> None:
    """Refuse a bad `--out` before anything is computed or written."""
    from thbmonitor.output_file import check_output

    if out is not None:
        check_output(out, force=force, stores=stores_of(db))


def _why(audit: object) -> str:
    """The first cells an attacker recovers (paths of cells, never values)."""
    failures = [getattr(f, "path", "") for f in getattr(audit, "failures", [])]
    failures += list(getattr(audit, "published_small", [])) + list(
        getattr(audit, "inconsistent", []))
    if getattr(audit, "homogeneous", 0):
        failures.append(f"{audit.homogeneous} groups homogeneous in the forms")  # type: ignore[attr-defined]
    if not getattr(audit, "joint_ok", True):
        failures.append("the joint audit with the year's tables")
    return f" ({', '.join(failures[:5])})" if failures else ""


def _write(extract: Extract, ok: bool, out: Path | None, force: bool = False,
           db: Path | None = None, audit: object = None) -> None:
    from thbmonitor.output_file import output_file

    if not ok:
        raise AuditFailed("the export did not pass the disclosure audit, taken over every "
                          f"table published for the year{_why(audit)}; nothing was written")
    if out is None:
        extract.write_csv(sys.stdout)
        return
    with output_file(out, force=force, stores=stores_of(db)) as handle:
        count = extract.write_csv(handle)
    err_console.print(f"{plural(count, 'row')} written to {plain(out)}")


@export_app.command("eurostat")
def eurostat(year: YearOption, db: DbOption = None, out: OutOption = None,
             force: ForceOption = False, live: LiveOption = False) -> None:
    """Victims and suspects by sex, age, citizenship and form (crim_thb layout), protected."""
    from thbmonitor.publish.exports import eurostat_export
    from thbmonitor.store import audit

    with user_errors():
        _check(out, force, db)
        if not live and _from_release(db, "eurostat", year, out, force):
            return
        with store(db, "write") as opened:  # write: the export is recorded in the audit log
            extract = eurostat_export(opened.db, year)
            audit.record(opened.db, "export.eurostat", str(year),
                         detail={"out": str(out) if out else "stdout", "ok": extract.audit.ok})
        _write(extract, extract.audit.ok, out, force, db, extract.audit)


@export_app.command("sdg")
def sdg(
    year: YearOption, db: DbOption = None, out: OutOption = None, force: ForceOption = False,
    population: Annotated[Path | None, typer.Option(
        "--population", help="Population table CSV year,sex,age_group,population "
                             "(default: the shipped table for the Netherlands).")] = None,
    live: LiveOption = False,
    fmt: Annotated[str, typer.Option(
        "--format", help="csv (the project's layout) or sdmx-csv (SDMX-CSV 2.0 of the SDG "
                         "global dataflow, series VC_HTF_DETV...).")] = "csv",
) -> None:
    """SDG 16.2.2: victims per 100,000 population by sex and age, and by form, protected."""
    from thbmonitor.errors import UsageError
    from thbmonitor.publish.exports import load_population, sdg_export
    from thbmonitor.store import audit

    with user_errors():
        if fmt not in ("csv", "sdmx-csv"):
            raise UsageError("--format takes one of: csv, sdmx-csv")
        _check(out, force, db)
        table = load_population(population) if population is not None else None
        if fmt == "sdmx-csv":
            _sdmx(year, db, out, force, live, table)
            return
        # another population table: the release's extract (default table) does not apply
        if not live and population is None and _from_release(db, "sdg", year, out, force):
            return
        with store(db, "write") as opened:  # write: the export is recorded in the audit log
            extract = sdg_export(opened.db, year, population=table)
            audit.record(opened.db, "export.sdg", str(year),
                         detail={"out": str(out) if out else "stdout", "ok": extract.audit.ok})
        _write(extract, extract.audit.ok, out, force, db, extract.audit)


def _sdmx(year: int, db: Path | None, out: Path | None, force: bool, live: bool,
          population: dict[tuple[int, str, str], int] | None) -> None:
    """`thb export sdg --format sdmx-csv`: from the year's latest release unless --live."""
    from thbmonitor.publish.exports.sdmx import sdmx_from_release, sdmx_sdg_export
    from thbmonitor.publish.release import latest_release
    from thbmonitor.store import audit

    with store(db, "write") as opened:  # write: the export is recorded in the audit log
        release = None if live else latest_release(opened.db, year)
        extract = sdmx_from_release(release, population) if release is not None else None
        if extract is None:
            extract = sdmx_sdg_export(opened.db, year, population=population)
        ok = extract.audit.ok if extract.audit is not None else True  # a release: audited then
        detail: dict[str, object] = {"out": str(out) if out else "stdout", "ok": ok,
                                     "format": "sdmx-csv"}
        if release is not None and extract.audit is None:
            detail["release"] = release.release_id
        audit.record(opened.db, "export.sdg", str(year), detail=detail)
    _write(extract, ok, out, force, db, extract.audit)


@export_app.command("ctdc")
def ctdc(year: YearOption, db: DbOption = None, out: OutOption = None,
         force: ForceOption = False, live: LiveOption = False) -> None:
    """Victims as records in the CTDC global synthetic data layout, k-anonymous."""
    from thbmonitor.publish.exports import ctdc_export
    from thbmonitor.store import audit

    with user_errors():
        _check(out, force, db)
        if not live and _from_release(db, "ctdc", year, out, force):
            return
        with store(db, "write") as opened:  # write: the export is recorded in the audit log
            extract = ctdc_export(opened.db, year)
            audit.record(opened.db, "export.ctdc", str(year),
                         detail={"out": str(out) if out else "stdout", "ok": extract.audit.ok})
        _write(extract, extract.audit.ok, out, force, db, extract.audit)
