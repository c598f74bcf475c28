"""Shared fixtures: a deployment key and databases on real DuckDB files."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from thbmonitor.store import Database

if TYPE_CHECKING:
    from thbmonitor.link import LinkResult
    from thbmonitor.synth import SynthResult

TEST_KEY = bytes.fromhex("5a" * 32)


@pytest.fixture
def key() -> bytes:
    return TEST_KEY


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "thb.duckdb"


@pytest.fixture
def db() -> Iterator[Database]:
    """An empty store in memory: for tests that need no file (those use `db_path`)."""
    database = Database(":memory:")
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


@dataclass(frozen=True)
class RealisticStore:
    """The realistic store: its file, the synthetic files it was imported from, the link."""

    db_path: Path
    synth: SynthResult
    link: LinkResult
    #: A copy taken right after the build, for tests that assert on the store exactly as
    #: built (the audit log, the link runs), whatever other suites read before them.
    pristine_path: Path


def build_realistic_store(directory: Path) -> RealisticStore:
    """The synthetic data set (seed 20241016, scale 1) through the normal import path, linked.

    Built once per test session (`realistic_store`) and shared by every suite that needs
    realistic data; a test that writes works on a copy (`realistic_copy`).
    """
    from thbmonitor.ingest import IMPORT_ORDER, import_file
    from thbmonitor.link import link_persons
    from thbmonitor.synth import generate

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "thb.duckdb"
    synth = generate(directory / "synth", seed=SEED)
    with Database(path) as db:
        for kind in IMPORT_ORDER:
            assert import_file(db, kind, synth.files[kind], key=TEST_KEY).valid, kind
        link = link_persons(db)
    pristine = directory / "pristine" / "thb.duckdb"
    pristine.parent.mkdir()
    shutil.copyfile(path, pristine)
    return RealisticStore(path, synth, link, pristine)


@pytest.fixture(scope="session")
def realistic_store(tmp_path_factory: pytest.TempPathFactory) -> RealisticStore:
    """Built once per session; never write to it (use `realistic_copy`)."""
    return build_realistic_store(tmp_path_factory.getbasetemp() / "realistic-store")


@pytest.fixture(scope="session")
def realistic_db_path(realistic_store: RealisticStore) -> Path:
    return realistic_store.db_path


@pytest.fixture
def realistic_copy(realistic_store: RealisticStore, tmp_path: Path) -> Path:
    """A private copy of the realistic store as built, with its key file (mode 0600), to
    change (the shared file is never written to)."""
    target = tmp_path / "realistic" / "thb.duckdb"
    target.parent.mkdir()
    shutil.copyfile(realistic_store.pristine_path, target)
    key_file = target.with_name(target.name + ".key")
    key_file.write_text(TEST_KEY.hex() + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    return target


@pytest.fixture(scope="session")
def realistic_figures(realistic_db_path: Path) -> dict[str, Any]:
    from thbmonitor.figures import compute_figures

    with Database(realistic_db_path, read_only=True) as db:
        return compute_figures(db, YEAR).to_dict()


@pytest.fixture
def realistic_db(realistic_db_path: Path) -> Iterator[Database]:
    with Database(realistic_db_path, create=False) as db:
        yield db
