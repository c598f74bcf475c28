"""Exports cut from the year's one protected set; their codes in the code lists (issue 14 item 7,
issue 11 item 6).

Reproduced defects: the Eurostat, SDG and CTDC builders each protected their own cells,
so that a cell suppressed in the figures could be recovered from an export (the
figures' suppressed `other` nationality group from Eurostat's NEU27 total); the victims
by sex and age were written as `crim_thb_vage` (Eurostat: `crim_thb_vsage`) and the
citizenship groups as `EU27_FOR`/`NEU27_FOR` (Eurostat: `EU27_2020_FOR`/`NEU27_2020_FOR`);
ten CTDC groups were homogeneous in the exploitation flags.
"""

from __future__ import annotations

import csv
import io
import shutil
from importlib import resources
from typing import Any

import pytest

from thbmonitor.publish.exports import ctdc_export, eurostat_export, sdg_export
from thbmonitor.publish.exports.ctdc import (
    cell_predicate,
    certainly_in,
    homogeneous_groups,
    record_facts,
)
from thbmonitor.publish.exports.cube import protect_cube
from thbmonitor.publish.exports.sources import victim_cube
from thbmonitor.publish.protection import audit_year, protect_year, year_model
from thbmonitor.store import Database

YEAR = 2024
PLANTED_PRIORITIES = [f"victims.by.nationality_group.{g}"
                      for g in ("asia", "europe_other", "latin_america", "africa")]


def code_list() -> dict[str, set[str]]:
    text = resources.files("thbmonitor.publish.exports").joinpath(
        "data/eurostat_codes.csv").read_text(encoding="utf-8")
    codes: dict[str, set[str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        codes.setdefault(row["dimension"], set()).add(row["code"])
    return codes


@pytest.fixture(scope="module")
def planted_path(realistic_store: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("planted-exports") / "thb.duckdb"
    shutil.copyfile(realistic_store.pristine_path, path)
    with Database(path, create=False) as db:
        db.set_setting("publication.priorities", PLANTED_PRIORITIES)
    return path


@pytest.fixture(scope="module")
def protected(planted_path: Any) -> Any:
    with Database(planted_path, create=False) as db:
        return protect_year(db, YEAR)


def test_every_code_the_eurostat_export_writes_is_in_the_code_list(realistic_db: Database
                                                                   ) -> None:
    codes = code_list()
    buffer = io.StringIO()
    eurostat_export(realistic_db, YEAR).write_csv(buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert rows
    for row in rows:
        for column in ("dataset", "geo", "unit", "leg_stat", "sex", "age", "citizen", "exploit"):
            assert row[column] in codes[column], (column, row[column])
        assert row["obs_flag"] in codes["obs_flag"] | {""}
    assert "crim_thb_vsage" in {r["dataset"] for r in rows}


def test_exports_are_cut_from_the_protected_set_of_the_report(
        planted_path: Any, protected: Any) -> None:
    from thbmonitor.release import build_release

    with Database(planted_path, create=False) as db:
        release = build_release(db, YEAR, with_estimate=False, with_patterns=False)
        eurostat = eurostat_export(db, YEAR, protected=protected)
        sdg = sdg_export(db, YEAR, protected=protected)
    assert release["breakdowns"]["exports"][str(YEAR)] == protected.breakdowns.exports[YEAR]
    assert release["figures"]["suppressed"] == protected.figures["suppressed"]
    cells = eurostat.victims.cells
    groups = protected.figures["victims"]["by"]["nationality_group"]
    assert groups["other"] is None  # the planted case
    # NEU27 is the sum of the non-EU groups: published only when it recovers nothing
    assert cells[("T", "TOTAL", "NEU27_2020_FOR", "TOTAL")] is None
    assert cells[("F", "TOTAL", "TOTAL", "TOTAL")] == protected.figures["victims"]["by"]["sex"][
        "female"]
    for (sex, age, exploit), value in sdg.victims.cells.items():
        code = {"FEMALE": "F", "MALE": "M", "TOTAL": "T"}.get(sex, sex)
        age_code = {"Y0T17": "Y_LT18"}.get(age, age)
        assert value == cells[(code, age_code, "TOTAL", exploit)]
    assert eurostat.audit.ok and sdg.audit.ok


def test_the_joint_audit_catches_an_export_protected_on_its_own(planted_path: Any,
                                                                 protected: Any) -> None:
    """The former way: the Eurostat cube protected alone, published beside the figures."""
    from thbmonitor.publish.exports.cells import VICTIM_DIMENSIONS, VICTIM_SLICES, cube_key

    with Database(planted_path, create=False) as db:
        alone = protect_cube(VICTIM_DIMENSIONS, victim_cube(db, YEAR), VICTIM_SLICES,
                             threshold=protected.threshold)
    assert alone.audit.ok  # it passes its own audit ...
    naive = {cube_key(cell): value for cell, value in alone.cells.items()}
    exports = protected.breakdowns.exports[YEAR]
    saved = exports["eurostat.victims"]
    exports["eurostat.victims"] = naive
    try:
        report = audit_year(protected)
    finally:
        exports["eurostat.victims"] = saved  # the module's fixture: as it was
    failing = {f.path for f in report.failures} | set(report.inconsistent)
    assert not report.ok  # ... but not with the figures beside it
    assert f"{YEAR}:victims.by.nationality_group.other" in failing


def test_ctdc_rows_pin_no_unpublished_cell_and_are_l_diverse(planted_path: Any,
                                                            protected: Any) -> None:
    with Database(planted_path, create=False) as db:
        extract = ctdc_export(db, YEAR, protected=protected)
    assert extract.audit.ok, extract.audit.to_dict()
    assert extract.report.to_dict()["homogeneous_groups"] == 0
    assert homogeneous_groups(extract.records) == []
    published, _relations, _hidden, _conflicts = year_model(
        YEAR, protected.figures, protected.breakdowns.tables[YEAR],
        protected.breakdowns.exports[YEAR])
    unpublished = [p for c, v in published.items() if v is None and (p := cell_predicate(c))]
    assert unpublished
    for record in extract.records:
        facts = record_facts(record)
        assert not any(certainly_in(facts, p) for p in unpublished)
    assert extract.joint_audit is not None and extract.joint_audit.ok


def test_ctdc_without_the_cut_had_homogeneous_groups(realistic_db: Database) -> None:
    """The reproduced defect: k-anonymous rows whose group all share one form of exploitation."""
    from datetime import date

    from thbmonitor.publish.exports.ctdc import PERSONS_SQL, _record, anonymise

    rows = realistic_db.rows(PERSONS_SQL, {"start": date(YEAR, 1, 1),
                                           "end": date(YEAR + 1, 1, 1)})
    kept, _report = anonymise([_record(YEAR, "NL", row) for row in rows], 10)
    assert len(homogeneous_groups(kept)) >= 10


def test_prosecuted_and_convicted_are_in_the_joint_audit(planted_path: Any,
                                                         protected: Any) -> None:
    """Their cells are protected with the year's tables: audited jointly, and showing the
    suppressed ones (their true counts) is caught by the same audit."""
    from thbmonitor.publish.exports.cells import CHAIN_CUBES, export_cells
    from thbmonitor.publish.exports.sources import chain_cubes, suspect_cube

    before = audit_year(protected)
    assert before.ok
    with Database(planted_path, create=False) as db:
        true = export_cells(YEAR, victim_cube(db, YEAR), suspect_cube(db, YEAR),
                            chain_cubes(db, YEAR))
    exports = protected.breakdowns.exports[YEAR]
    audited = {c.path for c in before.cells}
    for name in CHAIN_CUBES:
        suppressed = [code for code, value in exports[name].items() if value is None]
        assert suppressed, name  # the realistic chain has small cells by sex and citizenship
        assert {true.cells[name][code] for code in suppressed} <= audited
        saved = dict(exports[name])
        exports[name].update({code: true.values[true.cells[name][code]] for code in suppressed})
        try:
            report = audit_year(protected)
        finally:
            exports[name].update(saved)
        assert not report.ok, name
        assert any(name in path for path in report.published_small), name


def test_every_code_of_the_traffickers_tables_is_in_the_code_list(protected: Any,
                                                                   planted_path: Any) -> None:
    codes = code_list()
    buffer = io.StringIO()
    with Database(planted_path, create=False) as db:
        eurostat_export(db, YEAR, protected=protected).write_csv(buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    by_status = {(r["leg_stat"], r["dataset"]) for r in rows}
    assert by_status == {(s, d) for s in ("SUSP", "PRSC", "CONV")
                         for d in ("crim_thb_sctz", "crim_thb_sage")} | {
        ("VICT", d) for d in ("crim_thb_vctz", "crim_thb_vsage", "crim_thb_vexp")}
    assert {r["leg_stat"] for r in rows} <= codes["leg_stat"]
