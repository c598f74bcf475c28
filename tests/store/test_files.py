"""Issue 11 item 1 (second half): the store's files are private; leftovers are removed.

Before: the store, its WAL and DuckDB's spill files (`<store>.tmp/duckdb_temp_*.tmp`)
were created with the umask (0644 under the usual 022), and a killed import left
8-423 MB of spill files until the next open.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from thbmonitor.store import open_store
from thbmonitor.store.files import temp_dir, wal_path


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask(monkeypatch) -> Iterator[None]:
    """A permissive umask (0000), restored after the test."""
    monkeypatch.delenv("THB_KEY", raising=False)
    old = os.umask(0)
    yield
    os.umask(old)


def test_store_wal_key_and_temp_folder_are_private_whatever_the_umask(tmp_path, open_umask):
    path = tmp_path / "new" / "thb.duckdb"
    with open_store(path, "create") as store:
        store.db.execute("CREATE TABLE t AS SELECT range AS x FROM range(10)")  # a WAL
        assert wal_path(path).exists() and _mode(wal_path(path)) == 0o600
        # Spill: a temp table larger than the memory limit goes to <store>.tmp/.
        for setting in ("memory_limit = '64MB'", "threads = 1",
                        "preserve_insertion_order = false"):
            store.db.execute(f"SET {setting}")
        store.db.execute("CREATE TEMP TABLE big AS SELECT md5(range::VARCHAR) || "
                         "md5((range + 1)::VARCHAR) AS h FROM range(1200000)")
        spilled = list(temp_dir(path).iterdir())
        assert spilled, "the test must make DuckDB spill"
        assert _mode(temp_dir(path)) == 0o700
        assert {_mode(f) for f in spilled} == {0o600}
    assert _mode(path) == 0o600
    assert _mode(path.with_name("thb.duckdb.key")) == 0o600
    assert _mode(path.parent) == 0o700, "a folder THB Monitor makes is private"


def test_an_existing_store_readable_by_others_is_tightened_at_open(tmp_path, open_umask):
    path = tmp_path / "thb.duckdb"
    with open_store(path, "create"):
        pass
    os.chmod(path, 0o644)
    with open_store(path, "write"):
        pass
    assert _mode(path) == 0o600


def test_leftover_spill_files_and_half_made_stores_are_removed_at_open(tmp_path, open_umask):
    path = tmp_path / "thb.duckdb"
    with open_store(path, "create"):
        pass
    folder = temp_dir(path)
    folder.mkdir(exist_ok=True)
    spill = folder / "duckdb_temp_storage_S32K-0.tmp"
    spill.write_bytes(b"pseudonymised intermediate results" * 100)
    dead = 2 ** 22 + 12345  # above pid_max's usual default: no such process
    half = tmp_path / f".thb.duckdb.creating-{dead}"
    half.write_bytes(b"half a store")
    with open_store(path, "read"):
        assert spill.exists(), "a read-only open never deletes (another may be writing)"
    with open_store(path, "write"):
        assert not spill.exists() and not half.exists()
