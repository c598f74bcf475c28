"""Data quality per organisation (issue 15 item 4): `thb quality` and the report's annex.

On the realistic store, plus a planted late and incomplete delivery: an
organisation that delivers its 2024 reports after the year's first release,
without nationality or year of birth, is the one `thb quality` names.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from thbmonitor.cli import commands  # noqa: F401  (registers the commands)
from thbmonitor.cli.app import app
from thbmonitor.ingest import import_file
from thbmonitor.quality import FIELDS, data_quality
from thbmonitor.quality.annex import OTHER, quality_annex
from thbmonitor.store import Database

YEAR = 2024
LATE_SOURCE = "ngo-late"
HEADER = ("report_id,source,source_type,report_date,given_name,family_name,date_of_birth,"
          "birth_year,sex,nationality,exploitation,sector,recruitment_country,"
          "exploitation_countries,scope,region,legal_basis,person_ref,contact_phone,"
          "investigation_id")


@pytest.fixture(scope="module")
def planted(realistic_store: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    key = bytes.fromhex("5a" * 32)  # the session store's key (tests/conftest.py TEST_KEY)
    """The realistic store, 'released', then a late delivery of 12 incomplete reports."""
    folder = tmp_path_factory.mktemp("quality")
    path = folder / "thb.duckdb"
    shutil.copyfile(realistic_store.pristine_path, path)
    delivery = folder / "late.csv"
    rows = [f"L-{i:03d},{LATE_SOURCE},ngo,2024-11-{i + 1:02d},,,,,female,,labour,agriculture,"
            f",,domestic,,consent,,," for i in range(12)]
    delivery.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with Database(path, create=False) as db:
        released = db.scalar("SELECT max(imported_at) FROM imports") + timedelta(seconds=1)
        report = import_file(db, "reports", delivery, key=key)
        assert report.valid, report.to_dict()["errors"][:3]
        db.execute("UPDATE imports SET imported_at = ? WHERE import_id = (SELECT max(import_id) "
                   "FROM imports)", [released + timedelta(days=30)])
    return {"path": path, "released": released}


def test_quality_counts_every_report_of_the_year_once(realistic_db: Database) -> None:
    quality = data_quality(realistic_db, YEAR)
    total = realistic_db.scalar("SELECT count(*) FROM reports WHERE year(report_date) = ?", [YEAR])
    assert sum(o.reports for o in quality.organisations) == total
    for org in quality.organisations:
        assert set(org.unknown) == set(FIELDS)
        assert all(0 <= v <= 1 for v in org.unknown.values())
        assert 0 <= org.linked_elsewhere <= 1
        assert org.late is None  # no first release date: not computed, and said so
    assert quality.notes and "not computed" in quality.notes[0]
    delivered_before = {s for (s,) in realistic_db.rows(
        "SELECT DISTINCT source FROM reports WHERE year(report_date) < ?", [YEAR])}
    this_year = {o.source for o in quality.organisations}
    assert {g["source"] for g in quality.gone} == delivered_before - this_year


def test_quality_names_the_late_and_incomplete_organisation(planted: dict[str, Any]) -> None:
    with Database(planted["path"], create=False) as db:
        quality = data_quality(db, YEAR, first_release_date=planted["released"])
    late = {o.source: o.late for o in quality.organisations if o.late}
    assert late == {LATE_SOURCE: 12}
    assert quality.worst("nationality").source == LATE_SOURCE  # type: ignore[union-attr]
    assert quality.worst("birth_year").source == LATE_SOURCE  # type: ignore[union-attr]
    org = next(o for o in quality.organisations if o.source == LATE_SOURCE)
    assert org.unknown["nationality"] == 1.0 and org.unknown["sex"] == 0.0
    assert org.median_delay_days is not None and org.median_delay_days > 0


def test_cli_quality_json_is_the_library_result(planted: dict[str, Any]) -> None:
    when = (planted["released"]).date().isoformat()
    result = CliRunner().invoke(app, ["quality", "--year", str(YEAR), "--db",
                                      str(planted["path"]), "--json", "--first-release", when])
    assert result.exit_code == 0, result.output
    with Database(planted["path"], create=False) as db:
        expected = data_quality(db, YEAR, first_release_date=datetime.fromisoformat(when).date())
    assert json.loads(result.output) == json.loads(json.dumps(expected.to_dict()))
    wrong = CliRunner().invoke(app, ["quality", "--year", str(YEAR), "--db",
                                     str(planted["path"]), "--first-release", "soon"])
    assert wrong.exit_code == 2 and "not a date" in wrong.output


def test_the_annex_lists_no_organisation_below_the_threshold(realistic_db: Database,
                                                             realistic_figures: Any) -> None:
    from thbmonitor.disclosure import protect_figures

    protected = protect_figures(realistic_figures, threshold=10).to_dict()
    annex = quality_annex(data_quality(realistic_db, YEAR), 10, protected)
    quality = {o.source: o for o in data_quality(realistic_db, YEAR).organisations}
    hidden_types = {t for t, v in protected["reports"]["by_source_type"].items() if v is None}
    listed = [r for r in annex["rows"] if r["source"] != OTHER]
    assert listed, "the large organisations are listed"
    for row in listed:
        assert row["reports"] >= 10
        assert quality[row["source"]].source_type not in hidden_types
    pooled = next(r for r in annex["rows"] if r["source"] == OTHER)
    assert pooled["organisations"] == len(quality) - len(listed)
    for row in annex["rows"]:
        for name in ("reports", "quarantined", "rejected_at_import"):
            assert row[name] is None or row[name] == 0 or row[name] >= 10, (row, name)


def test_cli_quality_on_a_year_without_data(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["quality", "--year", "1990", "--db",
                                      str(tmp_path / "missing.duckdb")])
    assert result.exit_code == 2
