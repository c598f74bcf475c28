"""Disclosure tests: the synthetic demo data imported, linked and counted once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from thbmonitor.figures import compute_figures
from thbmonitor.ingest import IMPORT_ORDER, import_file
from thbmonitor.link import link_persons
from thbmonitor.store import Database
from thbmonitor.synth import generate

TEST_KEY = bytes.fromhex("5a" * 32)
SEED = 20241016
YEAR = 2024


def build_realistic_store(directory: Path) -> Path:
    """The synthetic data set (seed 20241016) through the normal import path, linked.

    Built once per test session (the disclosure and export tests share it).
    """
    path = directory / "thb.duckdb"
    done = directory / "complete"
    if done.exists():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    result = generate(directory / "synth", seed=SEED)
    with Database(path) as db:
        for kind in IMPORT_ORDER:
            import_file(db, kind, result.files[kind], key=TEST_KEY, partial=True)
        link_persons(db)
    done.write_text("ok", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def realistic_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_realistic_store(tmp_path_factory.getbasetemp() / "realistic-store")


@pytest.fixture(scope="session")
def realistic_figures(realistic_db_path: Path) -> dict[str, Any]:
    with Database(realistic_db_path, create=False) as db:
        return compute_figures(db, YEAR).to_dict()


@pytest.fixture
def realistic_db(realistic_db_path: Path) -> Iterator[Database]:
    with Database(realistic_db_path, create=False) as db:
        yield db
