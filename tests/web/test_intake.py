"""Registrars at work: a report typed in, a file uploaded, a row fixed, a pair decided.

Everything goes through the import; the canary name typed into the form must
be nowhere afterwards: not in any text column of the store, not in any page
or JSON answer, not in the log, not in the audit log.
"""

from __future__ import annotations

import logging
import re

import pytest

from thbmonitor.ingest import Pseudonymiser, import_file, normalise_name
from thbmonitor.store import Database, audit

from .conftest import KEY, copy_store, counts, open_web_store

CANARY_GIVEN = "Zqxwvandrella"
CANARY_FAMILY = "Kwiebusmortel"
CANARY_PHONE = "+31 6 9876 5432"
CANARY_DIGITS = "98765432"


@pytest.fixture(scope="module")
def store(realistic_db_path, tmp_path_factory):
    web = open_web_store(copy_store(realistic_db_path, tmp_path_factory.mktemp("intake")))
    yield web
    web.db.close()


@pytest.fixture(scope="module")
def answers():
    """Every page and JSON answer of this module, for the canary scan at the end."""
    return []


@pytest.fixture
def registrar(store, answers):
    client = store.client("registrar")
    original = client.request

    def recording(*args, **kwargs):
        response = original(*args, **kwargs)
        answers.append(response.text)
        return response

    client.request = recording  # type: ignore[method-assign]
    return client


def _source_type(store) -> str:
    return str(store.db.scalar("SELECT source_type FROM organisations WHERE source = ?",
                               [store.org]))


def _report(store, report_id: str, **extra: str) -> dict[str, str]:
    return {"report_id": report_id, "report_date": "2024-03-04", "exploitation": "labour",
            "sex": "female", "nationality": "UA", "date_of_birth": "1990-05-06",
            "given_name": CANARY_GIVEN, "family_name": CANARY_FAMILY,
            "contact_phone": CANARY_PHONE, "source_type": _source_type(store), **extra}


def test_a_typed_report_is_pseudonymised_exactly_as_an_imported_one(store, registrar,
                                                                      tmp_path):
    response = registrar.post("/reports.json", data=_report(store, "WEB-1"))
    body = response.json()
    assert response.status_code == 200 and body["stored"] is True, body
    assert body["source"] == store.org
    columns = ("given_token", "family_token", "name_token", "name_sorted_token",
               "given_phonetic", "family_phonetic", "given_bloom", "family_bloom", "name_bloom",
               "phone_token", "dob_token", "birth_month", "age_at_report", "sex", "nationality",
               "exploitation", "scope",
               "row_hash")
    web_row = store.db.rows(f"SELECT {', '.join(columns)} FROM reports WHERE source = ? AND "
                            "report_id = 'WEB-1'", [store.org])
    # the same row through `thb import`'s path into a fresh store with the same key
    csv = tmp_path / "same.csv"
    fields = _report(store, "WEB-1")
    header = ["source", *fields]
    csv.write_text(",".join(header) + "\n" + ",".join([store.org, *fields.values()]) + "\n",
                   encoding="utf-8")
    with Database(tmp_path / "fresh.duckdb") as fresh:
        assert import_file(fresh, "reports", csv, key=KEY).valid
        imported = fresh.rows(f"SELECT {', '.join(columns)} FROM reports")
    assert web_row == imported
    pseudo = Pseudonymiser(KEY)
    assert web_row[0][0] == pseudo.name_token(normalise_name(CANARY_GIVEN))
    # and the page says so without the name
    page = registrar.post("/reports", data=_report(store, "WEB-1"))
    assert CANARY_GIVEN not in page.text


def test_a_possible_existing_person_is_shown_before_saving(store, registrar):
    before = counts(store.db)["reports"]
    response = registrar.post("/reports.json", data=_report(store, "WEB-2"))
    body = response.json()
    assert body["stored"] is False and body["hint"]["same_name"] >= 1
    assert body["hint"]["same_name_and_birth"] >= 1 and body["draft"]
    assert counts(store.db)["reports"] == before
    saved = registrar.post("/reports.json", data={"draft": body["draft"], "confirm": "1"})
    assert saved.json()["stored"] is True
    assert counts(store.db)["reports"] == before + 1
    again = registrar.post("/reports.json", data={"draft": body["draft"], "confirm": "1"})
    assert again.status_code == 409  # a draft is used once
    other = store.client("other-registrar")
    draft = registrar.post("/reports.json", data=_report(store, "WEB-3")).json()["draft"]
    assert other.post("/reports.json", data={"draft": draft}).status_code == 409


def test_an_invalid_report_lists_its_problems_linked_to_the_fields(store, registrar):
    data = _report(store, "WEB-BAD", report_date="2024-13-45", exploitation="")
    before = counts(store.db)
    response = registrar.post("/reports", data=data)
    assert response.status_code == 422
    page = response.text
    assert 'href="#field-report_date"' in page and 'id="field-report_date"' in page
    assert 'href="#field-exploitation"' in page and 'aria-invalid="true"' in page
    assert CANARY_GIVEN not in page and CANARY_FAMILY not in page and CANARY_DIGITS not in page
    assert 'value="WEB-BAD"' in page  # non-personal values are kept for correction
    body = registrar.post("/reports.json", data=data).json()
    assert {e["column"] for e in body["errors"]} >= {"report_date", "exploitation"}
    assert counts(store.db) == before


def test_values_typed_in_are_escaped_on_the_page(store, registrar):
    data = _report(store, '"><script>alert(1)</script>', report_date="2024-02-31")
    page = registrar.post("/reports", data=data).text
    assert "<script>" not in page and "&lt;script&gt;" in page


UPLOAD = (
    "report_id,source,report_date,exploitation,sex,given_name,family_name\n"
    "UP-1,{org},2024-02-01,sexual,female,Anna,Upload\n"
    "UP-2,{org},2024-02-30,labour,male,Bert,Upload\n"
    "UP-3,{org},2024-02-03,criminal,male,Cees,Upload\n"
)


def test_an_upload_with_one_bad_row_quarantines_it_and_the_fix_stores_it(store, registrar):
    text = UPLOAD.format(org=store.org)
    response = registrar.post("/imports.json", data={"kind": "reports"},
                              files={"file": ("delivery.csv", text.encode(), "text/csv")})
    body = response.json()
    assert response.status_code == 200, body
    assert body["stats"]["stored"] == 2 and body["stats"]["quarantined"] == 1
    assert [(e["row"], e["column"], e["code"]) for e in body["errors"]] == [
        (2, "report_date", "invalid-date")]
    page = registrar.post("/imports", data={"kind": "reports"},
                          files={"file": ("delivery.csv", text.encode(), "text/csv")})
    assert "invalid-date" in page.text or "ingevoerd" in page.text
    listed = registrar.get("/quarantine.json").json()
    rows = [r for r in listed["rows"] if r["file"] == "delivery.csv"]
    assert len(rows) == 1 and rows[0]["row_data"]["given_name"] == "<withheld>"
    entry = registrar.get(f"/quarantine/{rows[0]['quarantine_id']}.json").json()
    qid, version = entry["quarantine_id"], entry["version"]
    # another organisation's registrar neither sees nor fixes it
    other = store.client("other-registrar")
    assert all(r["file"] != "delivery.csv" for r in other.get("/quarantine.json").json()["rows"])
    assert other.get(f"/quarantine/{qid}.json").status_code == 404
    assert other.post(f"/quarantine/{qid}.json", data={"version": version,
                                                       "report_date": "2024-02-28"}
                      ).status_code == 409
    # a fix that is still wrong keeps the row, with a new version
    still = registrar.post(f"/quarantine/{qid}.json", data={"version": version,
                                                           "report_date": "2024-02-31"})
    assert still.status_code == 422 and still.json()["fixed"] is False
    new_version = still.json()["version"]
    assert new_version != version
    # the old version is stale now: 409, nothing overwritten
    stale = registrar.post(f"/quarantine/{qid}.json", data={"version": version,
                                                           "report_date": "2024-02-28"})
    assert stale.status_code == 409
    fixed = registrar.post(f"/quarantine/{qid}.json", data={"version": new_version,
                                                           "report_date": "2024-02-28"})
    assert fixed.status_code == 200 and fixed.json()["fixed"] is True
    assert store.db.scalar("SELECT report_date::VARCHAR FROM reports WHERE source = ? AND "
                           "report_id = 'UP-2'", [store.org]) == "2024-02-28"
    assert not store.db.scalar("SELECT count(*) FROM quarantine WHERE quarantine_id = ?", [qid])
    assert registrar.post(f"/quarantine/{qid}.json", data={"version": new_version}
                          ).status_code == 409  # fixed meanwhile


def test_an_upload_for_another_organisation_is_refused_whole(store, registrar):
    text = UPLOAD.format(org=store.org).replace("UP-3," + store.org, "UP-9," + store.other_org)
    before = counts(store.db)
    response = registrar.post("/imports.json", data={"kind": "reports"},
                              files={"file": ("mixed.csv", text.encode(), "text/csv")})
    assert response.status_code == 403 and "rows 3" in response.json()["error"]
    assert counts(store.db) == before


def test_a_review_decision_is_stored_audited_and_scoped(store, registrar):
    queue = registrar.get("/review.json").json()
    assert queue["pairs"], "the registrar's organisation has pairs to review"
    for pair in queue["pairs"]:
        assert store.org in (pair["left"]["source"], pair["right"]["source"])
        for side in ("left", "right"):
            assert not any(k.endswith(("name", "token", "bloom")) for k in pair[side])
    pair = queue["pairs"][0]["pair_id"]
    other = store.client("other-registrar")
    other_pairs = {p["pair_id"] for p in other.get("/review.json").json()["pairs"]}
    if pair not in other_pairs:
        assert other.post(f"/review/{pair}.json", data={"decision": "same"}).status_code == 404
    response = registrar.post(f"/review/{pair}.json", data={"decision": "different"})
    assert response.status_code == 200 and response.json()["decision"] == "different"
    assert store.db.rows("SELECT decision, decided_by FROM link_decisions WHERE pair_id = ?",
                         [pair]) == [("different", "web:registrar")]
    assert pair not in {p["pair_id"] for p in registrar.get("/review.json").json()["pairs"]}
    last = audit.list_entries(store.db, last=20).entries
    assert any(e.resource == "link.decision" and e.actor == "web:registrar"
               and e.detail["pair_id"] == pair for e in last)
    assert registrar.post(f"/review/{pair}.json", data={"decision": "maybe"}
                          ).status_code == 422


def test_the_kept_queue_is_audited_on_every_read_and_follows_every_decision(store, registrar):
    """The queue is kept per version (issue 13's p95): a read served from it is still
    audited, and a decision made anywhere (here through the library, as `thb review
    decide` does) is never hidden by it."""
    from thbmonitor.link import decide

    def reads() -> int:
        return int(store.db.scalar("SELECT count(*) FROM audit_log WHERE resource = "
                                   "'link.review' AND action = 'read'"))

    first = registrar.get("/review.json").json()
    before = reads()
    again = registrar.get("/review.json").json()
    assert again == first and reads() == before + 1
    pair = first["pairs"][0]["pair_id"]
    decide(store.db, pair, "same", actor="cli:test")
    after = registrar.get("/review.json").json()
    assert pair not in {p["pair_id"] for p in after["pairs"]}
    assert after["decided"] == first["decided"] + 1 and reads() == before + 2


def test_person_level_reads_are_audited_with_the_signed_in_user(store, registrar):
    analyst = store.client("analyst")
    reads = {
        "/review.json": (registrar, "link.review"),
        "/quarantine.json": (registrar, "quarantine"),
        "/patterns/carousel/2024.json": (analyst, "patterns.carousel"),
        "/patterns/networks/2024.json": (analyst, "patterns.networks"),
        "/figures/2024.json?protected=0": (analyst, "figures.unprotected"),
    }
    for url, (client, resource) in reads.items():
        before = int(store.db.scalar("SELECT count(*) FROM audit_log"))
        assert client.get(url).status_code == 200
        new = store.db.rows("SELECT actor, resource FROM audit_log ORDER BY event_id DESC "
                            "LIMIT ?", [int(store.db.scalar("SELECT count(*) FROM audit_log"))
                                        - before])
        assert any(r == resource and a.startswith("web:") for a, r in new), (url, new)
    assert audit.verify(store.db).ok


def test_audit_fails_closed(store, registrar):
    store.db.execute("ALTER TABLE audit_log RENAME TO audit_log_away")
    try:
        response = registrar.get("/review.json")
        assert response.status_code == 500 and response.json()["ok"] is False
        assert "pairs" not in response.json()
        page = registrar.get("/quarantine")
        assert page.status_code == 500 and "quarantine_id" not in page.text
        before = counts(store.db)
        write = registrar.post("/reports.json", data={"report_id": "WEB-FAIL",
                                                      "report_date": "2024-01-02",
                                                      "exploitation": "labour",
                                                      "source_type": _source_type(store)})
        assert write.status_code == 500
        assert counts(store.db) == before  # the write rolled back with its audit entry
    finally:
        store.db.execute("ALTER TABLE audit_log_away RENAME TO audit_log")


def test_the_canary_is_nowhere(store, answers, caplog):
    """Runs last in this module: the canary was typed into the form above."""
    caplog.set_level(logging.DEBUG)
    client = store.client("registrar")
    client.post("/reports.json", data=_report(store, "WEB-LAST"))
    for url in ("/review", "/quarantine", "/reports/new", "/dashboard.json", "/review.json"):
        answers.append(client.get(url).text)
    admin = store.client("admin")
    answers.append(admin.get("/audit.json?last=5000").text)
    answers.append(admin.get("/audit?last=5000").text)
    needles = [CANARY_GIVEN, CANARY_FAMILY, normalise_name(CANARY_GIVEN),
               normalise_name(CANARY_FAMILY), CANARY_DIGITS, "9876 5432"]
    assert len(answers) > 20
    for text in answers + [caplog.text]:
        low = text.lower()
        assert not any(n.lower() in low for n in needles)
    # every text column of every table, by SQL (DuckDB compresses strings on disk)
    db = store.db
    columns = db.rows("SELECT table_name, column_name FROM information_schema.columns "
                      "WHERE table_schema = 'main' AND (data_type IN ('VARCHAR', 'JSON') "
                      "OR data_type LIKE '%[]' OR data_type LIKE 'STRUCT%')")
    assert len(columns) > 50
    for table, column in columns:
        for needle in needles:
            found = db.scalar(f'SELECT count(*) FROM "{table}" WHERE '
                              f'contains(lower(CAST("{column}" AS VARCHAR)), ?)',
                              [needle.lower()])
            assert not found, (table, column)
    # the canary's report is there, as tokens
    assert db.scalar("SELECT count(*) FROM reports WHERE report_id LIKE 'WEB-%' AND "
                     "given_token IS NOT NULL") >= 2
    assert re.search("[0-9a-f]{32}", db.scalar("SELECT given_token FROM reports WHERE "
                                                "report_id = 'WEB-1'"))
