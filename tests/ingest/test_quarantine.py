"""The quarantine's lifecycle (issue 10): rows leave it when a later import stores them or
by hand; the listing names the record and the spreadsheet line; the export is plain
columns with the errors beside them; offending values are withheld (issue 11)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thbmonitor.cli import app
from thbmonitor.errors import UsageError
from thbmonitor.ingest import import_file, quarantine_rows
from thbmonitor.ingest.quarantine import resolve_quarantine

HEADER = ("report_id,source,source_type,report_date,given_name,family_name,date_of_birth,"
          "nationality,exploitation,sector,contact_phone")
GOOD = [
    "Q-1,police-oost,police,2024-03-01,Testa,Voorbeeldt,1990-02-01,NL,sexual,window,",
    "Q-2,police-oost,police,2024-03-02,Fictiva,Proefsma,1991-03-04,PL,labour,hospitality,",
]
#: Two rejected rows: an unknown nationality and sector (withheld: may be a name), a phone
#: that is not one (personal: withheld), and an invalid date of birth (personal).
BAD = [
    "Q-3,police-oost,police,2024-03-03,Dummo,Nepperman,1985-07-15,Nederlandsch,sexual,"
    "raamm,call-me-maybe",
    "Q-4,police-oost,police,2024-03-04,Proefje,Testsma,31-31-1990,UA,sexual,club,",
]
FIXED = [
    "Q-3,police-oost,police,2024-03-03,Dummo,Nepperman,1985-07-15,Nederlands,sexual,"
    "raamprostitutie,+31 6 12345678",
    "Q-4,police-oost,police,2024-03-04,Proefje,Testsma,1990-01-31,UA,sexual,club,",
]
PERSONAL = ("Dummo", "Nepperman", "Proefje", "Testsma", "call-me-maybe", "1985-07-15",
            "31-31-1990")


def _file(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_rows_leave_the_quarantine_when_the_fixed_file_is_imported(db, key, tmp_path):
    first = import_file(db, "reports", _file(tmp_path / "v1.csv", GOOD + BAD), key=key,
                        partial=True)
    assert (first.stored, first.quarantined, first.valid) == (2, 2, False)
    listed = quarantine_rows(db).to_dict()
    assert [(r["report_id"], r["row"], r["line"]) for r in listed["rows"]] == [
        ("Q-3", 3, 4), ("Q-4", 4, 5)]
    assert listed["rows"][0]["record"] == {"source": "police-oost", "report_id": "Q-3"}

    again = import_file(db, "reports", _file(tmp_path / "v1.csv", GOOD + BAD), key=key,
                        partial=True)
    assert again.already_imported and quarantine_rows(db).to_dict()["count"] == 2

    fixed = import_file(db, "reports", _file(tmp_path / "v2.csv", GOOD + FIXED), key=key)
    assert fixed.valid and (fixed.stored, fixed.unchanged, fixed.resolved) == (2, 2, 2)
    assert quarantine_rows(db).to_dict() == {"count": 0, "rows": []}
    assert db.status()["quarantine"] == 0 and db.status()["reports"] == 4
    (detail,) = [json.loads(d) for (d,) in db.rows(
        "SELECT detail FROM audit_log WHERE action = 'quarantine.resolve'")]
    assert detail["by"] == "import" and detail["reason"] == "stored"
    assert len(detail["quarantine_ids"]) == 2 and detail["import_id"] == fixed.import_id


def test_a_row_rejected_again_replaces_its_older_entry(db, key, tmp_path):
    import_file(db, "reports", _file(tmp_path / "v1.csv", GOOD + BAD), key=key, partial=True)
    still_bad = [FIXED[0], BAD[1].replace("31-31-1990", "32-01-1990")]
    second = import_file(db, "reports", _file(tmp_path / "v2.csv", still_bad), key=key,
                         partial=True)
    assert (second.stored, second.resolved, second.quarantined) == (1, 1, 1)
    rows = quarantine_rows(db).rows
    assert [(r["report_id"], r["file"], r["import_id"]) for r in rows] == [
        ("Q-4", "v2.csv", second.import_id)]


def test_resolve_by_hand_is_audited_and_unknown_ids_are_refused(db, key, tmp_path):
    import_file(db, "reports", _file(tmp_path / "v1.csv", GOOD + BAD), key=key, partial=True)
    ids = [r["quarantine_id"] for r in quarantine_rows(db).rows]
    with pytest.raises(UsageError, match="no quarantined row with id 999"):
        resolve_quarantine(db, [ids[0], 999])
    assert len(quarantine_rows(db).rows) == 2, "nothing is resolved when an id is unknown"
    result = resolve_quarantine(db, [ids[0]], actor="tester")
    assert result.to_dict() == {"resolved": [ids[0]], "remaining": 1}
    assert db.rows("SELECT actor, action, detail->>'by' FROM audit_log") == [
        ("tester", "quarantine.resolve", "hand")]


def test_export_is_plain_columns_with_the_errors_beside_them(db, key, tmp_path):
    import_file(db, "reports", _file(tmp_path / "v1.csv", GOOD + BAD), key=key, partial=True)
    out = tmp_path / "quarantine.csv"
    quarantine_rows(db).export(out)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    assert header[:6] == ["quarantine_id", "import_id", "kind", "file", "line", "row"]
    assert header[-3:] == ["error_columns", "error_codes", "errors"]
    assert {"report_id", "source", "nationality", "sector", "given_name"} <= set(header)
    assert "row_data" not in header
    first, second = rows
    assert (first["report_id"], first["line"], first["row"]) == ("Q-3", "4", "3")
    assert first["nationality"] == first["sector"] == "<withheld>", (
        "a value outside the vocabulary may be a name (issue 11)")
    assert first["exploitation"] == "sexual" and first["report_date"] == "2024-03-03"
    assert first["given_name"] == first["contact_phone"] == "<withheld>"
    assert first["error_columns"] == "contact_phone | nationality | sector"
    assert first["error_codes"] == "invalid-phone | unknown-country | unknown-value"
    assert "(did you mean 'window'?)" in first["errors"]
    assert "raamm" not in first["errors"] and "Nederlandsch" not in first["errors"]
    assert second["date_of_birth"] == "<withheld>" and second["error_codes"] == "invalid-date"
    text = out.read_text(encoding="utf-8")
    for secret in PERSONAL:
        assert secret not in text, secret
    assert "{" not in text, "no JSON in a cell"


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result.exit_code, result.output


def test_cli_partial_exits_1_when_rows_were_rejected_and_resolve(tmp_path, monkeypatch):
    monkeypatch.setenv("THB_KEY", "5a" * 32)
    db = str(tmp_path / "thb.duckdb")
    assert _cli("init", "--db", db)[0] == 0
    code, output = _cli("import", "reports", str(_file(tmp_path / "v1.csv", GOOD + BAD)),
                        "--db", db, "--partial", "--json")
    assert code == 1, "rows were rejected"
    assert json.loads(output)["stats"]["stored"] == 2, "the valid rows stay stored"
    code, output = _cli("quarantine", "--db", db)
    assert code == 0 and "Q-3" in output and "police-oost / Q-4" in output
    code, output = _cli("quarantine", "--db", db, "--json")
    rows = json.loads(output)["rows"]
    assert [r["line"] for r in rows] == [4, 5]
    code, output = _cli("quarantine", "resolve", str(rows[0]["quarantine_id"]), "--db", db)
    assert code == 0 and "1 left in the quarantine" in output
    code, output = _cli("quarantine", "resolve", "12345", "--db", db)
    assert code == 2 and "no quarantined row with id 12345" in output
    code, output = _cli("import", "reports", str(_file(tmp_path / "v2.csv", GOOD + FIXED)),
                        "--db", db)
    assert code == 0
    code, output = _cli("quarantine", "--db", db, "--json")
    assert json.loads(output)["count"] == 0


def test_migration_gives_rows_quarantined_before_it_their_record(tmp_path, monkeypatch):
    import thbmonitor.store.database as database_module
    from thbmonitor.store import Database
    from thbmonitor.store.migrations import MIGRATIONS

    names = [m.name for m in MIGRATIONS]
    assert "0004_quarantine_lifecycle" in names
    before = tuple(m for m in MIGRATIONS if m.name != "0004_quarantine_lifecycle")
    path = tmp_path / "old.duckdb"
    monkeypatch.setattr(database_module, "MIGRATIONS", before)
    with Database(path) as old:
        old.execute("INSERT INTO quarantine VALUES (1, 1, 'reports', 'v1.csv', 3, '[]', ?)",
                    [json.dumps({"source": " Police-Oost", "report_id": "Q-3 "})])
        old.execute("INSERT INTO quarantine VALUES (2, 1, 'reports', 'v1.csv', 4, '[]', ?)",
                    [json.dumps({"malformed": True})])
    monkeypatch.setattr(database_module, "MIGRATIONS", MIGRATIONS)
    with Database(path) as db:
        assert db.rows("SELECT quarantine_id, record_key FROM quarantine ORDER BY 1") == [
            (1, "police-oost\x1fQ-3"), (2, None)]
