"""Every error code of the catalogue, pinned as (row, column, code) triples.

Each fixture file is named after the defect it contains.
"""

from __future__ import annotations

import pytest

from thbmonitor.ingest import CATALOGUE, import_file

# (file, kind, files imported first, expected triples)
CASES = [
    ("reports-unsupported.xls", "reports", [], {(None, None, "unsupported-file")}),
    ("reports-cp1251-cyrillic.csv", "reports", [], {(None, None, "encoding-error")}),
    ("reports-empty.csv", "reports", [], {(None, None, "empty-file")}),
    ("reports-header-only.csv", "reports", [], {(None, None, "empty-file")}),
    ("reports-missing-column.csv", "reports", [], {(None, "report_date", "missing-column")}),
    ("reports-duplicate-column.csv", "reports", [], {(None, "source", "duplicate-column")}),
    ("reports-malformed-row.csv", "reports", [], {(2, None, "malformed-row")}),
    ("reports-missing-value.csv", "reports", [], {
        (1, "report_id", "missing-value"), (2, "source", "missing-value"),
        (3, "report_date", "missing-value"), (4, "exploitation", "missing-value"),
        (5, "source_type", "missing-value"),
    }),
    ("reports-invalid-date.csv", "reports", [], {
        (1, "report_date", "invalid-date"), (2, "report_date", "invalid-date"),
        (3, "date_of_birth", "invalid-date"),
    }),
    ("reports-date-ranges.csv", "reports", [], {
        (1, "report_date", "date-in-future"), (2, "report_date", "date-out-of-range"),
        (3, "date_of_birth", "inconsistent-dates"), (4, "date_of_birth", "date-out-of-range"),
        (5, "birth_year", "inconsistent-dates"), (6, "birth_year", "date-out-of-range"),
        (7, "birth_year", "invalid-number"),
    }),
    ("reports-unknown-values.csv", "reports", [], {
        (1, "source_type", "unknown-value"), (2, "sex", "unknown-value"),
        (3, "nationality", "unknown-country"), (4, "exploitation", "unknown-value"),
        (5, "sector", "unknown-value"), (6, "scope", "unknown-value"),
        (7, "legal_basis", "unknown-value"), (8, "contact_phone", "invalid-phone"),
    }),
    ("reports-duplicate-ids.csv", "reports", [], {(3, "report_id", "duplicate-id")}),
    ("reports-conflicting-id.csv", "reports", [("reports", "reports-valid.csv")],
     {(1, "report_id", "conflicting-id")}),
    ("reports-source-type-mismatch.csv", "reports", [("reports", "reports-valid.csv")], {
        (1, "source_type", "source-type-mismatch"), (3, "source_type", "source-type-mismatch"),
    }),
    ("reports-unknown-investigation.csv", "reports", [],
     {(1, "investigation_id", "unknown-reference")}),
    ("locations-problems.csv", "locations", [("reports", "reports-valid.csv")], {
        (1, "report_id", "unknown-reference"), (2, "end_date", "inconsistent-dates"),
        (3, "location_type", "unknown-value"), (5, None, "duplicate-row"),
    }),
    ("investigations-problems.csv", "investigations", [], {
        (1, "scope", "unknown-value"), (2, "end_date", "inconsistent-dates"),
    }),
    ("suspects-unknown-reference.csv", "suspects", [],
     {(1, "investigation_id", "unknown-reference")}),
    ("cases-problems.csv", "cases", [], {
        (1, "decision", "unknown-value"), (2, "decision_date", "inconsistent-dates"),
    }),
    ("concerns-personal-column.csv", "concerns", [],
     {(None, "given_name", "personal-column")}),
    ("verdicts-problems.csv", "verdicts", [("cases", "cases-valid.csv")], {
        (1, "case_id", "unknown-reference"), (2, "outcome", "unknown-value"),
        (3, "custodial_months", "invalid-number"), (4, "custodial_months", "invalid-number"),
    }),
]


@pytest.mark.parametrize(("name", "kind", "before", "expected"), CASES,
                         ids=[c[0] for c in CASES])
def test_error_triples(db, key, fixture_file, name, kind, before, expected):
    for first_kind, first_file in before:
        assert import_file(db, first_kind, fixture_file(first_file), key=key).valid
    counts_before = db.status()
    report = import_file(db, kind, fixture_file(name), key=key)
    assert {e.triple for e in report.errors} == expected
    assert not report.valid and not report.succeeded
    assert all(e.file == name for e in report.errors)
    assert db.status() == counts_before, "an invalid file must store nothing"


def test_every_catalogue_code_is_exercised():
    # The limits' codes are exercised with generated hostile files in test_limits.py.
    limits = {"file-too-large", "too-many-rows", "too-many-columns", "field-too-long"}
    seen = {code for *_, expected in CASES for (_, _, code) in expected} | limits
    assert seen == set(CATALOGUE)


def test_messages_say_what_to_do(db, key, fixture_file):
    report = import_file(db, "reports", fixture_file("reports-invalid-date.csv"), key=key)
    message = report.errors[0].message
    assert "report_date" in message and "YYYY-MM-DD" in message


def test_replace_overwrites_a_conflicting_record(db, key, fixture_file):
    import_file(db, "reports", fixture_file("reports-valid.csv"), key=key)
    report = import_file(db, "reports", fixture_file("reports-conflicting-id.csv"), key=key,
                         replace=True)
    assert report.valid and report.stored == 1
    stored = db.scalar("SELECT report_date FROM reports WHERE report_id = 'R-001'")
    assert str(stored) == "2024-03-09"
    assert db.scalar("SELECT count(*) FROM reports") == 4
