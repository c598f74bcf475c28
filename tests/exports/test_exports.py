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
