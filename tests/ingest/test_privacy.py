"""No imported name, phone, address or reference in clear: not in the file, not in a column,
not in a message, not in a log line."""

from __future__ import annotations

import json
import logging

from thbmonitor.ingest import import_file
from thbmonitor.store import Database

# Every personal value in the fixtures below, as written and as the intake normalises it.
PERSONAL = [
    "Testa", "Voorbeeldt", "Fictiva", "Proefsma-Gans", "Proefsma", "Dummo", "Nepperman",
    "testa", "voorbeeldt", "fictiva", "proefsma gans", "dummo", "nepperman",
    "0612345678", "06 1234 5678", "+31612345678", "31612345678", "+31201234567", "201234567",
    "PO-77", "Proefstraat", "proefstraat", "Testlaan", "testlaan", "BK-1", "bk 1",
]


def _import_all(db, key, fixture_file):
    for kind, name in [("reports", "reports-valid.csv"), ("locations", "locations-valid.csv"),
                       ("reports", "reports-semicolon.csv")]:
        assert import_file(db, kind, fixture_file(name), key=key).valid


def test_database_file_holds_no_personal_value(db_path, key, fixture_file):
    db = Database(db_path)
    _import_all(db, key, fixture_file)
    db.execute("CHECKPOINT")
    db.close()
    raw = db_path.read_bytes()
    assert len(raw) > 100_000
    for value in PERSONAL:
        assert value.encode("utf-8") not in raw, value
        assert value.encode("utf-16-le") not in raw, value


def test_no_text_column_holds_a_personal_value(db, key, fixture_file):
    _import_all(db, key, fixture_file)
    columns = db.rows(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'main' AND data_type IN ('VARCHAR', 'JSON', 'VARCHAR[]')")
    assert len(columns) > 40
    lowered = [p.lower() for p in PERSONAL]
    for table, column in columns:
        for (value,) in db.rows(f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM "{table}"'):
            if value is None:
                continue
            text = value.lower()
            assert not any(p in text for p in lowered), (table, column)


def test_errors_and_logs_never_echo_personal_values(db, key, fixture_file, caplog):
    caplog.set_level(logging.DEBUG)
    report = import_file(db, "reports", fixture_file("reports-unknown-values.csv"), key=key,
                         partial=True)
    text = json.dumps(report.to_dict()) + caplog.text
    quarantined = json.dumps(db.rows("SELECT errors, row_data FROM quarantine"))
    assert "call-me-maybe" not in text, "a phone number is never echoed"
    assert "call-me-maybe" not in quarantined
    for typed in ("sexuall", "Atlantisland", "maybe", "moon"):
        assert typed not in text and typed not in quarantined, (
            "a value outside the vocabulary may be a name typed in the wrong column (issue 11)")
    assert "did you mean 'sexual'?" in text, "a near miss still gets its suggestion"
    assert caplog.records, "the import logs what it did"
