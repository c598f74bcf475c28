"""Shared fixtures: a deployment key and databases on real DuckDB files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


# -- the synthetic demo data, imported and linked once per session ---------------
SEED = 20241016
YEAR = 2024


def build_realistic_store(directory: Path) -> Path:
    """The synthetic data set (seed 20241016) through the normal import path, linked.

    Built once per test session and shared by the suites that need realistic data.
    """
    from thbmonitor.ingest import IMPORT_ORDER, import_file
    from thbmonitor.link import link_persons
    from thbmonitor.synth import generate

    path = directory / "thb.duckdb"
    done = directory / "complete"
    if done.exists():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    result = generate(directory / "synth", seed=SEED)
    with Database(path) as db:
        for kind in IMPORT_ORDER:
            assert import_file(db, kind, result.files[kind], key=TEST_KEY).valid, kind
        link_persons(db)
    done.write_text("ok", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def realistic_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_realistic_store(tmp_path_factory.getbasetemp() / "realistic-store")


@pytest.fixture(scope="session")
def realistic_figures(realistic_db_path: Path) -> dict[str, Any]:
    from thbmonitor.figures import compute_figures

    with Database(realistic_db_path, create=False) as db:
        return compute_figures(db, YEAR).to_dict()


@pytest.fixture
def realistic_db(realistic_db_path: Path) -> Iterator[Database]:
    with Database(realistic_db_path, create=False) as db:
        yield db
