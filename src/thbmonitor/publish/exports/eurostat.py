"""The Eurostat trafficking-in-human-beings tables (crim_thb layout), protected.

Registered victims and suspects of one year in long (SDMX-CSV-like) form, one
row per published cell:

``dataset,geo,time_period,unit,leg_stat,sex,age,citizen,exploit,obs_value,obs_flag``

* victims (``leg_stat=VICT``): by sex and citizenship (``crim_thb_vctz``),
  by sex and age (``crim_thb_vsage``), by sex and form of exploitation
  (``crim_thb_vexp``);
* traffickers by legal status: suspected (``leg_stat=SUSP``), prosecuted
  (``PRSC``) and convicted (``CONV``), each by sex and citizenship
  (``crim_thb_sctz``) and by sex and age (``crim_thb_sage``). Prosecuted are
  the cases registered at the prosecution service in the year, convicted the
  convictions of the year (the chain figures ``registered`` and
  ``convictions``); their sex, age and citizenship are those of the suspect
  the case names (UNK when it names none).

Codes: ``sex`` F, M, UNK (other and unknown), T; ``age`` Y_LT18, Y_GE18, UNK,
TOTAL; ``citizen`` NAT (the reporting country), EU27_2020_FOR (other EU member
states), NEU27_2020_FOR (outside the EU, stateless included), UNK, TOTAL;
``exploit`` SEXUAL, LABOUR, OTHER (criminal, organ removal, other forms and
more than one form), UNK, TOTAL. A dimension a table does not show is at its
total. ``obs_value`` 0 means known to be none; a suppressed cell has an empty
``obs_value`` and ``obs_flag`` ``c`` (confidential); UNK rows carry the
persons whose category is not known.

The cells are cut from the year's one protected set
(`thbmonitor.publish.protection.protect_year`): a cell that is a figure or
breakdown cell (``T/Y_LT18`` is the minors) has that cell's verdict, and the
others (``NEU27_2020_FOR``, ``UNK`` sex, the crosses) are protected in the same
problem with their relations to the figures, so that no combination of the
year's tables (figures, report, Eurostat, SDG, CTDC) recovers a suppressed
cell. Every code emitted is in the code lists of ``data/eurostat_codes.csv``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from thbmonitor.disclosure import AuditReport
from thbmonitor.errors import UsageError
from thbmonitor.figures.annual import require_year
from thbmonitor.publish.exports.cells import (
    AGE,
    CITIZEN,
    EXPLOIT,
    SEX,
    SUSPECT_DIMENSIONS,
    SUSPECT_SLICES,
    VICTIM_DIMENSIONS,
    VICTIM_SLICES,
)
from thbmonitor.publish.exports.csv_out import write_rows
from thbmonitor.publish.exports.cube import Dimension, ProtectedCube, audit_cube
from thbmonitor.store import Database

if TYPE_CHECKING:
    from thbmonitor.publish.protection import ProtectedYear

__all__ = ["AGE", "CITIZEN", "COLUMNS", "EXPLOIT", "SEX", "EurostatExport", "eurostat_export"]

COLUMNS = ("dataset", "geo", "time_period", "unit", "leg_stat", "sex", "age", "citizen",
           "exploit", "obs_value", "obs_flag")
VICTIM_TABLES: dict[str, tuple[str, ...]] = {
    "crim_thb_vctz": ("sex", "citizen"),
    "crim_thb_vsage": ("sex", "age"),
    "crim_thb_vexp": ("sex", "exploit"),
}
SUSPECT_TABLES: dict[str, tuple[str, ...]] = {
    "crim_thb_sctz": ("sex", "citizen"),
    "crim_thb_sage": ("sex", "age"),
}


@dataclass
class EurostatExport:
    """The protected victims, suspects, prosecuted and convicted cubes of one year.

    ``audit`` is the attacker's audit over every table published for the year
    together (figures, report, Eurostat, SDG), not of this extract alone.
    """

    year: int
    geo: str
    victims: ProtectedCube
    suspects: ProtectedCube
    joint_audit: AuditReport | None = None
    prosecuted: ProtectedCube | None = None
    convicted: ProtectedCube | None = None

    def cubes(self) -> list[tuple[str, ProtectedCube, dict[str, tuple[str, ...]]]]:
        """(leg_stat, cube, its datasets) of every table written, victims first."""
        out = [("VICT", self.victims, VICTIM_TABLES)]
        for leg_stat, cube in (("SUSP", self.suspects), ("PRSC", self.prosecuted),
                               ("CONV", self.convicted)):
            if cube is not None:
                out.append((leg_stat, cube, SUSPECT_TABLES))
        return out

    @property
    def audit(self) -> AuditReport:
        if self.joint_audit is not None:
            return self.joint_audit
        report = AuditReport(threshold=self.victims.threshold)
        for _leg_stat, cube, _tables in self.cubes():
            report.merge(audit_cube(cube))
        return report

    def rows(self) -> Iterable[dict[str, Any]]:
        for leg_stat, cube, tables in self.cubes():
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


def published_cube(protected: ProtectedYear, table: str, dimensions: Sequence[Dimension],
                   slices: Sequence[Sequence[str]], audit: AuditReport) -> ProtectedCube:
    """An export cube as cut from the year's one protected set."""
    cells = protected.export(table)
    return ProtectedCube(
        dimensions=tuple(dimensions), cells=cells, slices=tuple(tuple(s) for s in slices),
        threshold=protected.threshold, audit=audit,
        suppressed=sorted(cell for cell, value in cells.items() if value is None))


def eurostat_export(db: Database, year: int, *, threshold: int | None = None,
                    geo: str = "NL", protected: ProtectedYear | None = None) -> EurostatExport:
    """Victims and traffickers of ``year`` in the crim_thb layout, cut from the protection.

    ``threshold`` defaults to the setting ``publication.threshold``; ``geo`` is
    the reporting country (its nationality group is ``NL`` in the figures; no
    other is supported). The cells come from `protect_year` (or ``protected``,
    when the caller has it), so that the extract, the figures and the report
    hold one verdict per cell; the audit is the joint audit of the year.
    """
    from thbmonitor.publish.protection import audit_year, protect_year

    require_year(db, year)
    if geo != "NL":
        raise UsageError(f"the Eurostat export is made for the Netherlands (geo NL), not {geo}")
    if protected is None or protected.year != year:
        protected = protect_year(db, year, threshold=threshold)
    audit = audit_year(protected)
    return EurostatExport(
        year=year, geo=geo,
        victims=published_cube(protected, "eurostat.victims", VICTIM_DIMENSIONS,
                               VICTIM_SLICES, audit),
        suspects=published_cube(protected, "eurostat.suspects", SUSPECT_DIMENSIONS,
                                SUSPECT_SLICES, audit),
        prosecuted=published_cube(protected, "eurostat.prosecuted", SUSPECT_DIMENSIONS,
                                  SUSPECT_SLICES, audit),
        convicted=published_cube(protected, "eurostat.convicted", SUSPECT_DIMENSIONS,
                                 SUSPECT_SLICES, audit),
        joint_audit=audit,
    )
