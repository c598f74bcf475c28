"""Issue 15 acceptance: import a year, release it, import late reports, release again."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from thbmonitor.cli import app
from thbmonitor.errors import DataError
from thbmonitor.publish.release import latest_release, release_audit, stored_release
from thbmonitor.store import Database

SRC = Path(__file__).parents[2] / "src" / "thbmonitor"


def _leaves(node: Any, prefix: str = "") -> dict[str, Any]:
    """Every numeric leaf (None too) of a JSON tree, by dotted path: written here apart from
    `published_cells`, so that the test does not check the code with itself."""
    out: dict[str, Any] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            out.update(_leaves(value, f"{prefix}.{key}" if prefix else key))
    elif node is None or (isinstance(node, int | float) and not isinstance(node, bool)):
        out[prefix] = node
    return out


def _figure_cells(content: dict[str, Any]) -> dict[str, Any]:
    figures = content["figures"]
    cells = {}
    for section in ("victims", "reports", "chain"):
        cells.update(_leaves(figures[section], section))
    for entry in figures["series"]:
        for section in ("victims", "reports", "chain"):
            cells.update(_leaves(entry[section], f"series.{entry['year']}.{section}"))
    return cells


def test_the_first_release_is_unchanged_byte_for_byte(two_releases) -> None:
    with Database(two_releases.db_path, read_only=True) as db:
        content, digest, number = db.execute(
            "SELECT content, content_hash, number FROM releases WHERE release_id = '2024-1'"
        ).fetchone()
        assert db.scalar("SELECT count(*) FROM releases WHERE year = 2024") == 2
    assert content == two_releases.first_content and digest == two_releases.first_hash
    assert number == 1


def test_revisions_list_exactly_the_changed_cells(two_releases) -> None:
    result = CliRunner().invoke(app, ["revisions", "--year", "2024", "--db",
                                      str(two_releases.db_path), "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert listed["releases"] == ["2024-1", "2024-2"]
    with Database(two_releases.db_path, read_only=True) as db:
        first, second = (json.loads(c) for (c,) in db.rows(
            "SELECT content FROM releases WHERE year = 2024 ORDER BY number"))
    old, new = _figure_cells(first), _figure_cells(second)
    changed = {p for p in set(old) | set(new) if old.get(p) != new.get(p)}
    revised = {r["path"]: r for r in listed["revisions"]}
    # every changed figure cell is listed, with both values, and nothing unchanged is
    assert changed == {p for p in revised if p in old or p in new}
    for path in changed:
        assert (revised[path]["before"], revised[path]["after"]) == (old.get(path),
                                                                     new.get(path))
    for row in listed["revisions"]:
        assert row["before"] != row["after"], row
        assert (row["before_release"], row["after_release"]) == ("2024-1", "2024-2")
    # the late reports raised the victims of 2024 by what the true counts say
    before, after = (two_releases.raw_before["victims"]["total"],
                     two_releases.raw_after["victims"]["total"])
    assert after > before
    assert revised["victims.total"]["before"] == before
    assert revised["victims.total"]["after"] == after
    # the years before 2024 got no late report: their published victims did not change
    assert not [p for p in revised if re.match(r"series\.202[2-3]\.victims\.total$", p)]


def test_the_audit_across_both_releases_recovers_no_suppressed_cell(two_releases) -> None:
    with Database(two_releases.db_path, read_only=True) as db:
        report = release_audit(db, 2024)
        suppressed = {c.path for c in report.cells}
    assert report.ok, [f.to_dict() for f in report.failures[:5]]
    # both releases are in the audit, each with suppressed cells
    assert any(p.startswith("2024-1|") for p in suppressed)
    assert any(p.startswith("2024-2|") for p in suppressed)


def test_the_second_report_shows_the_revisions_table(two_releases, tmp_path: Path) -> None:
    out = tmp_path / "report-2024-en.html"
    result = CliRunner().invoke(app, ["report", "--year", "2024", "--db",
                                      str(two_releases.db_path), "--lang", "en", "--out",
                                      str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert 'id="table-revisions"' in html
    assert "Numbers revised between release 2024-1 and release 2024-2" in html
    assert 'data-path="victims.total"' in html
    assert "Release 2024-2, frozen on" in html
    # revised cells in the five-year tables carry the r flag; 2024 is provisional (p)
    assert re.search(r'<sup class="flag flag-rp">rp</sup>', html)
    dutch = tmp_path / "report-2024-nl.html"
    assert CliRunner().invoke(app, ["report", "--year", "2024", "--db",
                                    str(two_releases.db_path), "--out", str(dutch)]
                              ).exit_code == 0
    assert "Getallen herzien tussen release 2024-1 en release 2024-2" in dutch.read_text(
        encoding="utf-8")


def test_the_report_of_a_frozen_year_renders_its_release_not_the_live_data(
        two_releases_copy: Path, tmp_path: Path) -> None:
    """Data imported after the release do not reach the report unless --live."""
    with Database(two_releases_copy) as db:
        frozen = latest_release(db, 2024)
        assert frozen is not None and frozen.release_id == "2024-2"
        total = frozen.figures["victims"]["total"]
        db.execute("UPDATE person_reports SET person_id = 'merged' WHERE person_id IN ("
                   "SELECT person_id FROM person_reports LIMIT 40)")
        # one organisation type left: the live report has no dark figure to compute (fast)
        db.execute("UPDATE reports SET source_type = 'police'")
    frozen_out, live_out = tmp_path / "frozen.html", tmp_path / "live.html"
    for out, extra in ((frozen_out, []), (live_out, ["--live"])):
        result = CliRunner().invoke(app, ["report", "--year", "2024", "--db",
                                          str(two_releases_copy), "--lang", "en", "--out",
                                          str(out), *extra])
        assert result.exit_code == 0, result.output
    frozen_html, live_html = frozen_out.read_text("utf-8"), live_out.read_text("utf-8")
    assert "Release 2024-2, frozen on" in frozen_html
    assert "Release 2024-2" not in live_html
    assert f"{total:,} victims reported in 2024" in frozen_html
    assert f"{total:,} victims reported in 2024" not in live_html
    # the standard extracts too: the one frozen with the release unless --live
    exports = {}
    for extra in ([], ["--live"]):
        result = CliRunner().invoke(app, ["export", "eurostat", "--year", "2024", "--db",
                                          str(two_releases_copy), *extra])
        assert result.exit_code == 0, result.output
        exports[bool(extra)] = result.stdout
    assert frozen.exports is not None
    assert exports[False] == frozen.exports["eurostat"]
    assert exports[True] != exports[False] and exports[True].startswith(
        exports[False].splitlines()[0])


def test_a_changed_release_is_refused_and_listed_as_not_intact(two_releases_copy: Path
                                                                ) -> None:
    with Database(two_releases_copy) as db:
        db.execute("UPDATE releases SET content = replace(content, '\"year\":2024', "
                   "'\"year\":2023') WHERE release_id = '2024-1'")
        with pytest.raises(DataError, match="release 2024-1 no longer matches the hash"):
            stored_release(db, "2024-1")
        # rewriting the stored hash too does not help: the audit chain holds the original
        db.execute("UPDATE releases SET content_hash = sha256(content) "
                   "WHERE release_id = '2024-1'")
        with pytest.raises(DataError, match="no longer matches"):
            stored_release(db, "2024-1")
    result = CliRunner().invoke(app, ["releases", "--db", str(two_releases_copy), "--json"])
    assert result.exit_code == 0, result.output
    intact = {r["release_id"]: r["intact"] for r in json.loads(result.stdout)["releases"]}
    assert intact == {"2024-1": False, "2024-2": True}


def test_releasing_is_in_the_audit_chain(two_releases) -> None:
    from thbmonitor.store import audit

    with Database(two_releases.db_path, read_only=True) as db:
        rows = db.rows("SELECT resource, detail FROM audit_log WHERE action = 'release.create' "
                       "ORDER BY event_id")
        hashes = dict(db.rows("SELECT release_id, content_hash FROM releases"))
        assert audit.verify(db).ok
    assert [r for r, _ in rows] == ["2024-1", "2024-2"]
    for resource, detail in rows:
        assert json.loads(detail)["content_hash"] == hashes[resource]


def test_no_code_path_updates_or_deletes_a_release() -> None:
    """A release is never changed: no statement of the package writes to it but the insert."""
    pattern = re.compile(r"UPDATE\s+releases\b|DELETE\s+FROM\s+releases\b", re.I)
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                 if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
    inserts = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
               if "INSERT INTO releases" in p.read_text("utf-8")]
    assert inserts == ["publish/release.py"]


def test_releasing_a_year_without_reports_is_refused(two_releases_copy: Path) -> None:
    result = CliRunner().invoke(app, ["release", "--year", "1999", "--db",
                                      str(two_releases_copy)])
    assert result.exit_code == 2
    assert "no reports of 1999" in result.output


def test_revisions_of_a_year_never_released_say_how_to_release(two_releases_copy: Path
                                                               ) -> None:
    result = CliRunner().invoke(app, ["revisions", "--year", "2023", "--db",
                                      str(two_releases_copy)])
    assert result.exit_code == 2
    assert "thb release --year 2023" in result.output


def test_thb_release_freezes_the_next_release_and_prints_its_summary(two_releases_copy: Path
                                                                     ) -> None:
    with Database(two_releases_copy) as db:
        # one organisation type left: no dark figure to estimate, so the command is quick
        db.execute("UPDATE reports SET source_type = 'police'")
    result = CliRunner().invoke(app, ["release", "--year", "2024", "--db",
                                      str(two_releases_copy), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["release_id"] == "2024-3"
    assert summary["protected_with"] == ["2024-1", "2024-2"]
    with Database(two_releases_copy, read_only=True) as db:
        stored = stored_release(db, "2024-3")
        assert summary["content_hash"] == db.scalar(
            "SELECT content_hash FROM releases WHERE release_id = '2024-3'")
        assert len(stored.suppressed) == summary["suppressed"]
        assert release_audit(db, 2024).ok
    text = CliRunner().invoke(app, ["releases", "--db", str(two_releases_copy)])
    assert text.exit_code == 0 and "2024-3" in text.output


def test_flags_follow_the_settings(two_releases_copy: Path) -> None:
    """b on a declared break's column and under the charts; p only for provisional years."""
    from dataclasses import replace

    from thbmonitor.publish.release import release_flags
    from thbmonitor.publish.report import render_report

    with Database(two_releases_copy) as db:
        db.set_setting("release.series_breaks", {"2023": "consent rule of 2018 in force"})
        db.set_setting("release.provisional_years", 0)
        flags = release_flags(db, 2024)
        frozen = latest_release(db, 2024)
    assert flags == {"provisional": [], "breaks": {"2023": "consent rule of 2018 in force"}}
    assert frozen is not None and frozen.flags["provisional"] == [2024]  # as frozen
    html = render_report(replace(frozen, flags=flags), lang="en")
    assert "Break in the series in 2023: consent rule of 2018 in force." in html
    assert html.count("series_break_rule_marks") >= 2, "drawn in the victims' trend charts"
    assert re.search(r'2023 <sup class="flag flag-b">b</sup></th>', html)
    assert 'class="flag flag-rp"' not in html and 'class="flag flag-r"' in html
