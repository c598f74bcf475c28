"""SDG indicator 16.2.2: victims of trafficking per 100,000 population, protected.

One row per published cell:

``indicator,geo,time_period,sex,age,exploit,victims,population,rate_per_100000,obs_flag``

Two tables of one year: victims by sex and age group, and victims by form of
exploitation (every other dimension at ``TOTAL``). Codes: ``sex`` FEMALE,
MALE, UNK (other and unknown), TOTAL; ``age`` Y0T17, Y_GE18, UNK, TOTAL;
``exploit`` SEXUAL, LABOUR, OTHER (criminal, organ removal, other forms, more
than one form), UNK, TOTAL. The counts are protected together with the
disclosure rules (`thbmonitor.disclosure`); a suppressed count has empty
``victims`` and ``rate_per_100000`` and ``obs_flag`` ``c``. The rate is given
where the population is known (not for UNK sex or age), rounded to two
decimals; the population comes from a replaceable table (see
``data/README.md``).
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from thbmonitor.disclosure import AuditReport
from thbmonitor.errors import DataError
from thbmonitor.figures.annual import require_year
from thbmonitor.publish.exports.csv_out import write_rows
from thbmonitor.publish.exports.cube import Cell, Dimension, ProtectedCube, audit_cube
from thbmonitor.store import Database

if TYPE_CHECKING:
    from thbmonitor.publish.protection import ProtectedYear

__all__ = ["COLUMNS", "SdgExport", "load_population", "sdg_export"]

COLUMNS = ("indicator", "geo", "time_period", "sex", "age", "exploit", "victims",
           "population", "rate_per_100000", "obs_flag")
SEX = Dimension("sex", ("FEMALE", "MALE", "UNK"))
AGE = Dimension("age", ("Y0T17", "Y_GE18", "UNK"))
EXPLOIT = Dimension("exploit", ("SEXUAL", "LABOUR", "OTHER", "UNK"))
SLICES = (("sex", "age"), ("exploit",))
POPULATION_SEX = {"female": "FEMALE", "male": "MALE"}
POPULATION_AGE = {"minor": "Y0T17", "adult": "Y_GE18"}
Population = dict[tuple[int, str, str], int]


def load_population(path: str | Path | None = None) -> Population:
    """The population table: (year, sex code, age code) -> persons on 1 January.

    Without ``path``, the shipped table for the Netherlands (``data/nl_population.csv``).
    """
    if path is None:
        text = resources.files("thbmonitor.publish.exports").joinpath(
            "data/nl_population.csv").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8-sig")
    table: Population = {}
    for number, row in enumerate(csv.DictReader(text.splitlines()), start=1):
        try:
            key = (int(row["year"]), POPULATION_SEX[row["sex"].strip()],
                   POPULATION_AGE[row["age_group"].strip()])
            table[key] = table.get(key, 0) + int(row["population"])
        except (KeyError, ValueError, AttributeError):
            raise DataError(
                f"population table row {number}: expected columns year,sex,age_group,population "
                "with sex female/male and age_group minor/adult") from None
    return table


def population_of(population: Mapping[tuple[int, str, str], int], year: int,
                  sex: str, age: str) -> int | None:
    """The population of a (sex, age) cell, totals summed; None when not known."""
    sexes = SEX.categories[:2] if sex == SEX.total else (sex,)
    ages = AGE.categories[:2] if age == AGE.total else (age,)
    total = 0
    for s in sexes:
        for a in ages:
            if (year, s, a) not in population:
                return None
            total += population[(year, s, a)]
    return total


@dataclass
class SdgExport:
    """The protected counts of one year with the population they are divided by."""

    year: int
    geo: str
    victims: ProtectedCube
    population: Population = field(default_factory=dict)
    joint_audit: AuditReport | None = None

    @property
    def audit(self) -> AuditReport:
        """The joint audit of every table of the year (or of this cube alone, when made so)."""
        return self.joint_audit if self.joint_audit is not None else audit_cube(self.victims)

    def rows(self) -> Iterable[dict[str, Any]]:
        for cell, value in self.victims.cells.items():
            sex, age, exploit = cell
            population = population_of(self.population, self.year, sex, age) \
                if exploit == EXPLOIT.total else population_of(
                    self.population, self.year, SEX.total, AGE.total)
            rate = "" if value is None or not population else round(value / population * 1e5, 2)
            yield {
                "indicator": "16.2.2", "geo": self.geo, "time_period": self.year,
                "sex": sex, "age": age, "exploit": exploit,
                "victims": "" if value is None else value,
                "population": "" if population is None else population,
                "rate_per_100000": rate, "obs_flag": "c" if value is None else "",
            }

    def write_csv(self, handle: IO[str]) -> int:
        return write_rows(handle, COLUMNS, self.rows())


#: SDG codes as the Eurostat victims cube's codes (the SDG cells are Eurostat cells).
TO_EUROSTAT = {"FEMALE": "F", "MALE": "M", "Y0T17": "Y_LT18"}


class HasExports(Protocol):
    """What the SDG cells are read from: a `ProtectedYear`, or a stored release's cells."""

    def export(self, table: str) -> dict[tuple[str, ...], int | None]: ...


def sdg_cells(protected: HasExports) -> dict[Cell, int | None]:
    """The SDG cells of the year, read from the protected Eurostat victims cube."""
    eurostat = protected.export("eurostat.victims")
    cells: dict[Cell, int | None] = {}
    for sex, age in itertools.product(SEX.values(), AGE.values()):
        cells[(sex, age, EXPLOIT.total)] = eurostat[(
            "T" if sex == SEX.total else TO_EUROSTAT.get(sex, sex), TO_EUROSTAT.get(age, age),
            "TOTAL", "TOTAL")]
    for form in EXPLOIT.categories:
        cells[(SEX.total, AGE.total, form)] = eurostat[("T", "TOTAL", "TOTAL", form)]
    return cells


def sdg_export(db: Database, year: int, *, threshold: int | None = None,
               population: Population | None = None, geo: str = "NL",
               protected: ProtectedYear | None = None) -> SdgExport:
    """Victims of ``year`` per 100,000 population by sex and age, and by form; protected.

    The counts are cut from the year's one protected set (`protect_year`, or
    ``protected`` when the caller has it): they are cells of the Eurostat
    victims cube; the audit is the joint audit of every table of the year.
    """
    from thbmonitor.publish.protection import audit_year, protect_year

    require_year(db, year)
    if protected is None or protected.year != year:
        protected = protect_year(db, year, threshold=threshold)
    audit = audit_year(protected)
    cells = sdg_cells(protected)
    cube = ProtectedCube(dimensions=(SEX, AGE, EXPLOIT), cells=cells, slices=SLICES,
                         threshold=protected.threshold, audit=audit,
                         suppressed=sorted(c for c, v in cells.items() if v is None))
    return SdgExport(year=year, geo=geo, victims=cube, joint_audit=audit,
                     population=load_population() if population is None else population)
