"""The Parquet hand-off (`thb export parquet`, `thb import parquet`): no Spark needed."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from thbmonitor.cli import app
from thbmonitor.errors import DataError
from thbmonitor.store import Database
from thbmonitor.store.parquet import (
    EXCHANGE_TABLES,
    LINKED_TABLES,
    exchange_folder,
    export_parquet,
    import_parquet,
)

BLOOMS = ("given_bloom", "family_bloom", "name_bloom")


def _table(db: Database, table: str) -> list[tuple[object, ...]]:
    columns = ", ".join(f"{c}::VARCHAR" if c in BLOOMS else c for c, in db.rows(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position", [table]))
    return sorted(db.rows(f"SELECT {columns} FROM {table}"), key=repr)


def test_export_then_import_gives_the_store_back(realistic_copy: Path, tmp_path: Path) -> None:
    folder = tmp_path / "exchange"
    with Database(realistic_copy) as db:
        exported = export_parquet(db, folder)
        before = {t: _table(db, t) for t in EXCHANGE_TABLES}
        db.execute("DELETE FROM person_reports")
        db.execute("DELETE FROM persons")
        imported = import_parquet(db, folder, EXCHANGE_TABLES)
        after = {t: _table(db, t) for t in EXCHANGE_TABLES}
    assert exported.tables == imported.tables
    assert exported.tables["reports"] > 1000 and exported.tables["persons"] > 100
    assert after == before  # Bloom filters included, bit for bit


def test_bloom_filters_travel_as_64_bit_words(realistic_copy: Path, tmp_path: Path) -> None:
    with Database(realistic_copy) as db:
        export_parquet(db, tmp_path / "x", ("reports",))
        bits = db.scalar("SELECT given_bloom::VARCHAR FROM reports "
                         "WHERE given_bloom IS NOT NULL ORDER BY source, report_id LIMIT 1")
        first = db.scalar("SELECT min(source || '/' || report_id) FROM reports "
                          "WHERE given_bloom IS NOT NULL")
    schema = pq.read_schema(tmp_path / "x" / "reports.parquet")
    assert str(schema.field("given_bloom").type) == "list<element: int64>"
    table = pq.read_table(tmp_path / "x" / "reports.parquet").to_pandas()
    table = table[table.source + "/" + table.report_id == first]
    words = list(table.given_bloom.iloc[0])
    assert len(words) == -(-len(bits) // 64)
    # each word is 64 bits of the filter, most significant first (two's complement)
    again = "".join(format(int(w) & (2**64 - 1), "064b") for w in words)[:len(bits)]
    assert again == bits


def test_folder_is_private_and_named_by_the_store(realistic_copy: Path) -> None:
    with Database(realistic_copy) as db:
        result = export_parquet(db)
        assert result.folder == exchange_folder(db) == realistic_copy.with_name(
            realistic_copy.name + ".parquet")
    assert stat.S_IMODE(result.folder.stat().st_mode) == 0o700
    files = sorted(result.folder.iterdir())
    assert {f.name for f in files} == {f"{t}.parquet" for t in EXCHANGE_TABLES} | {
        "manifest.json"}
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)


def test_a_changed_file_is_refused_and_nothing_written(realistic_copy: Path,
                                                       tmp_path: Path) -> None:
    folder = tmp_path / "exchange"
    with Database(realistic_copy) as db:
        export_parquet(db, folder)
        persons = db.scalar("SELECT count(*) FROM persons")
        shutil.copyfile(folder / "link_review.parquet", folder / "persons.parquet")
        with pytest.raises(DataError, match=r"persons\.parquet.*SHA-256"):
            import_parquet(db, folder)
        assert db.scalar("SELECT count(*) FROM persons") == persons


def test_a_file_with_other_columns_is_refused(realistic_copy: Path, tmp_path: Path) -> None:
    folder = tmp_path / "exchange"
    with Database(realistic_copy) as db:
        export_parquet(db, folder, LINKED_TABLES)
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["tables"]["persons"]["columns"].append(["date_of_birth", "DATE"])
        (folder / "manifest.json").write_text(json.dumps(manifest))
        with pytest.raises(DataError, match="columns the store does not have: date_of_birth"):
            import_parquet(db, folder)


def test_cli_export_and_import(realistic_copy: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cluster"
    runner = CliRunner()
    out = runner.invoke(app, ["export", "parquet", "--db", str(realistic_copy), "--folder",
                              str(folder), "--json"])
    assert out.exit_code == 0, out.output
    exported = json.loads(out.stdout)
    assert exported["direction"] == "export" and set(exported["tables"]) == set(EXCHANGE_TABLES)
    out = runner.invoke(app, ["import", "parquet", str(folder), "--db", str(realistic_copy),
                              "--json"])
    assert out.exit_code == 0, out.output
    assert set(json.loads(out.stdout)["tables"]) == set(LINKED_TABLES)
    out = runner.invoke(app, ["import", "parquet", str(tmp_path / "nothing"), "--db",
                              str(realistic_copy)])
    assert out.exit_code == 2 and "manifest.json" in out.output
    assert "Traceback" not in out.output
