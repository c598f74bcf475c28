"""Concerns (CONTRACTS §8): imported with their own validation, counted, protected, shown."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thbmonitor.cli import app
from thbmonitor.disclosure import audit_cells
from thbmonitor.ingest import import_file
from thbmonitor.publish.concerns import _cells, _tables, concern_tables, count_concerns
from thbmonitor.store import Database
from thbmonitor.synth.concerns import CONCERN_COLUMNS, write_concerns

KEY = bytes.fromhex("5a" * 32)
SEED = 20241016


@pytest.fixture(scope="module")
def concerns_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_concerns(tmp_path_factory.mktemp("concerns") / "concerns.csv", seed=SEED,
                          years=range(2019, 2025))


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def _with_column(source: Path, target: Path, column: str) -> Path:
    rows = _rows(source)[:5]
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*CONCERN_COLUMNS, column])
        writer.writeheader()
        writer.writerows({**r, column: f"value {i}"} for i, r in enumerate(rows))
    return target


def test_the_synthetic_concerns_hold_no_personal_column(concerns_file: Path) -> None:
    header = next(csv.reader(concerns_file.open(encoding="utf-8")))
    assert tuple(header) == CONCERN_COLUMNS


def test_concerns_import_through_the_normal_path(concerns_file: Path, db_path: Path) -> None:
    with Database(db_path) as db:
        report = import_file(db, "concerns", concerns_file, key=KEY)
        assert report.valid and report.stored == len(_rows(concerns_file))
        again = import_file(db, "concerns", concerns_file, key=KEY)
        assert again.stored == 0  # the same file twice stores nothing new
        assert db.scalar("SELECT count(*) FROM concerns") == report.stored
        assert db.scalar("SELECT count(*) FROM reports") == 0  # counted, never linked


@pytest.mark.parametrize("column", ["given_name", "Achternaam", "date_of_birth", "phone",
                                    "client_number", "bsn"])
def test_a_file_with_a_name_or_identifier_column_is_refused(
        concerns_file: Path, tmp_path: Path, thb_env: Path, column: str) -> None:
    bad = _with_column(concerns_file, tmp_path / "concerns-bad.csv", column)
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    result = runner.invoke(app, ["import", "concerns", str(bad)])
    assert result.exit_code == 1, result.output
    assert "personal-column" in result.output or "looks like a name" in result.output
    assert "value 0" not in result.output  # the value itself is never echoed
    with Database(thb_env, read_only=True) as db:
        assert db.scalar("SELECT count(*) FROM concerns") == 0
        assert db.scalar("SELECT count(*) FROM quarantine") == 0


def test_a_bad_value_names_file_row_and_column(concerns_file: Path, tmp_path: Path,
                                               db_path: Path) -> None:
    rows = _rows(concerns_file)[:3]
    rows[1]["reason_not_reported"] = "forgotten"
    bad = tmp_path / "concerns-value.csv"
    with bad.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CONCERN_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    with Database(db_path) as db:
        report = import_file(db, "concerns", bad, key=KEY)
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (2, "reason_not_reported", "unknown-value")]
    assert "no_consent" in report.errors[0].message


def test_concerns_about_minors_in_reception_rise(concerns_file: Path, db_path: Path) -> None:
    with Database(db_path) as db:
        import_file(db, "concerns", concerns_file, key=KEY)
        reception = [count_concerns(db, y)["cross"]["source_type_by_age_group"]
                     ["reception_centre"]["minor"] for y in range(2019, 2025)]
    assert reception[-1] > 2 * reception[0]
    assert sum(b > a for a, b in zip(reception, reception[1:], strict=False)) >= 4


def test_the_published_concerns_pass_the_attackers_audit(concerns_file: Path,
                                                         db_path: Path) -> None:
    with Database(db_path) as db:
        import_file(db, "concerns", concerns_file, key=KEY)
        published = concern_tables(db, 2024, threshold=10)
        assert published is not None and published["suppressed"]
        for year in published["years"]:
            counts = count_concerns(db, year)
            cells = _cells(year, counts)
            linked = _tables(year, counts, cells)
            shown = {c: (None if c in published["suppressed"] else v) for c, v in cells.items()}
            report = audit_cells(shown, linked.relations, threshold=10)
            assert report.ok, (year, [f.to_dict() for f in report.failures[:3]])
            assert not report.published_small


def test_the_report_shows_the_concerns_tables(two_releases_copy: Path, concerns_file: Path,
                                              tmp_path: Path) -> None:
    from thbmonitor.publish.release import latest_release
    from thbmonitor.publish.report import render_report

    with Database(two_releases_copy) as db:
        assert import_file(db, "concerns", concerns_file, key=KEY).valid
        frozen = latest_release(db, 2024)
        assert frozen is not None and frozen.concerns is None  # released before any concern
        release = replace(frozen, concerns=concern_tables(db, 2024, threshold=10))
    english, dutch = render_report(release, lang="en"), render_report(release, lang="nl")
    assert 'id="concerns"' in english and "Signals that did not become reports" in english
    assert 'id="table-concerns-minors"' in english
    assert "Signalen die geen melding werden" in dutch
    assert "Zorgsignalen over minderjarigen" in dutch
