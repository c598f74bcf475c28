"""No clear value from a delivery anywhere DuckDB writes (issue 11, items 1, 2 and 4).

Canaries (distinctive fictitious values) are imported in names, phones, a person reference,
a date of birth, vocabulary columns and unknown columns; then every column of every table is
searched by SQL (DuckDB compresses strings, so a byte grep of the file misses them), and the
bytes of the store, its WAL and every temp or spill file DuckDB wrote are searched too, the
spill files while the import runs, under a memory limit small enough to make DuckDB spill.
"""

from __future__ import annotations

import csv
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from thbmonitor.ingest import import_file
from thbmonitor.store import Database

#: The issue's unknown columns, each with a personal-looking canary value.
UNKNOWN = {
    "notes": "canarynote slept at Kanariestraat", "postcode": "9999ZZ",
    "voorletters": "K.K.", "woonplaats": "Kanariedorp", "dob": "1911-11-11",
    "gsm": "0611119999", "whatsapp": "+31622229999", "contact": "canarycontact@example.org",
    "kenteken": "KK-999-K", "v-nummer": "V9999999", "alias": "Canaryalias",
}
#: The distinctive date of birth (and its other spellings), absent everywhere after import.
BIRTH = "1987-11-23"
BIRTH_FORMS = ("1987-11-23", "23-11-1987", "19871123", "1987-11-23 00:00:00")
#: Searched case-insensitively in every column (cast to text) and in every file's bytes.
CANARIES = (
    "canary", "kanarie", "0687654321", "687654321", "9999zz", "k.k.", "kk-999-k", "v9999999",
    "0611119999", "622229999", "1911-11-11", *BIRTH_FORMS,
)

ROWS = 40_000
HEADER = ["report_id", "source", "source_type", "report_date", "given_name", "family_name",
          "date_of_birth", "sex", "nationality", "exploitation", "sector", "person_ref",
          "contact_phone", *UNKNOWN]


def _write(path: Path, rows: int, *, seed: int = 11) -> Path:
    """`rows` reports; every 50th row carries the canaries, some of them in wrong columns."""
    rng = np.random.default_rng(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            canary = i % 50 == 0
            wrong = i % 500 == 0  # a name typed in vocabulary columns: a bad row
            writer.writerow([
                f"C{i}", "police-oost", "police", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                f"Canary{i}" if canary else f"Given{rng.integers(0, 10**6)}",
                "Kanariefamilie" if canary else f"Family{rng.integers(0, 10**6)}",
                BIRTH if canary else f"{rng.integers(1950, 2005)}-0{1 + i % 9}-1{i % 9}",
                "Canarysex" if wrong else "female",
                "Kanarieland" if wrong else "NL", "sexual",
                "Canarysector" if wrong else "window",
                f"CANARY-REF-{i}" if canary else f"ref{i}",
                "0687654321" if canary else f"06{rng.integers(10**7, 10**8 - 1)}",
                *(UNKNOWN.values() if canary else [""] * len(UNKNOWN)),
            ])
    return path


def _columns(db: Database) -> list[tuple[str, str, str]]:
    return db.rows(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database() AND NOT internal "
        "ORDER BY 1, 2, 3")


def sql_canaries(db: Database, canaries: tuple[str, ...] = CANARIES) -> list[tuple[str, str]]:
    """(table, column) of every column, of any type, whose text holds a canary."""
    found = []
    for schema, table, column in _columns(db):
        hits = db.scalar(
            f'SELECT count(*) FROM "{schema}"."{table}" WHERE list_bool_or(list_transform(?, '
            f'c -> contains(lower(CAST("{column}" AS VARCHAR)), c)))', [list(canaries)])
        if hits:
            found.append((f"{schema}.{table}", column))
    return found


def byte_canaries(data: bytes, canaries: tuple[str, ...] = CANARIES) -> list[str]:
    lowered = data.lower()
    return [c for c in canaries if c.encode("utf-8") in lowered
            or c.encode("utf-16-le") in lowered]


class SpillWatch(threading.Thread):
    """Reads every file in DuckDB's temp directory while the import runs."""

    def __init__(self, folder: Path) -> None:
        super().__init__(daemon=True)
        self.folder = folder
        self.found: set[str] = set()
        self.spilled = 0  # the most bytes seen in spill files at once
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.scan()
            time.sleep(0.02)
        self.scan()

    def scan(self) -> None:
        total = 0
        for path in self.folder.glob("*") if self.folder.exists() else []:
            try:
                data = path.read_bytes()
            except OSError:
                continue  # removed between listing and reading
            total += len(data)
            self.found.update(byte_canaries(data))
        self.spilled = max(self.spilled, total)


def test_no_canary_in_any_table_spill_file_or_wal(tmp_path, key):
    """Items 1, 2 and 4 at once: a 40,000-row import that spills, then every trace searched.

    Before the fix the same import leaked every canary into the spill files (and ran out
    of memory at this limit)."""
    path = _write(tmp_path / "canaries.csv", ROWS)
    spill = tmp_path / "spill"
    db = Database(tmp_path / "thb.duckdb")
    db.execute("SET threads = 1")
    db.execute("SET memory_limit = '192MB'")
    db.execute(f"SET temp_directory = '{spill}'")
    db.execute("SET preserve_insertion_order = false")
    watch = SpillWatch(spill)
    watch.start()
    try:
        report = import_file(db, "reports", path, key=key, partial=True)
    finally:
        watch.stop.set()
        watch.join()
    assert report.file_errors == []
    assert sorted(report.dropped_columns) == sorted(UNKNOWN), "unknown columns dropped, named"
    assert report.stored == ROWS - ROWS // 500 and report.quarantined == ROWS // 500
    assert watch.spilled > 0, "the memory limit made DuckDB spill (else the scan proves nothing)"
    assert watch.found == set(), f"canaries in spill files: {watch.found}"
    wal = Path(str(tmp_path / "thb.duckdb") + ".wal")
    if wal.exists():
        assert byte_canaries(wal.read_bytes()) == [], "canaries in the WAL"
    assert sql_canaries(db) == []
    text = str(report.to_dict()) + report.summary()
    assert byte_canaries(text.encode()) == [], "no canary in the report either"
    db.execute("CHECKPOINT")
    db.close()
    assert byte_canaries((tmp_path / "thb.duckdb").read_bytes()) == []
    for leftover in tmp_path.rglob("*"):
        if leftover.is_file() and leftover != path:
            assert byte_canaries(leftover.read_bytes()) == [], leftover.name


def test_the_sql_scan_finds_a_planted_canary(db):
    """The scan itself can fail: a value in a JSON column, a list and a date are all found."""
    db.execute("CREATE TABLE planted (a JSON, b VARCHAR[], c DATE, d INTEGER)")
    assert sql_canaries(db) == []
    db.execute("INSERT INTO planted VALUES ('{\"x\": \"Canary\"}', ['ok'], NULL, 1)")
    db.execute("INSERT INTO planted VALUES (NULL, ['x', '0687654321'], DATE '1987-11-23', 2)")
    assert sql_canaries(db) == [("main.planted", "a"), ("main.planted", "b"),
                                ("main.planted", "c")]


@pytest.mark.parametrize("partial", [False, True], ids=["all-or-nothing", "partial"])
def test_issue_columns_are_dropped_and_never_stored(tmp_path, db, key, partial):
    """Item 2: the issue's extra columns are dropped by name; nothing of them is stored."""
    path = _write(tmp_path / "few.csv", 600)
    report = import_file(db, "reports", path, key=key, partial=partial)
    assert report.dropped_columns == list(UNKNOWN)
    assert report.error_rows == 2 and report.stored == (598 if partial else 0)
    assert db.scalar("SELECT count(*) FROM reports WHERE extra IS NOT NULL") == 0
    assert sql_canaries(db) == []


def test_birth_date_canary_absent_but_year_month_and_age_kept(tmp_path, db, key):
    """Item 4: the full date is nowhere; year, month and the age at the report date are."""
    path = _write(tmp_path / "few.csv", 60)
    assert import_file(db, "reports", path, key=key, partial=True).stored == 59
    assert sql_canaries(db, BIRTH_FORMS) == []
    assert db.rows("SELECT DISTINCT birth_year, birth_month, age_at_report FROM reports "
                   "WHERE report_id = 'C50'") == [(1987, 11, 36)]
    tokens = db.rows("SELECT DISTINCT dob_token, dob_swap_token FROM reports "
                     "WHERE report_id IN ('C50', 'C100')")
    assert len(tokens) == 1 and all(len(t) == 32 for t in tokens[0])


def test_migration_0005_removes_clear_birth_dates_extra_and_quarantined_values(
        tmp_path, monkeypatch):
    """A store of before: its dates of birth become year, month and age; extra and the
    quarantine's values go (the tokens need the key: the files are imported again)."""
    import thbmonitor.store.database as database
    from thbmonitor.store.migrations import MIGRATIONS

    path = tmp_path / "old.duckdb"
    monkeypatch.setattr(database, "MIGRATIONS", MIGRATIONS[:4])
    old = Database(path)
    assert "0005_intake_without_clear_values" not in old.applied_migrations()
    old.execute(
        "INSERT INTO reports (source, report_id, source_type, report_date, date_of_birth, "
        "birth_year, exploitation, scope, extra, row_hash, import_id, row_number) VALUES "
        "('po', 'R1', 'police', DATE '2024-03-01', DATE '1987-11-23', NULL, ['sexual'], "
        "'domestic', '{\"notes\": \"Canary slept here\"}', 'h', 1, 1)")
    old.execute(
        "INSERT INTO quarantine VALUES (1, 1, 'reports', 'f.csv', 2, '[]', "
        "'{\"source\": \"po\", \"report_id\": \"R2\", \"sector\": \"Canarysector\"}', "
        "'po' || chr(31) || 'R2')")
    old.close()
    monkeypatch.undo()
    db = Database(path)
    assert "0005_intake_without_clear_values" in db.applied_migrations()
    assert db.rows("SELECT birth_year, birth_month, age_at_report, dob_token, extra "
                   "FROM reports") == [(1987, 11, 36, None, None)]
    assert db.rows("SELECT row_data->>'report_id', row_data->>'withheld' FROM quarantine") == [
        ("R2", "true")]
    assert sql_canaries(db) == []
    db.close()


def _old_age_groups(realistic_store) -> dict[int, dict[str, int]]:
    """Age groups by the rule of before the tokens, from the synthetic files' clear dates:
    the most recent date of birth of the year, the age on the year's first report date."""
    from collections import defaultdict

    from thbmonitor.ingest.staging import parse_date

    with Database(realistic_store.db_path, read_only=True) as db:
        person = {(s, r): p for s, r, p in db.rows(
            "SELECT source, report_id, person_id FROM person_reports")}
    years: dict[tuple[int, str], list[tuple]] = defaultdict(list)
    with realistic_store.synth.files["reports"].open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            source, report_id = row["source"].strip().lower(), row["report_id"].strip()
            reported = parse_date(row["report_date"])[0]
            born = parse_date(row["date_of_birth"])[0] if row["date_of_birth"].strip() else None
            year = int(row["birth_year"]) if row["birth_year"].strip() else None
            pid = person.get((source, report_id), f"report:{source}/{report_id}")
            years[(reported.year, pid)].append(
                ((reported, source, report_id), born, year or (born.year if born else None)))
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (yr, _), reports in years.items():
        first = min(r[0][0] for r in reports)
        dated = [r for r in reports if r[1] is not None]
        with_year = [r for r in reports if r[2] is not None]
        if dated:
            born = max(dated)[1]
            age = first.year - born.year - ((first.month, first.day) < (born.month, born.day))
            group = "minor" if age < 18 else "adult"
        elif with_year:
            birth_year = max(with_year)[2]
            late = 0 if (first.month, first.day) == (12, 31) else 1
            group = ("minor" if yr - birth_year < 18 else
                     "adult" if yr - birth_year - late >= 18 else "unknown")
        else:
            group = "unknown"
        counts[yr][group] += 1
    return counts


def test_demo_age_groups_unchanged_by_the_birth_tokens(realistic_store, realistic_figures):
    """The figures count minors exactly as before on the demo: the age on the first report
    from the age at the report date equals the age from the clear date of birth."""
    old = _old_age_groups(realistic_store)
    series = realistic_figures["series"]
    assert len(series) >= 5
    for entry in series:
        new = entry["victims"]["by"]["age_group"]
        assert new == {g: old[entry["year"]].get(g, 0) for g in new}, entry["year"]
    assert sum(e["victims"]["by"]["age_group"]["minor"] for e in series) > 50
