"""The annual release: figures, disclosure control, findings, estimate, provenance.

This module only assembles what the library packages produce (like the CLI,
it sits above them): `thb figures`, `thb report` and `thb demo` all build
their output here, so the numbers in the JSON and in the report are the same.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import thbmonitor
from thbmonitor.figures import compute_figures
from thbmonitor.publish import with_findings
from thbmonitor.store import Database

if TYPE_CHECKING:  # imported lazily at run time: the estimate pulls in SciPy
    from thbmonitor.estimate import DarkFigure
    from thbmonitor.publish.release import Release

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReleaseResult:
    """A result the release assembles as a dict (`thb figures`, `thb estimate`);
    `--json` prints exactly `to_dict()`."""

    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return self.data


def annual_figures(db: Database, year: int, *, protected: bool = False) -> ReleaseResult:
    """`thb figures --year Y [--protected]`: CONTRACTS §3 with findings."""
    return ReleaseResult(figures_with_findings(db, year, protected=protected))


def figures_with_findings(db: Database, year: int, *, protected: bool = False) -> dict[str, Any]:
    """The CONTRACTS §3 figures of `year` with findings (and protection when asked).

    The findings are judged on the counts themselves and stated only on what
    is published (thbmonitor.publish.findings).
    """
    figures = compute_figures(db, year).to_dict()
    threshold = int(db.setting("publication.threshold"))
    published = None
    if protected:
        published = protect(figures, threshold, list(db.setting("publication.priorities")))
    return with_findings(figures, published=published, **finding_rule(db))


def finding_rule(db: Database) -> dict[str, Any]:
    """The findings rule from the settings (docs/report.md)."""
    return {"alpha": float(db.setting("findings.alpha")),
            "min_count": int(db.setting("publication.threshold")),
            "window": int(db.setting("findings.window")),
            "key_indicators": dict(db.setting("findings.key_indicators"))}


def protect(figures: dict[str, Any], threshold: int,
            priorities: list[str] | None = None) -> dict[str, Any]:
    """Disclosure control of every published cell (thbmonitor.disclosure)."""
    from thbmonitor.disclosure import protect_figures

    protected: dict[str, Any] = protect_figures(
        figures, threshold=threshold, priorities=priorities or ()).to_dict()
    return protected


def provenance(db: Database) -> dict[str, Any]:
    """What every published number can be reproduced from."""
    vintage = [
        {"kind": kind, "source": f"{file} ({vint})", "imported_at": str(at),
         "file_hash": fh[:16], "rows": rows}
        for kind, file, vint, at, fh, rows in db.rows(
            "SELECT kind, file_name, vintage, imported_at, file_hash, rows_stored FROM imports "
            "ORDER BY import_id")
    ]
    return {
        "version": thbmonitor.__version__,
        "settings": db.settings(),
        "seed": db.setting("random.seed"),
        "data_hash": db.data_hash(),
        "vintage": vintage,
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
    }


def latest_linkage(db: Database) -> dict[str, Any] | None:
    """Method and measured quality of the latest linkage run, when it was measured."""
    row = db.execute("SELECT method, quality FROM link_runs ORDER BY started_at DESC LIMIT 1"
                     ).fetchone()
    if row is None:
        return None
    method, quality = row
    result: dict[str, Any] = {"method": method}
    if quality:
        result.update(json.loads(quality))
    result.setdefault("pairs_reviewed", int(db.scalar("SELECT count(*) FROM link_decisions")))
    return result


def dark_figure(db: Database, year: int) -> DarkFigure | None:
    """The default estimate of the report (the Dutch practice, `thbmonitor.estimate`).

    None when there is nothing to estimate (no victims in the year, or fewer than two
    lists: a store of one organisation type); thin data give a result without a
    number and with its reason (the guards). The report is then made without it.
    """
    from thbmonitor.errors import DataError, UsageError
    from thbmonitor.estimate import estimate_dark_figure

    try:
        return estimate_dark_figure(db, year)
    except (UsageError, DataError) as exc:
        log.info("no dark-figure estimate for %s: %s", year, exc)
        return None


def pattern_counts(db: Database, year: int, threshold: int) -> dict[str, Any]:
    """The pattern aggregates of the report, each count below the threshold withheld.

    These counts are not part of any table that adds up, so primary
    suppression protects them (docs/publication.md); person-level output never
    reaches the report.
    """
    from thbmonitor.patterns import pattern_summary

    summary = pattern_summary(db, year, actor="report")
    keys = ("carousel_leads", "cross_border_networks", "networks_abroad_without_investigation")
    counts: dict[str, Any] = {
        k: (None if 0 < int(summary[k]) < threshold else int(summary[k])) for k in keys}
    counts["suppressed"] = [k for k in keys if counts[k] is None]
    return counts


#: The report's tables cover this many years, ending in the report's year.
REPORT_YEARS = 5


def breakdowns(db: Database, year: int, raw: dict[str, Any], published: dict[str, Any],
               *, protected: bool = True) -> dict[str, Any]:
    """The further breakdowns of the last five years, protected with the figures."""
    from thbmonitor.figures.breakdowns import count_breakdowns
    from thbmonitor.publish.protection import protect_breakdowns, year_exports

    first = max(year - REPORT_YEARS + 1, min(int(e["year"]) for e in raw.get("series") or [raw]))
    counted = count_breakdowns(db, first, year)
    if not protected:
        return {"tables": {str(y): counted.tables[y] for y in counted.tables}, "suppressed": [],
                "threshold": None}
    result = protect_breakdowns(
        raw, published, counted, threshold=int(db.setting("publication.threshold")),
        years=range(first, year + 1), priorities=list(db.setting("publication.priorities")),
        exports=year_exports(db, range(first, year + 1)))  # one protected set per year
    return result.to_dict()


def first_release_date(db: Database, year: int) -> Any:
    """When ``year`` was first released (None if never, or in a store without releases):
    reports imported after it are late (docs/quality.md)."""
    if not db.scalar("SELECT count(*) FROM information_schema.tables "
                     "WHERE table_name = 'releases'"):
        return None
    return db.scalar("SELECT min(released_at) FROM releases WHERE year = ?", [year])


def quality_annex(db: Database, year: int,
                  published: dict[str, Any] | None) -> dict[str, Any] | None:
    """The report's data-quality annex (thbmonitor.quality), under the disclosure rule."""
    from thbmonitor.quality import data_quality
    from thbmonitor.quality.annex import quality_annex as annex

    if int(db.scalar("SELECT count(*) FROM reports WHERE year(report_date) = ?", [year])) == 0:
        return None
    first = first_release_date(db, year)
    return annex(data_quality(db, year, first_release_date=first),
                 int(db.setting("publication.threshold")), published)


def publication_settings(db: Database) -> dict[str, Any]:
    """The publisher's settings of the cover and colophon."""
    return {name: db.setting(f"publication.{name}") for name in ("publisher", "contact", "date")}


def build_release(db: Database, year: int, *,
                  estimate: DarkFigure | dict[str, Any] | None = None,
                  protected: bool = True, with_estimate: bool = True,
                  with_patterns: bool = True, with_breakdowns: bool = True) -> Release:
    """Everything the annual report shows, from the stored data, settings and seed (live).

    The typed `Release` is assembled in `thbmonitor.publish.release`; a frozen year's
    report reads its latest stored release instead (`report_release`).
    """
    from thbmonitor.publish.release import assemble_release

    release, _raw, _across = assemble_release(db, year, estimate=estimate, protected=protected,
                                     with_estimate=with_estimate, with_patterns=with_patterns,
                                     with_breakdowns=with_breakdowns)
    return release


def report_release(db: Database, year: int, *, live: bool = False) -> Release:
    """The release a report of ``year`` shows: its latest frozen release unless ``live``
    (or unless the year was never released), else the live one (`build_release`)."""
    from thbmonitor.publish.release import latest_release

    if not live:
        frozen = latest_release(db, year)
        if frozen is not None:
            return frozen
    return build_release(db, year)
