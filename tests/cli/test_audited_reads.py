"""Person-level reads and exports from the command line are in the audit log (issue 11 item 7:
`export persons`, `quarantine`, unprotected `figures` and `export ctdc` were not logged)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from thbmonitor.cli import app

REPORTS = (
    "report_id,source,source_type,report_date,given_name,family_name,date_of_birth,sex,"
    "nationality,exploitation\n"
    "A-1,police-oost,police,2024-03-01,Testa,Voorbeeldt,1990-02-01,female,NL,sexual\n"
    "A-2,fairwork,ngo,2024-04-01,Proef,Monsterman,1985-05-05,male,PL,labour\n"
    "A-3,fairwork,ngo,2024-04-02,Proef,Monsterman,1985-05-05,male,PL,nonsense\n"
)


def thb(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "thb.duckdb"
    assert thb("init", "--db", str(path)).exit_code == 0
    reports = tmp_path / "reports.csv"
    reports.write_text(REPORTS, encoding="utf-8")
    assert thb("import", "reports", str(reports), "--db", str(path), "--partial").exit_code == 1
    assert thb("link", "--db", str(path), "--method", "exact").exit_code == 0
    return path


def actions(db: Path) -> list[str]:
    result = thb("audit", "list", "--db", str(db), "--json")
    assert result.exit_code == 0, result.output
    return [entry["action"] for entry in json.loads(result.stdout)["entries"]]


@pytest.mark.parametrize(("command", "action"), [
    (["export", "persons", "--out", "{tmp}/persons.csv"], "export.persons"),
    (["quarantine", "--json"], "quarantine.read"),
    (["figures", "--year", "2024", "--json"], "figures.unprotected"),
    (["export", "ctdc", "--year", "2024", "--out", "{tmp}/ctdc.csv"], "export.ctdc"),
    (["export", "eurostat", "--year", "2024", "--out", "{tmp}/eurostat.csv"], "export.eurostat"),
])
def test_the_read_is_in_the_audit_log(db: Path, tmp_path: Path, command: list[str],
                                      action: str) -> None:
    assert action not in actions(db)
    result = thb(*[c.replace("{tmp}", str(tmp_path)) for c in command], "--db", str(db))
    assert result.exit_code in (0, 1), result.output  # an export may fail its own audit
    assert action in actions(db)
    assert thb("audit", "verify", "--db", str(db)).exit_code == 0


def test_protected_figures_are_not_a_person_level_read(db: Path) -> None:
    assert thb("figures", "--year", "2024", "--protected", "--db", str(db)).exit_code == 0
    assert "figures.unprotected" not in actions(db)
