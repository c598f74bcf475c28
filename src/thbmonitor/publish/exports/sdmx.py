"""SDG indicator 16.2.2 as SDMX-CSV 2.0 through pysdmx (`thb export sdg --format sdmx-csv`).

The same protected cells as the SDG CSV (`thbmonitor.publish.exports.sdg`),
as observations of the SDG global dataflow ``IAEG-SDGs:DF_SDG_GLH(1.24)``:

* ``VC_HTF_DETV`` detected victims (number) by ``SEX`` (_T, F, M) and
  ``AGE`` (_T, Y0T17, Y_GE18);
* ``VC_HTF_DETVSX`` (sexual exploitation) and ``VC_HTF_DETVFL`` (forced
  labour) by sex, all ages; ``VC_HTF_DETVOP`` (removal of organs) and
  ``VC_HTF_DETVOG`` (other purposes: criminal activities, other forms and more
  than one form) for everyone;
* the same per 100,000 population (``…R`` series, ``UNIT_MEASURE``
  PER_100000_POP) where the population is known.

Every count is a cell of the year's one protected set: the victims cube
(sex × age, sex × form) or the figures' own cell (organ removal). "Other
purposes" is the published ``OTHER`` form minus the published organ removal:
published only when both are and the difference is 0 or at least the
threshold (it tells nothing the two cells do not). Persons of unknown sex or
age are in the totals, not in a category of their own (the SDG series have
none). A suppressed observation has an empty ``OBS_VALUE`` and ``OBS_STATUS``
``Q`` (missing value; suppressed): the SDG DSD carries confidentiality in
``OBS_STATUS`` (it has no ``CONF_STATUS``). Every code written is in the
shipped subset of the DSD's code lists (``data/sdg_dsd.csv``, with sources),
and pysdmx writes the file: the columns of SDMX-CSV 2.0 (``STRUCTURE``,
``STRUCTURE_ID``, ``ACTION``, the dimensions in the DSD's order, the measure,
the attributes) are the library's, not typed here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import IO, TYPE_CHECKING, Any

from thbmonitor.publish.exports.sdg import AGE, EXPLOIT, SEX, Population, population_of

if TYPE_CHECKING:
    import pandas as pd
    from pysdmx.model import Schema

    from thbmonitor.disclosure import AuditReport
    from thbmonitor.publish.exports.sdg import SdgExport
    from thbmonitor.publish.protection import ProtectedYear
    from thbmonitor.store import Database

__all__ = ["SdmxSdg", "dsd_codes", "sdmx_sdg", "sdmx_sdg_export"]

#: SDG codes of the counts' categories (the SDG CSV's codes on the left).
SDMX_SEX = {SEX.total: "_T", "FEMALE": "F", "MALE": "M"}
SDMX_AGE = {AGE.total: "_T", "Y0T17": "Y0T17", "Y_GE18": "Y_GE18"}
#: Series by form: (number series, rate series, the victims cube's form or None).
FORM_SERIES = (
    ("VC_HTF_DETVSX", "VC_HTF_DETVSXR", "SEXUAL"),
    ("VC_HTF_DETVFL", "VC_HTF_DETVFLR", "LABOUR"),
)
TOTAL_SERIES = ("VC_HTF_DETV", "VC_HTF_DETVR")
ORGAN_SERIES = ("VC_HTF_DETVOP", "VC_HTF_DETVOPR")
OTHER_SERIES = ("VC_HTF_DETVOG", "VC_HTF_DETVOGR")
#: Dimensions this extract never breaks down (always ``_T``), in the DSD's order.
NO_BREAKDOWN = ("URBANISATION", "INCOME_WEALTH_QUANTILE", "EDUCATION_LEV", "OCCUPATION",
                "CUST_BREAKDOWN", "COMPOSITE_BREAKDOWN", "DISABILITY_STATUS", "ACTIVITY",
                "PRODUCT")
DIMENSIONS = ("FREQ", "REPORTING_TYPE", "SERIES", "REF_AREA", "SEX", "AGE", *NO_BREAKDOWN,
              "TIME_PERIOD")
ATTRIBUTES = ("OBS_STATUS", "UNIT_MULT", "UNIT_MEASURE", "NATURE")
#: The reporting country's M49 code (REF_AREA).
REF_AREA = {"NL": "528"}
NORMAL, SUPPRESSED = "A", "Q"


@cache
def _dsd_rows() -> tuple[dict[str, str], ...]:
    text = resources.files("thbmonitor.publish.exports").joinpath(
        "data/sdg_dsd.csv").read_text(encoding="utf-8")
    return tuple(csv.DictReader(io.StringIO(text)))


def dsd_codes() -> dict[str, set[str]]:
    """The shipped code lists: component -> the codes this extract may write."""
    codes: dict[str, set[str]] = {}
    for row in _dsd_rows():
        codes.setdefault(row["component"], set()).add(row["code"])
    return codes


def dataflow() -> tuple[str, str, str]:
    """(agency, id, version) of the dataflow the observations belong to."""
    (urn,) = dsd_codes()["STRUCTURE"]
    agency, rest = urn.split(":", 1)
    flow, version = rest.rstrip(")").split("(")
    return agency, flow, version


def schema() -> Schema:
    """The subset of the SDG DSD this extract uses, as a pysdmx `Schema`."""
    from pysdmx.model import Code, Codelist, Component, Components, Concept, DataType, Role
    from pysdmx.model import Schema as SchemaModel

    agency, flow, version = dataflow()
    labels: dict[str, dict[str, str]] = {}
    for row in _dsd_rows():
        labels.setdefault(row["component"], {})[row["code"]] = row["label"]

    def coded(name: str, role: Role) -> Component:
        codelist = Codelist(id=f"CL_{name}", agency=agency, items=[
            Code(id=code, name=label) for code, label in sorted(labels[name].items())])
        return Component(id=name, required=role == Role.DIMENSION, role=role,
                         concept=Concept(id=name, dtype=DataType.STRING),
                         local_codes=codelist,
                         attachment_level="O" if role == Role.ATTRIBUTE else None)

    parts = [coded(name, Role.DIMENSION) for name in DIMENSIONS if name != "TIME_PERIOD"]
    parts.append(Component(id="TIME_PERIOD", required=True, role=Role.DIMENSION,
                           concept=Concept(id="TIME_PERIOD", dtype=DataType.PERIOD)))
    parts.append(Component(id="OBS_VALUE", required=False, role=Role.MEASURE,
                           concept=Concept(id="OBS_VALUE", dtype=DataType.STRING)))
    parts += [coded(name, Role.ATTRIBUTE) for name in ATTRIBUTES]
    return SchemaModel(context="dataflow", agency=agency, id=flow, version=version,
                       components=Components(parts), name="SDG indicator 16.2.2")


@dataclass
class SdmxSdg:
    """The SDG 16.2.2 observations of one year, protected, for SDMX-CSV 2.0."""

    year: int
    geo: str
    observations: list[dict[str, Any]]
    joint_audit: AuditReport | None

    @property
    def audit(self) -> AuditReport | None:
        """The joint audit of the year's tables (None: read from a release, audited then)."""
        return self.joint_audit

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        columns = [*DIMENSIONS, "OBS_VALUE", *ATTRIBUTES]
        return pd.DataFrame(self.observations, columns=columns).astype(str)

    def to_sdmx_csv(self) -> str:
        """The observations as SDMX-CSV 2.0 text, written by pysdmx."""
        from pysdmx.io import write_sdmx
        from pysdmx.io.format import Format
        from pysdmx.io.pd import PandasDataset

        dataset = PandasDataset(structure=schema(), data=self.frame())
        text = write_sdmx(dataset, Format.DATA_SDMX_CSV_2_0_0)
        assert text is not None  # no output path: pysdmx returns the text
        return text.replace("\r\n", "\n")

    def write_csv(self, handle: IO[str]) -> int:
        """Write the SDMX-CSV file; return the number of observations."""
        handle.write(self.to_sdmx_csv())
        return len(self.observations)


def _observation(year: int, geo: str, series: str, sex: str, age: str, value: float | None,
                 unit: str) -> dict[str, Any]:
    return {
        "FREQ": "A", "REPORTING_TYPE": "N", "SERIES": series, "REF_AREA": REF_AREA[geo],
        "SEX": sex, "AGE": age, **dict.fromkeys(NO_BREAKDOWN, "_T"),
        "TIME_PERIOD": str(year), "OBS_VALUE": "" if value is None else _number(value),
        "OBS_STATUS": SUPPRESSED if value is None else NORMAL, "UNIT_MULT": "0",
        "UNIT_MEASURE": unit, "NATURE": "C",
    }


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def _rate(count: int | None, population: int | None) -> float | None:
    """Per 100,000 population, two decimals; None when the count is suppressed or no population."""
    if count is None or not population:
        return None
    return round(count / population * 1e5, 2)


def _pairs(year: int, geo: str, series: tuple[str, str], sex: str, age: str,
           count: int | None, population: int | None) -> Iterable[dict[str, Any]]:
    number, rate = series
    yield _observation(year, geo, number, sex, age, count, "NUMBER")
    if population:
        yield _observation(year, geo, rate, sex, age, _rate(count, population), "PER_100000_POP")


def observations(year: int, geo: str, counts: Mapping[tuple[str, ...], int | None],
                 eurostat: Mapping[tuple[str, ...], int | None], organ_removal: int | None,
                 population: Population, threshold: int) -> list[dict[str, Any]]:
    """The observations of the year from protected cells only (None = suppressed).

    ``counts`` are the SDG cube's cells (sex, age, exploit), ``eurostat`` the
    Eurostat victims cube's (sex, age, citizen, exploit), ``organ_removal``
    the figures' cell.
    """
    out: list[dict[str, Any]] = []
    for sex, sdmx_sex in SDMX_SEX.items():
        for age, sdmx_age in SDMX_AGE.items():
            out += _pairs(year, geo, TOTAL_SERIES, sdmx_sex, sdmx_age,
                          counts[(sex, age, EXPLOIT.total)],
                          population_of(population, year, sex, age))
    everyone = population_of(population, year, SEX.total, AGE.total)
    for number, rate, form in FORM_SERIES:
        for sex, sdmx_sex in SDMX_SEX.items():
            code = {"FEMALE": "F", "MALE": "M"}.get(sex, "T")
            out += _pairs(year, geo, (number, rate), sdmx_sex, "_T",
                          eurostat[(code, "TOTAL", "TOTAL", form)],
                          population_of(population, year, sex, AGE.total))
    out += _pairs(year, geo, ORGAN_SERIES, "_T", "_T", organ_removal, everyone)
    other = eurostat[("T", "TOTAL", "TOTAL", "OTHER")]
    purposes: int | None = None
    if other is not None and organ_removal is not None:
        difference = other - organ_removal
        purposes = difference if difference == 0 or difference >= threshold else None
    out += _pairs(year, geo, OTHER_SERIES, "_T", "_T", purposes, everyone)
    return out


def sdmx_sdg(export: SdgExport, protected: ProtectedYear) -> SdmxSdg:
    """The SDMX-CSV form of an SDG export, from the protected set it was cut from."""
    if export.geo not in REF_AREA:
        from thbmonitor.errors import UsageError

        raise UsageError(f"the SDMX-CSV export is made for the Netherlands (geo NL), "
                         f"not {export.geo}")
    forms = protected.figures.get("victims", {}).get("by", {}).get("exploitation", {})
    rows = observations(export.year, export.geo, export.victims.cells,
                        protected.export("eurostat.victims"), forms.get("organ_removal"),
                        export.population, protected.threshold)
    return SdmxSdg(year=export.year, geo=export.geo, observations=rows,
                   joint_audit=export.joint_audit)


def sdmx_sdg_export(db: Database, year: int, *, threshold: int | None = None,
                    population: Population | None = None, geo: str = "NL",
                    protected: ProtectedYear | None = None) -> SdmxSdg:
    """SDG 16.2.2 of ``year`` as SDMX-CSV observations, cut from the year's protected set.

    Arguments as `thbmonitor.publish.exports.sdg_export`; the audit is the
    joint audit of every table of the year.
    """
    from thbmonitor.figures.annual import require_year
    from thbmonitor.publish.exports.sdg import sdg_export
    from thbmonitor.publish.protection import protect_year

    require_year(db, year)
    if protected is None or protected.year != year:
        protected = protect_year(db, year, threshold=threshold)
    export = sdg_export(db, year, population=population, geo=geo, protected=protected)
    return sdmx_sdg(export, protected)


@dataclass(frozen=True)
class _Frozen:
    """The protected cells of a stored release, as `sdmx_sdg` reads a `ProtectedYear`."""

    year: int
    threshold: int
    figures: dict[str, Any]
    exports: dict[str, dict[str, int | None]]

    def export(self, table: str) -> dict[tuple[str, ...], int | None]:
        return {tuple(key.split("|")): value for key, value in self.exports[table].items()}


def sdmx_from_release(release: Mapping[str, Any], population: Population | None = None,
                      geo: str = "NL") -> SdmxSdg | None:
    """SDG 16.2.2 as SDMX-CSV from a stored release's published cells; None when it has none.

    What `thb export sdg --format sdmx-csv` writes for a released year: the
    release's figures and its export cells as frozen (audited when frozen, so
    ``joint_audit`` is None here).
    """
    from thbmonitor.publish.exports.sdg import load_population, sdg_cells

    year = int(release["year"])
    exports = ((release.get("breakdowns") or {}).get("exports") or {}).get(str(year)) or {}
    if "eurostat.victims" not in exports or geo not in REF_AREA:
        return None
    figures = release["figures"]
    frozen = _Frozen(year=year, figures=figures, exports=exports,
                     threshold=int((figures.get("disclosure") or {}).get("threshold", 10)))
    forms = figures.get("victims", {}).get("by", {}).get("exploitation", {})
    rows = observations(year, geo, sdg_cells(frozen), frozen.export("eurostat.victims"),
                        forms.get("organ_removal"),
                        load_population() if population is None else population,
                        frozen.threshold)
    return SdmxSdg(year=year, geo=geo, observations=rows, joint_audit=None)
