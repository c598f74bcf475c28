"""Every command that reads a store, on an empty store and on a store of one report.

A new user's first store is like this; each command must give a result or a clear
message and exit code, never a traceback (issue 10). The commands run through the
real CLI (Typer's runner) on real DuckDB files, each on its own copy of the store.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from thbmonitor.cli import app

YEAR = "2024"
ONE_REPORT = (
    "report_id,source,source_type,report_date,given_name,family_name,date_of_birth,sex,"
    "nationality,exploitation,sector,recruitment_country\n"
    "R-1,police-oost,police,2024-03-01,Testa,Voorbeeldt,1990-02-01,female,NL,sexual,window,NL\n"
)

#: (command, arguments after the command; {out} is a file in the test's directory).
COMMANDS: list[tuple[str, list[str]]] = [
    ("status", ["status", "--json"]),
    ("link", ["link", "--json"]),
    ("link-exact", ["link", "--method", "exact", "--json"]),
    ("figures", ["figures", "--year", YEAR, "--json"]),
    ("figures-protected", ["figures", "--year", YEAR, "--protected", "--json"]),
    ("estimate", ["estimate", "--year", YEAR, "--nboot", "20", "--json"]),
    ("report", ["report", "--year", YEAR, "--out", "{out}"]),
    ("report-en", ["report", "--year", YEAR, "--lang", "en", "--out", "{out}"]),
    ("export-eurostat", ["export", "eurostat", "--year", YEAR, "--out", "{out}"]),
    ("export-sdg", ["export", "sdg", "--year", YEAR, "--out", "{out}"]),
    ("export-ctdc", ["export", "ctdc", "--year", YEAR, "--out", "{out}"]),
    ("export-persons", ["export", "persons", "--out", "{out}"]),
    ("patterns-carousel", ["patterns", "carousel", "--json"]),
    ("patterns-carousel-year", ["patterns", "carousel", "--year", YEAR, "--json"]),
    ("patterns-networks", ["patterns", "networks", "--json"]),
    ("patterns-fairness", ["patterns", "fairness", "--year", YEAR, "--json"]),
    ("review", ["review", "--json"]),
    ("quarantine", ["quarantine", "--json"]),
    ("quarantine-export", ["quarantine", "--export", "{out}"]),
    ("settings", ["settings", "--json"]),
]

#: Commands that refuse a store this small: (command, store) -> exit code and the message.
REFUSALS: dict[tuple[str, str], tuple[int, str]] = {
    **{(name, "empty"): (2, "no data for 2024: the store holds no data yet")
       for name in ("figures", "figures-protected", "report", "report-en", "export-eurostat",
                    "export-sdg", "export-ctdc")},
    ("estimate", "empty"): (2, "no victims in 2024"),
    ("patterns-carousel", "empty"): (2, "give --year"),
}


def _invoke(args: list[str], db: Path) -> Result:
    return CliRunner().invoke(app, [*args, "--db", str(db)], catch_exceptions=True)


def _no_traceback(result: Result) -> None:
    """No exception escaped the command and no traceback was printed."""
    escaped = result.exception if not isinstance(result.exception, SystemExit) else None
    assert escaped is None, f"{type(escaped).__name__}: {escaped}"
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An empty store and a store of one linked report, each with its key file."""
    base = tmp_path_factory.mktemp("minimal-stores")
    empty = base / "empty" / "thb.duckdb"
    empty.parent.mkdir()
    assert _invoke(["init"], empty).exit_code == 0
    one = base / "one" / "thb.duckdb"
    one.parent.mkdir()
    report = base / "one-report.csv"
    report.write_text(ONE_REPORT, encoding="utf-8")
    assert _invoke(["init"], one).exit_code == 0
    imported = _invoke(["import", "reports", str(report)], one)
    assert imported.exit_code == 0, imported.output
    linked = _invoke(["link"], one)
    assert linked.exit_code == 0, linked.output
    return {"empty": empty, "one-report": one}


def _copy(store: Path, target: Path) -> Path:
    target.mkdir()
    copy = target / store.name
    shutil.copyfile(store, copy)
    key = store.with_name(store.name + ".key")
    shutil.copy(key, copy.with_name(copy.name + ".key"))  # with its mode (0600)
    return copy


@pytest.mark.parametrize("store", ["empty", "one-report"])
@pytest.mark.parametrize(("name", "args"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_command_on_a_minimal_store(stores: dict[str, Path], tmp_path: Path, store: str,
                                    name: str, args: list[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THB_KEY", raising=False)
    monkeypatch.delenv("THB_DB", raising=False)
    db = _copy(stores[store], tmp_path / "store")
    out = tmp_path / "out"
    result = _invoke([a.replace("{out}", str(out)) for a in args], db)
    _no_traceback(result)
    code, message = REFUSALS.get((name, store), (0, ""))
    assert result.exit_code == code, result.output
    assert message in result.output
    if code:
        assert "error:" in result.output, "a refusal says it is one, and why"
    elif "{out}" in args:
        assert out.is_file() and out.stat().st_size > 0


def test_link_on_one_report_gives_one_person(stores: dict[str, Path], tmp_path: Path) -> None:
    import json

    db = _copy(stores["one-report"], tmp_path / "store")
    result = _invoke(["link", "--json"], db)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["reports"], data["persons"]) == (1, 1)
    status = json.loads(_invoke(["status", "--json"], db).stdout)
    assert status["reports"] == status["persons"] == 1
