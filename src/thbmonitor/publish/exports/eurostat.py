"""The Eurostat trafficking-in-human-beings tables (crim_thb layout), protected.

Registered victims and suspects of one year in long (SDMX-CSV-like) form, one
row per published cell:

``dataset,geo,time_period,unit,leg_stat,sex,age,citizen,exploit,obs_value,obs_flag``

* victims (``leg_stat=VICT``): by sex and citizenship (``crim_thb_vctz``),
  by sex and age (``crim_thb_vage``), by sex and form of exploitation
  (``crim_thb_vexp``);
* suspects (``leg_stat=SUSP``): by sex and citizenship (``crim_thb_sctz``),
  by sex and age (``crim_thb_sage``).

Codes: ``sex`` F, M, UNK (other and unknown), T; ``age`` Y_LT18, Y_GE18, UNK,
TOTAL; ``citizen`` NAT (the reporting country), EU27_FOR (other EU member
states), NEU27_FOR (outside the EU, stateless included), UNK, TOTAL;
``exploit`` SEXUAL, LABOUR, OTHER (criminal, organ removal, other forms and
more than one form), UNK, TOTAL. A dimension a table does not show is at its
total. ``obs_value`` 0 means known to be none; a suppressed cell has an empty
``obs_value`` and ``obs_flag`` ``c`` (confidential); UNK rows carry the
persons whose category is not known.

All slices of victims are protected together (they share the sex totals),
as are all slices of suspects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from thbmonitor.disclosure import AuditReport
from thbmonitor.figures.annual import require_year
from thbmonitor.publish.exports.csv_out import write_rows
from thbmonitor.publish.exports.cube import Cell, Dimension, ProtectedCube, audit_cube, protect_cube
from thbmonitor.publish.exports.sources import suspect_counts, victim_counts
from thbmonitor.store import Database

__all__ = ["COLUMNS", "EurostatExport", "eurostat_export"]

COLUMNS = ("dataset", "geo", "time_period", "unit", "leg_stat", "sex", "age", "citizen",
           "exploit", "obs_value", "obs_flag")
SEX = Dimension("sex", ("F", "M", "UNK"), "T")
AGE = Dimension("age", ("Y_LT18", "Y_GE18", "UNK"))
CITIZEN = Dimension("citizen", ("NAT", "EU27_FOR", "NEU27_FOR", "UNK"))
EXPLOIT = Dimension("exploit", ("SEXUAL", "LABOUR", "OTHER", "UNK"))
VICTIM_TABLES = {
    "crim_thb_vctz": ("sex", "citizen"),
    "crim_thb_vage": ("sex", "age"),
    "crim_thb_vexp": ("sex", "exploit"),
}
SUSPECT_TABLES = {
    "crim_thb_sctz": ("sex", "citizen"),
    "crim_thb_sage": ("sex", "age"),
}
SEX_CODE = {"female": "F", "male": "M"}
AGE_CODE = {"minor": "Y_LT18", "adult": "Y_GE18"}
FORM_CODE = {"sexual": "SEXUAL", "labour": "LABOUR", "unknown": "UNK"}


def _citizen(group: str, reporting_group: str) -> str:
    if group == reporting_group:
        return "NAT"
    if group == "EU":
        return "EU27_FOR"
    return "UNK" if group == "unknown" else "NEU27_FOR"


@dataclass
class EurostatExport:
    """The protected victims and suspects cubes of one year."""

    year: int
    geo: str
    victims: ProtectedCube
    suspects: ProtectedCube

    @property
    def audit(self) -> AuditReport:
        report = AuditReport(threshold=self.victims.threshold)
        report.merge(audit_cube(self.victims))
        report.merge(audit_cube(self.suspects))
        return report

    def rows(self) -> Iterable[dict[str, Any]]:
        for leg_stat, cube, tables in (("VICT", self.victims, VICTIM_TABLES),
                                       ("SUSP", self.suspects, SUSPECT_TABLES)):
            names = [d.name for d in cube.dimensions]
            for dataset, shown in tables.items():
                for cell, value in cube.cells.items():
                    on_slice = all(
                        c == d.total or d.name in shown
                        for c, d in zip(cell, cube.dimensions, strict=True))
                    if not on_slice:
                        continue
                    codes = dict(zip(names, cell, strict=True))
                    yield {
                        "dataset": dataset, "geo": self.geo, "time_period": self.year,
                        "unit": "NR", "leg_stat": leg_stat,
                        "sex": codes["sex"], "age": codes["age"],
                        "citizen": codes["citizen"], "exploit": codes.get("exploit", "TOTAL"),
                        "obs_value": "" if value is None else value,
                        "obs_flag": "c" if value is None else "",
                    }

    def write_csv(self, handle: IO[str]) -> int:
        return write_rows(handle, COLUMNS, self.rows())


def eurostat_export(db: Database, year: int, *, threshold: int | None = None,
                    geo: str = "NL") -> EurostatExport:
    """Victims and suspects of ``year`` in the crim_thb layout, protected and audited.

    ``threshold`` defaults to the setting ``publication.threshold``; ``geo`` is
    the reporting country (its nationality group is ``NL`` in the figures).
    """
    require_year(db, year)
    limit = int(threshold if threshold is not None else db.setting("publication.threshold"))
    victims: dict[Cell, int] = {}
    for row in victim_counts(db, year):
        cell: Cell = (SEX_CODE.get(row["sex"], "UNK"), AGE_CODE.get(row["age_group"], "UNK"),
                      _citizen(row["nationality_group"], geo),
                      FORM_CODE.get(row["exploitation"], "OTHER"))
        victims[cell] = victims.get(cell, 0) + int(row["n"])
    suspects: dict[Cell, int] = {}
    for row in suspect_counts(db, year):
        key: Cell = (SEX_CODE.get(row["sex"], "UNK"), AGE_CODE.get(row["age_group"], "UNK"),
                     _citizen(row["nationality_group"], geo))
        suspects[key] = suspects.get(key, 0) + int(row["n"])
    return EurostatExport(
        year=year, geo=geo,
        victims=protect_cube((SEX, AGE, CITIZEN, EXPLOIT), victims,
                             list(VICTIM_TABLES.values()), threshold=limit),
        suspects=protect_cube((SEX, AGE, CITIZEN), suspects,
                              list(SUSPECT_TABLES.values()), threshold=limit),
    )
