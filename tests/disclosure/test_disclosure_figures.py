"""Protection of the realistic annual figures (synthetic data, seed 20241016)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from thbmonitor.cli import commands  # noqa: F401  (registers the commands)
from thbmonitor.cli.app import app
from thbmonitor.disclosure import ProtectedFigures, audit_figures, protect_figures
from thbmonitor.publish.findings import lookup, with_findings
from thbmonitor.publish.report import render_report

THRESHOLD = 10


def counts(node: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Every (dotted path, value) leaf that is an integer count or null."""
    out: list[tuple[str, Any]] = []
    for key, value in node.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out += counts(value, path + ".")
        elif value is None or (isinstance(value, int) and not isinstance(value, bool)):
            out.append((path, value))
    return out


@pytest.fixture(scope="module")
def protected(realistic_figures: dict[str, Any]) -> ProtectedFigures:
    return protect_figures(realistic_figures, threshold=THRESHOLD)


def test_protected_figures_pass_the_attackers_audit(protected: ProtectedFigures) -> None:
    report = audit_figures(protected.to_dict())
    assert report.ok, [c.to_dict() for c in report.failures][:5]
    assert report.cells, "the realistic figures have small cells to protect"
    assert not report.published_small and not report.inconsistent
    assert protected.audit.ok


def test_no_published_count_is_small(protected: ProtectedFigures) -> None:
    data = protected.to_dict()
    views = [("", data)] + [(f"series.{e['year']}.", e) for e in data["series"]]
    for prefix, entry in views:
        for section in ("victims", "reports", "chain"):
            for path, value in counts(entry[section], section + "."):
                if path == "victims.change":  # a difference, not a count of persons
                    continue
                assert value is None or value == 0 or value >= THRESHOLD, prefix + path


def test_suppressed_paths_are_exactly_the_nulled_cells(
    protected: ProtectedFigures, realistic_figures: dict[str, Any],
) -> None:
    data = protected.to_dict()
    assert data["suppressed"] == protected.suppressed
    nulled = set()
    for prefix, entry, original in [("", data, realistic_figures)] + [
            (f"series.{e['year']}.", e, o)
            for e, o in zip(data["series"], realistic_figures["series"], strict=True)]:
        for section in ("victims", "reports", "chain"):
            for path, value in counts(entry[section], section + "."):
                if value is None and lookup(original, path) is not None:
                    nulled.add(prefix + path)
        if prefix:
            assert set(entry["suppressed"]) == {
                p.removeprefix(prefix) for p in nulled if p.startswith(prefix)}
    assert nulled == set(data["suppressed"])
    # Every primary cell (1 to 9) of the current year is among them.
    for path, value in counts(realistic_figures["victims"]["by"], "victims.by."):
        if 0 < value < THRESHOLD:
            assert path in data["suppressed"]


def test_every_view_of_a_cell_gets_the_same_verdict(protected: ProtectedFigures) -> None:
    data = protected.to_dict()
    by_year = {e["year"]: e for e in data["series"]}
    year = data["year"]
    assert by_year[year]["victims"] == data["victims"]
    assert by_year[year]["chain"] == data["chain"]
    assert data["victims"]["previous_by"] == by_year[year - 1]["victims"]["by"]
    assert data["chain"]["investigations"]["previous"] == \
        by_year[year - 1]["chain"]["investigations"]["total"]


def test_published_tables_add_up(protected: ProtectedFigures) -> None:
    data = protected.to_dict()
    victims = data["victims"]
    for name, table in victims["by"].items():
        if name != "source_type" and None not in table.values():
            assert sum(table.values()) == victims["total"], name
    for name, table in victims["cross"].items():
        row_dim = name.split("_by_")[0]
        for row, cells in table.items():
            if None not in cells.values() and victims["by"][row_dim][row] is not None:
                assert sum(cells.values()) == victims["by"][row_dim][row]


def test_derived_values_follow_their_counts(protected: ProtectedFigures) -> None:
    data = protected.to_dict()
    pros = data["chain"]["prosecution"]
    if pros["summons"] is None or pros["decided"] is None:
        assert pros["summons_pct"] is None
    victims = data["victims"]
    if victims["total"] is None or victims["previous"] is None:
        assert victims["change"] is None


def test_the_audit_catches_a_leak(protected: ProtectedFigures,
                                  realistic_figures: dict[str, Any]) -> None:
    """Publishing a suppressed cell's true value again fails the audit."""
    leaked = copy.deepcopy(protected.to_dict())
    path = next(p for p in protected.primary if p.startswith(f"{leaked['year']}:victims.by."))
    dotted = path.split(":", 1)[1]
    node = leaked
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = lookup(realistic_figures, dotted)
    assert not audit_figures(leaked).ok


def test_findings_after_protection_avoid_suppressed_cells(protected: ProtectedFigures) -> None:
    data = with_findings(protected.to_dict())
    suppressed = set(data["suppressed"])
    for finding in data["findings"]:
        assert finding["metric"] not in suppressed
        assert lookup(data, finding["metric"]) is not None
    assert "<html" in render_report({"figures": data}, lang="en").lower()


def test_rounding_chain_counts_to_base_5_still_passes(
    realistic_figures: dict[str, Any],
) -> None:
    rounded = protect_figures(realistic_figures, threshold=THRESHOLD, round_chain=True)
    data = rounded.to_dict()
    for path, value in counts(data["chain"], "chain."):
        assert value is None or value % 5 == 0, path
    assert audit_figures(data).ok


def test_a_higher_threshold_suppresses_more(
    protected: ProtectedFigures, realistic_figures: dict[str, Any],
) -> None:
    stricter = protect_figures(realistic_figures, threshold=20)
    assert audit_figures(stricter.to_dict()).ok
    assert set(protected.primary) < set(stricter.primary)


def test_cli_protected_json_is_the_protected_dict(
    realistic_db_path: Path, protected: ProtectedFigures,
) -> None:
    result = CliRunner().invoke(app, ["figures", "--year", "2024", "--db",
                                      str(realistic_db_path), "--protected", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    expected = json.loads(json.dumps(protected.to_dict()))
    # The command adds the findings (computed after protection) to the protected dict.
    assert {k: v for k, v in printed.items() if k != "findings"} == {
        k: v for k, v in expected.items() if k != "findings"}
    suppressed = set(printed["suppressed"])
    assert all(f["metric"] not in suppressed for f in printed["findings"])
    table = CliRunner().invoke(app, ["figures", "--year", "2024", "--db",
                                     str(realistic_db_path), "--protected"])
    assert table.exit_code == 0 and "Victims 2024" in table.output


def test_a_priority_cell_is_published_when_another_choice_protects(
    protected: ProtectedFigures, realistic_figures: dict[str, Any],
) -> None:
    """The publisher's priority steers secondary suppression; the audit still passes."""
    # Secondary cells are listed as "YEAR:path"; priorities name paths (every year).
    candidates = [p for p in protected.secondary
                  if p.startswith("2024:victims.cross.")][:3]
    assert candidates, "the realistic figures have secondary cells in the cross tables"
    published = []
    for cell in candidates:
        path = cell.split(":", 1)[1]
        steered = protect_figures(realistic_figures, threshold=10, priorities=[path])
        assert audit_figures(steered.to_dict()).ok
        assert set(steered.primary) == set(protected.primary), "primary cells never change"
        if cell not in steered.secondary:
            published.append(cell)
    assert published, f"no candidate could be published: {candidates}"
