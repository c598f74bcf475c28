"""Importing valid files: normalisation, encodings, delimiters, XLSX, idempotence, --partial."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl

from thbmonitor.ingest import Pseudonymiser, import_file, normalise_name, quarantine_rows
from thbmonitor.ingest.pseudonymise import birth_salt


def _report(db, report_id):
    cursor = db.execute("SELECT * FROM reports WHERE report_id = ?", [report_id])
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def test_valid_reports_are_normalised(db, key, fixture_file):
    report = import_file(db, "reports", fixture_file("reports-valid.csv"), key=key)
    assert report.valid and report.stored == 4 and report.rows == 4
    r1 = _report(db, "R-001")
    assert (r1["birth_year"], r1["birth_month"], r1["sex"], r1["nationality"]) == (
        1990, 2, "female", "NL")
    assert "date_of_birth" not in r1, "no full date of birth in clear (issue 11)"
    pseudo = Pseudonymiser(key)
    assert r1["dob_token"] == pseudo.token("dob", "19900201")
    assert r1["age_at_report"] == 34 and r1["report_date"] == date(2024, 3, 1)
    assert r1["scope"] == "domestic" and r1["exploitation"] == ["sexual"]
    assert r1["source_type"] == "police" and r1["legal_basis"] == "statutory"
    r2 = _report(db, "R-002")
    assert r2["birth_year"] == 1999 and r2["dob_token"] is None and r2["birth_month"] is None
    assert r2["nationality"] == "CO" and r2["exploitation_countries"] == ["BE", "NL"]
    assert r2["scope"] == "cross_border", "derived from the countries when absent"
    r3 = _report(db, "R-003")
    assert r3["nationality"] == "UA" and r3["sex"] == "male" and r3["scope"] == "cross_border"
    r4 = _report(db, "R-004")
    assert r4["report_date"] == date(2024, 5, 15), "DD-MM-YYYY accepted"
    assert r4["exploitation"] == ["criminal", "labour"] and r4["scope"] == "unknown"
    assert r4["given_token"] is None and r4["name_bloom"] is None


def test_tokens_are_keyed_and_consistent(db, key, fixture_file):
    import_file(db, "reports", fixture_file("reports-valid.csv"), key=key)
    pseudo = Pseudonymiser(key)
    r1 = _report(db, "R-001")
    assert r1["given_token"] == pseudo.name_token(normalise_name("Testa"))
    assert r1["family_token"] == pseudo.name_token("voorbeeldt")
    assert r1["phone_token"] == pseudo.token("phone", "+31612345678")
    assert r1["person_ref_token"] == pseudo.person_ref("police-oost", "PO-77")
    # salted with the birth year and month (01-02-1990: February 1990)
    assert r1["given_bloom"] == pseudo.bloom("testa", birth_salt(1990, 2))
    other = Pseudonymiser(bytes(32))
    assert r1["given_token"] != other.name_token("testa"), "tokens depend on the key"
    both = db.scalar("SELECT name_bloom = (given_bloom | family_bloom) FROM reports "
                     "WHERE report_id = 'R-001'")
    assert both is True


def test_semicolon_delimiter_with_pipe_inside_cells(db, key, fixture_file):
    report = import_file(db, "reports", fixture_file("reports-semicolon.csv"), key=key)
    assert report.valid and report.delimiter == ";" and report.stored == 2
    s1 = _report(db, "S-1")
    assert s1["exploitation"] == ["labour", "sexual"]
    assert s1["exploitation_countries"] == ["DE", "NL"]


def test_utf8_bom(db, key, fixture_file):
    report = import_file(db, "reports", fixture_file("reports-bom.csv"), key=key)
    assert report.valid and report.encoding == "utf-8-sig"
    assert _report(db, "B-1")["source"] == "kmar"


def test_windows_1252_is_decoded_correctly(db, key, fixture_file):
    report = import_file(db, "reports", fixture_file("reports-cp1252.csv"), key=key)
    assert report.valid and report.encoding == "windows-1252"
    pseudo = Pseudonymiser(key)
    w1 = _report(db, "W-1")
    assert w1["given_token"] == pseudo.name_token(normalise_name("Renée"))
    assert w1["family_token"] == pseudo.name_token(normalise_name("Müller-Núñez"))
    w2 = _report(db, "W-2")
    assert w2["family_token"] == pseudo.name_token(normalise_name("Dœbeling"))


def test_cyrillic_in_cp1251_is_refused_not_half_decoded(db, key, fixture_file):
    report = import_file(db, "reports", fixture_file("reports-cp1251-cyrillic.csv"), key=key)
    assert [e.code for e in report.errors] == ["encoding-error"]
    assert db.status()["reports"] == 0


def test_xlsx_first_sheet_gives_the_same_rows_as_csv(tmp_path, db, key, fixture_file):
    import csv

    rows = list(csv.reader(fixture_file("reports-valid.csv").open(encoding="utf-8")))
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        # Excel users type dates as dates and years as numbers: store them as such.
        sheet.append([_excel_value(h, v) for h, v in zip(rows[0], row, strict=True)]
                     if row is not rows[0] else row)
    book.create_sheet("second sheet is ignored").append(["nothing"])
    path = tmp_path / "reports-valid.xlsx"
    book.save(path)
    report = import_file(db, "reports", path, key=key)
    assert report.valid and report.encoding == "xlsx" and report.stored == 4
    xlsx_hashes = db.rows("SELECT report_id, row_hash FROM reports ORDER BY 1")
    db.execute("DELETE FROM reports")
    db.execute("DELETE FROM imports")
    import_file(db, "reports", fixture_file("reports-valid.csv"), key=key)
    assert db.rows("SELECT report_id, row_hash FROM reports ORDER BY 1") == xlsx_hashes


def _excel_value(header: str, value: str) -> object:
    if header == "birth_year" and value:
        return float(value)
    if header == "report_date" and len(value) == 10 and value[4] == "-":
        return date.fromisoformat(value)
    return value


def test_same_file_twice_stores_nothing_new(db, key, fixture_file):
    first = import_file(db, "reports", fixture_file("reports-valid.csv"), key=key)
    second = import_file(db, "reports", fixture_file("reports-valid.csv"), key=key)
    assert first.stored == 4 and not first.already_imported
    assert second.valid and second.stored == 0 and second.unchanged == 4
    assert second.already_imported
    assert db.scalar("SELECT count(*) FROM reports") == 4
    assert db.scalar("SELECT count(*) FROM imports") == 1
    assert db.rows("SELECT * FROM organisations ORDER BY source") == [
        ("fairwork", "ngo", first.import_id), ("police-oost", "police", first.import_id)]


def test_all_or_nothing_by_default(db, key, fixture_file):
    report = import_file(db, "reports", fixture_file("reports-duplicate-ids.csv"), key=key)
    assert not report.succeeded and report.stored == 0
    assert db.status()["reports"] == 0 and db.status()["quarantine"] == 0


def test_partial_stores_valid_rows_and_quarantines_the_rest(tmp_path, db, key, fixture_file):
    report = import_file(db, "reports", fixture_file("reports-duplicate-ids.csv"), key=key,
                         partial=True)
    assert report.succeeded and not report.valid
    assert (report.stored, report.quarantined) == (3, 1)
    assert db.rows("SELECT source, report_id, row_number FROM reports ORDER BY row_number") == [
        ("police-oost", "X-1", 1), ("police-oost", "X-2", 2), ("fairwork", "X-1", 4)]
    listed = quarantine_rows(db)
    assert [(r["row"], [e["code"] for e in r["errors"]]) for r in listed.rows] == [
        (3, ["duplicate-id"])]
    assert listed.rows[0]["row_data"]["report_id"] == "X-1"
    again = import_file(db, "reports", fixture_file("reports-duplicate-ids.csv"), key=key,
                        partial=True)
    assert again.stored == 0 and again.quarantined == 0, "a re-import adds no duplicates"
    assert db.status()["quarantine"] == 1
    out = tmp_path / "quarantine.csv"
    listed.export(out)
    text = out.read_text(encoding="utf-8")
    assert "duplicate-id" in text and "reports-duplicate-ids.csv" in text


def test_partial_quarantine_withholds_personal_values(db, key, fixture_file):
    report = import_file(db, "reports", fixture_file("reports-unknown-values.csv"), key=key,
                         partial=True)
    assert report.quarantined == 8
    data = {r["row"]: r["row_data"] for r in quarantine_rows(db).rows}
    assert data[3]["nationality"] == "<withheld>", "an unknown value may be a name (issue 11)"
    assert data[8]["contact_phone"] == "<withheld>"
    assert data[5]["sector"] == "<withheld>"
    assert data[2]["sex"] == "<withheld>" and data[2]["exploitation"] == ["sexual"][0], (
        "vocabulary values are kept to help the fix")
    assert data[2]["report_date"] == "2024-01-01" and data[2]["source"] == "police-oost"


def test_malformed_rows_are_quarantined_and_numbering_kept(db, key, fixture_file):
    report = import_file(db, "reports", fixture_file("reports-malformed-row.csv"), key=key,
                         partial=True)
    assert (report.stored, report.quarantined) == (2, 1)
    assert db.rows("SELECT report_id, row_number FROM reports ORDER BY 2") == [
        ("F-1", 1), ("F-3", 3)]


def test_unknown_columns_are_dropped_and_named_unless_allow_listed(db, key, fixture_file):
    report = import_file(db, "reports", fixture_file("reports-unknown-columns.csv"), key=key)
    assert report.valid
    assert report.dropped_columns == ["case_note", "mobiel nummer"]
    assert report.to_dict()["dropped_columns"] == ["case_note", "mobiel nummer"]
    assert "not stored: unknown 2 columns case_note, mobiel nummer" in report.summary()
    assert db.scalar("SELECT count(*) FROM reports WHERE extra IS NOT NULL") == 0
    db.set_setting("ingest.extra_columns", ["case_note", "mobiel nummer"])
    again = import_file(db, "reports", fixture_file("reports-unknown-columns.csv"), key=key,
                        replace=True)
    assert again.dropped_columns == ["mobiel nummer"], "a personal-sounding name never kept"
    extra = json.loads(db.scalar("SELECT extra FROM reports WHERE report_id = 'E-1'"))
    assert extra == {"case_note": "follow up"}


def test_chain_files_import_in_order(db, key, fixture_file):
    for kind, name in [("investigations", "investigations-valid.csv"),
                       ("suspects", "suspects-valid.csv"), ("cases", "cases-valid.csv"),
                       ("verdicts", "verdicts-valid.csv"), ("reports", "reports-valid.csv"),
                       ("locations", "locations-valid.csv")]:
        report = import_file(db, kind, fixture_file(name), key=key)
        assert report.valid, (name, [e.triple for e in report.errors])
    assert db.scalar("SELECT custodial_months FROM verdicts") == 18.5
    assert db.scalar("SELECT nationality FROM suspects WHERE suspect_id = 'SUS-2'") == "RO"
    assert db.rows("SELECT exploitation, scope FROM investigations ORDER BY 1") == [
        (["labour"], "domestic"), (["sexual"], "international")]
    assert db.scalar("SELECT count(DISTINCT booking_token) FROM locations") == 1
    assert db.status()["locations"] == 2


def test_missing_file_is_a_clear_error(db, key, tmp_path: Path):
    import pytest

    from thbmonitor.errors import DataError

    with pytest.raises(DataError, match="does not exist"):
        import_file(db, "reports", tmp_path / "nope.csv", key=key)
