"""The Eurostat, SDG 16.2.2 and CTDC exports on realistic data: protected, audited, k-anonymous."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from thbmonitor.cli import (
    commands,  # noqa: F401  (registers the commands)
    export_tables,  # noqa: F401
)
from thbmonitor.cli.app import app
from thbmonitor.figures import compute_figures
from thbmonitor.publish.exports import (
    audit_cube,
    ctdc_export,
    eurostat_export,
    k_anonymity,
    load_population,
    sdg_export,
)
from thbmonitor.publish.exports import ctdc as ctdc_module
from thbmonitor.publish.exports import eurostat as eurostat_module
from thbmonitor.publish.exports import sdg as sdg_module
from thbmonitor.store import Database

YEARS = (2023, 2024)


@pytest.fixture(scope="module")
def protected(realistic_db_path: Path) -> dict[int, Any]:
    """The one protection of each year every export of it is cut from (made once here)."""
    from thbmonitor.publish.protection import protect_year

    with Database(realistic_db_path, create=False) as db:
        return {year: protect_year(db, year) for year in YEARS}


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def written(export: Any) -> str:
    buffer = io.StringIO()
    export.write_csv(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("year", YEARS)
def test_eurostat_is_protected_and_adds_up_to_the_figures(
    realistic_db: Database, year: int, protected: dict[int, Any],
) -> None:
    export = eurostat_export(realistic_db, year, protected=protected[year])
    assert export.audit.ok, [c.to_dict() for c in export.audit.failures][:5]
    rows = read_csv(written(export))
    assert tuple(rows[0]) == eurostat_module.COLUMNS
    figures = compute_figures(realistic_db, year).to_dict()
    threshold = realistic_db.setting("publication.threshold")
    for row in rows:
        if row["obs_flag"] == "c":
            assert row["obs_value"] == ""
        else:
            value = int(row["obs_value"])
            assert value == 0 or value >= threshold
    everyone = ("T", "TOTAL", "TOTAL", "TOTAL")
    grand = {(r["dataset"], r["leg_stat"]): r["obs_value"] for r in rows
             if (r["sex"], r["age"], r["citizen"], r["exploit"]) == everyone}
    chain = figures["chain"]
    totals = {"VICT": figures["victims"]["total"], "SUSP": chain["suspects"]["total"],
              "PRSC": chain["prosecution"]["registered"],
              "CONV": chain["verdicts"]["convictions"]}
    assert {leg_stat for _dataset, leg_stat in grand} == set(totals)
    for (dataset, leg_stat), value in grand.items():
        assert value == str(totals[leg_stat]), (dataset, leg_stat)
    minors = next(r for r in rows if r["dataset"] == "crim_thb_vsage" and r["sex"] == "T"
                  and r["age"] == "Y_LT18")
    if minors["obs_value"]:
        assert int(minors["obs_value"]) == figures["victims"]["by"]["age_group"]["minor"]


def test_eurostat_audit_catches_a_leak(realistic_db: Database,
                                       protected: dict[int, Any]) -> None:
    export = eurostat_export(realistic_db, 2024, protected=protected[2024])
    cube = export.victims
    assert cube.suppressed, "the realistic victims table has small cells"
    cube.cells[cube.suppressed[0]] = 3  # publish a small value where a cell was suppressed
    assert not audit_cube(cube).ok


@pytest.mark.parametrize("year", YEARS)
def test_sdg_rates_are_protected_counts_over_the_population(
    realistic_db: Database, year: int, protected: dict[int, Any],
) -> None:
    export = sdg_export(realistic_db, year, protected=protected[year])
    assert export.audit.ok
    rows = read_csv(written(export))
    assert tuple(rows[0]) == sdg_module.COLUMNS
    population = load_population()
    threshold = realistic_db.setting("publication.threshold")
    for row in rows:
        if not row["victims"]:
            assert row["rate_per_100000"] == "" and row["obs_flag"] == "c"
            continue
        victims = int(row["victims"])
        assert victims == 0 or victims >= threshold
        if row["population"]:
            assert float(row["rate_per_100000"]) == pytest.approx(
                victims / int(row["population"]) * 1e5, abs=0.005)
    total = next(r for r in rows if (r["sex"], r["age"], r["exploit"]) ==
                 ("TOTAL", "TOTAL", "TOTAL"))
    assert int(total["population"]) == sum(v for (y, _s, _a), v in population.items()
                                           if y == year)


def test_population_table_can_be_replaced(tmp_path: Path, realistic_db: Database,
                                          protected: dict[int, Any]) -> None:
    path = tmp_path / "population.csv"
    path.write_text("year,sex,age_group,population\n"
                    "2024,female,minor,1000000\n2024,male,minor,1000000\n"
                    "2024,female,adult,4000000\n2024,male,adult,4000000\n", encoding="utf-8")
    export = sdg_export(realistic_db, 2024, population=load_population(path),
                        protected=protected[2024])
    total = next(r for r in export.rows() if (r["sex"], r["age"], r["exploit"]) ==
                 ("TOTAL", "TOTAL", "TOTAL"))
    assert total["population"] == 10_000_000
    assert total["rate_per_100000"] == round(total["victims"] / 100, 2)


@pytest.mark.parametrize("k", [10, 5, 25])
def test_ctdc_extract_is_k_anonymous_over_all_its_columns(
    realistic_db: Database, k: int, protected: dict[int, Any],
) -> None:
    export = ctdc_export(realistic_db, 2024, k=k, protected=protected[2024] if k == 10 else None)
    rows = read_csv(written(export))
    assert list(rows[0]) == list(ctdc_module.COLUMNS)
    assert len(ctdc_module.COLUMNS) == 27
    groups = Counter(tuple(row.values()) for row in rows)
    assert min(groups.values()) >= k
    assert export.audit.ok and export.audit.smallest_group == min(groups.values())
    figures = compute_figures(realistic_db, 2024).to_dict()
    assert len(rows) + export.report.rows_left_out == figures["victims"]["total"]
    assert {row["yearOfRegistration"] for row in rows} == {"2024"}
    bands = {band for _low, _high, band in ctdc_module.AGE_BANDS} | {"0--17", "18+", ""}
    assert {row["ageBroad"] for row in rows} <= bands


def test_k_anonymity_detects_a_unique_row() -> None:
    rows = [{"a": "x", "b": "1"}] * 10 + [{"a": "y", "b": "1"}]
    report = k_anonymity(rows, 10, columns=("a", "b"))
    assert report.smallest_group == 1 and not report.ok


@pytest.mark.parametrize("kind", ["eurostat", "sdg", "ctdc"])
def test_cli_export_writes_csv(realistic_db_path: Path, tmp_path: Path, kind: str) -> None:
    runner = CliRunner()
    args = ["export", kind, "--year", "2024", "--db", str(realistic_db_path)]
    printed = runner.invoke(app, args)
    assert printed.exit_code == 0, printed.output
    out = tmp_path / f"{kind}.csv"
    to_file = runner.invoke(app, [*args, "--out", str(out)])
    assert to_file.exit_code == 0, to_file.output
    assert read_csv(out.read_text(encoding="utf-8")) == read_csv(printed.output)


# -- SDG 16.2.2 as SDMX-CSV 2.0 (issue 14 item 7) ------------------------------------------


def _sdmx_rows(path: Path) -> tuple[str, list[dict[str, str]]]:
    """The file as pysdmx's reader reads it: (structure, observations)."""
    from pysdmx.io import read_sdmx

    (dataset,) = read_sdmx(path).data
    return str(dataset.structure), dataset.data.astype(str).to_dict("records")


def test_sdg_as_sdmx_csv_parses_back_with_the_protected_values(
    realistic_db_path: Path, tmp_path: Path, protected: dict[int, Any],
) -> None:
    from thbmonitor.publish.exports.sdmx import DIMENSIONS, dsd_codes, sdmx_sdg_export

    out = tmp_path / "sdg.sdmx.csv"
    result = CliRunner().invoke(app, ["export", "sdg", "--year", "2024", "--format", "sdmx-csv",
                                      "--db", str(realistic_db_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:3] == ["STRUCTURE", "STRUCTURE_ID", "ACTION"]  # SDMX-CSV 2.0
    assert header[3:3 + len(DIMENSIONS)] == list(DIMENSIONS)
    structure, rows = _sdmx_rows(out)
    assert structure == "Dataflow=IAEG-SDGs:DF_SDG_GLH(1.24)"
    codes = dsd_codes()
    for row in rows:
        for column, value in row.items():
            if column not in ("TIME_PERIOD", "OBS_VALUE"):
                assert value in codes[column], (column, value)
        assert row["TIME_PERIOD"] == "2024"
        # suppressed: no value and the DSD's confidential status; else a value, normal status
        assert (row["OBS_VALUE"] == "") == (row["OBS_STATUS"] == "Q"), row
    # the values are exactly the protected cells
    protected_year = protected[2024]
    with Database(realistic_db_path, create=False) as db:
        sdg = sdg_export(db, 2024, protected=protected_year)
        library = sdmx_sdg_export(db, 2024, protected=protected_year)
    eurostat = protected_year.export("eurostat.victims")
    threshold = protected_year.threshold

    def shown(series: str, sex: str, age: str) -> str:
        (row,) = [r for r in rows if (r["SERIES"], r["SEX"], r["AGE"]) == (series, sex, age)]
        return row["OBS_VALUE"]

    sexes = {"_T": ("TOTAL", "T"), "F": ("FEMALE", "F"), "M": ("MALE", "M")}
    for sex, (sdg_sex, eurostat_sex) in sexes.items():
        for age, sdg_age in (("_T", "TOTAL"), ("Y0T17", "Y0T17"), ("Y_GE18", "Y_GE18")):
            value = sdg.victims.cells[(sdg_sex, sdg_age, "TOTAL")]
            assert shown("VC_HTF_DETV", sex, age) == ("" if value is None else str(value))
        for series, form in (("VC_HTF_DETVSX", "SEXUAL"), ("VC_HTF_DETVFL", "LABOUR")):
            value = eurostat[(eurostat_sex, "TOTAL", "TOTAL", form)]
            assert shown(series, sex, "_T") == ("" if value is None else str(value))
    organ = protected_year.figures["victims"]["by"]["exploitation"]["organ_removal"]
    assert shown("VC_HTF_DETVOP", "_T", "_T") == ("" if organ is None else str(organ))
    numbers = [int(r["OBS_VALUE"]) for r in rows if r["UNIT_MEASURE"] == "NUMBER"
               and r["OBS_VALUE"]]
    assert numbers and all(n == 0 or n >= threshold for n in numbers)
    assert any(r["OBS_STATUS"] == "Q" for r in rows), "the realistic data have suppressed cells"
    # the library function gives the same observations as the file
    assert [{k: str(v) for k, v in o.items()} for o in library.observations] == rows


def test_sdmx_from_a_release_is_the_one_made_from_its_protected_set(
    realistic_db: Database, protected: dict[int, Any],
) -> None:
    from thbmonitor.publish.exports.sdmx import sdmx_from_release, sdmx_sdg_export

    year = protected[2023]
    release = {"year": 2023, "figures": year.figures, "breakdowns": year.breakdowns.to_dict()}
    frozen = sdmx_from_release(release)
    live = sdmx_sdg_export(realistic_db, 2023, protected=year)
    assert frozen is not None and frozen.observations == live.observations
    assert frozen.audit is None and live.audit is not None and live.audit.ok
    assert sdmx_from_release({"year": 2023, "figures": year.figures, "breakdowns": None}) is None


def test_sdg_format_is_checked(realistic_db_path: Path) -> None:
    result = CliRunner().invoke(app, ["export", "sdg", "--year", "2024", "--format", "xml",
                                      "--db", str(realistic_db_path)])
    assert result.exit_code == 2
    assert "--format takes one of: csv, sdmx-csv" in result.output
