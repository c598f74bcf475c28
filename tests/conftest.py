"""Shared fixtures: a deployment key and databases on real DuckDB files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from thbmonitor.store import Database

TEST_KEY = bytes.fromhex("5a" * 32)


@pytest.fixture
def key() -> bytes:
    return TEST_KEY


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "thb.duckdb"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = Database(db_path)
    yield database
    database.close()


@pytest.fixture
def thb_env(monkeypatch: pytest.MonkeyPatch, db_path: Path) -> Path:
    """Environment for CLI tests: $THB_DB set, $THB_KEY unset (the key file is used)."""
    monkeypatch.setenv("THB_DB", str(db_path))
    monkeypatch.delenv("THB_KEY", raising=False)
    return db_path
