"""Messages a user can act on (issue 10): Dutch and English synonyms, "did you mean",
the allowed values, dates with a zero time, grammar, spreadsheet lines, no personal value."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

from thbmonitor.ingest import import_file
from thbmonitor.ingest.catalogue import CATALOGUE

COLUMNS = ("report_id", "source", "source_type", "report_date", "given_name", "family_name",
           "date_of_birth", "sex", "nationality", "exploitation", "sector", "scope",
           "legal_basis", "investigation_id")


def _reports(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for i, row in enumerate(rows, start=1):
            writer.writerow({"report_id": f"M-{i}", "source": "police-oost",
                             "source_type": "police", "report_date": "2024-03-01",
                             "exploitation": "sexual", **row})
    return path


def _stored(db: Any, column: str) -> list[Any]:
    return [r[0] for r in db.rows(f"SELECT {column} FROM reports ORDER BY report_id")]


def test_dutch_and_english_synonyms_are_accepted(db, key, tmp_path):
    rows = [
        {"exploitation": "arbeidsuitbuiting", "nationality": "Nederlands", "sex": "vrouw",
         "source_type": "politie", "sector": "Horeca", "scope": "binnenlands",
         "legal_basis": "wettelijke taak"},
        {"exploitation": "Seksuele uitbuiting; criminele uitbuiting", "nationality": "Pools",
         "sex": "Mannelijk", "sector": "raamprostitutie", "scope": "grensoverschrijdend",
         "legal_basis": "toestemming"},
        {"exploitation": "criminele-uitbuiting", "nationality": "Oekraïens",
         "sex": "onbekend", "sector": "land- en tuinbouw"},
        {"exploitation": "forced labour|sexual exploitation", "nationality": "Poolse",
         "sex": "woman", "sector": "drug trafficking", "legal_basis": "consent"},
        {"exploitation": "Organ removal", "nationality": "Ukrainian", "sector": "geldezel"},
    ]
    report = import_file(db, "reports", _reports(tmp_path / "r.csv", rows), key=key)
    assert report.valid, [e.message for e in report.errors]
    assert _stored(db, "exploitation") == [["labour"], ["criminal", "sexual"], ["criminal"],
                                           ["labour", "sexual"], ["organ_removal"]]
    assert _stored(db, "nationality") == ["NL", "PL", "UA", "PL", "UA"]
    assert _stored(db, "sex") == ["female", "male", "unknown", "female", None]
    assert _stored(db, "sector") == ["hospitality", "window", "agriculture", "drug_trade",
                                     "money_mule"]
    assert _stored(db, "legal_basis") == ["statutory", "consent", None, "consent", None]


def test_near_misses_get_a_suggestion_and_the_allowed_values(db, key, tmp_path):
    rows = [{"exploitation": "sexuall"}, {"sector": "hotell"}, {"nationality": "Nederlnd"},
            {"source_type": "polise"}, {"exploitation": "sexual;arbeidsuitbuitng"}]
    report = import_file(db, "reports", _reports(tmp_path / "r.csv", rows), key=key)
    by_row = {e.row: e.message for e in report.errors}
    assert by_row[1] == (
        "'exploitation' has a value outside the vocabulary (did you mean "
        "'sexual'?); use one of: sexual, labour, criminal, organ_removal, other, unknown, or "
        "a synonym listed in docs/data-formats.md.")
    assert "(did you mean 'hotel'?)" in by_row[2]
    assert "(did you mean NL, Netherlands?)" in by_row[3]
    assert "did you mean 'police'?" in by_row[4] and "use one of: police, border_police" in (
        by_row[4])
    assert "(did you mean 'labour'?)" in by_row[5]
    text = json.dumps(report.to_dict())
    for typed in ("sexuall", "hotell", "Nederlnd", "polise", "arbeidsuitbuitng"):
        assert typed not in text, "an out-of-vocabulary value is never echoed (issue 11)"


def test_no_suggestion_for_a_far_value_and_never_a_personal_value(db, key, tmp_path):
    rows = [{"sector": "moon"}, {"given_name": "Testa", "date_of_birth": "Voorbeeldt"}]
    report = import_file(db, "reports", _reports(tmp_path / "r.csv", rows), key=key)
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "did you mean" not in messages[(1, "sector")]
    assert "moon" not in messages[(1, "sector")], "a value outside the vocabulary may be a name"
    assert "Voorbeeldt" not in messages[(2, "date_of_birth")]
    assert "Testa" not in json.dumps(report.to_dict())


def test_dates_with_a_zero_time_are_dates(db, key, tmp_path):
    rows = [{"report_date": "2024-01-15 00:00:00", "date_of_birth": "1990-02-01T00:00:00"},
            {"report_date": "15-01-2024 00:00", "date_of_birth": "1990-02-01 00:00:00.000"}]
    report = import_file(db, "reports", _reports(tmp_path / "r.csv", rows), key=key)
    assert report.valid, [e.message for e in report.errors]
    assert _stored(db, "report_date") == [date(2024, 1, 15)] * 2
    assert _stored(db, "birth_year, birth_month") == [1990] * 2
    assert len(set(_stored(db, "dob_token"))) == 1 and _stored(db, "dob_token")[0]


def test_a_time_of_day_is_an_error_that_says_so(db, key, tmp_path):
    rows = [{"report_date": "2024-01-15 13:45:00"}, {"date_of_birth": "1990-02-01 08:30:00"}]
    report = import_file(db, "reports", _reports(tmp_path / "r.csv", rows), key=key)
    assert {e.triple for e in report.errors} == {(1, "report_date", "invalid-date"),
                                                  (2, "date_of_birth", "invalid-date")}
    for error in report.errors:
        assert "time of day other than 00:00; give the date only" in error.message
        assert "08:30" not in error.message and "13:45" not in error.message


def test_xlsx_datetimes_at_midnight_and_with_a_time(db, key, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["report_id", "source", "source_type", "report_date", "exploitation"])
    sheet.append(["X-1", "police-oost", "police", datetime(2024, 1, 15), "arbeidsuitbuiting"])
    sheet.append(["X-2", "police-oost", "police", datetime(2024, 1, 15, 9, 30), "sexual"])
    path = tmp_path / "reports.xlsx"
    book.save(path)
    report = import_file(db, "reports", path, key=key, partial=True)
    assert {e.triple for e in report.errors} == {(2, "report_date", "invalid-date")}
    assert report.stored == 1 and _stored(db, "exploitation") == [["labour"]]


def test_errors_carry_the_spreadsheet_line(db, key, tmp_path):
    rows = [{}, {}, {"report_date": "soon"}]
    report = import_file(db, "reports", _reports(tmp_path / "r.csv", rows), key=key)
    (error,) = report.errors
    assert (error.row, error.line) == (3, 4), "data row 3 is line 4 under the header"
    data = report.to_dict()["errors"][0]
    assert (data["row"], data["line"]) == (3, 4)
    assert list(data) == ["file", "row", "line", "column", "code", "message"]


def test_grammar_of_messages_and_summary(db, key, fixture_file, tmp_path):
    reference = import_file(db, "reports", fixture_file("reports-unknown-investigation.csv"),
                            key=key)
    (error,) = reference.errors
    assert "points at an investigation that is not" in error.message
    assert reference.summary() == (
        "reports-unknown-investigation.csv: not imported — 1 problem in 1 row; nothing was "
        "stored. Fix the file and import it again, or use --partial to store the valid rows.")
    malformed = import_file(db, "reports", fixture_file("reports-malformed-row.csv"), key=key)
    text = " ".join(e.message for e in malformed.errors)
    assert "this row has" in text and "fields where the header has" in text
    empty = import_file(db, "reports", fixture_file("reports-empty.csv"), key=key)
    assert "1 problem in the file as a whole" in empty.summary()
    assert "--partial" not in empty.summary(), "--partial cannot help a file-level problem"
    ok = import_file(db, "reports", _reports(tmp_path / "one.csv", [{}]), key=key)
    assert ok.summary().startswith("one.csv: 1 row, 1 stored")


def test_no_message_has_an_empty_placeholder():
    for error_type in CATALOGUE.values():
        text = error_type.example()
        assert "()" not in text and "  " not in text and " ;" not in text, error_type.code
        assert "{" not in text and " a investigation" not in text, error_type.code


def test_suggestions_stop_after_many_distinct_unknown_values():
    from thbmonitor.ingest.kinds import KINDS
    from thbmonitor.ingest.values import MAX_SUGGESTIONS, map_enum

    column = KINDS["reports"].column("sector")
    letters = "abcdefghijklmnopqrstuvwxyz"
    raws = [f"hotel{a}{b}" for a in letters for b in letters][:MAX_SUGGESTIONS + 50]
    details = [m.detail for m in map_enum(column, raws)]
    assert not any("hotel" in d.replace("'hotel'?", "") for d in details), "never the value"
    assert sum("did you mean 'hotel'?" in d for d in details) == MAX_SUGGESTIONS
