"""Shared fixtures: a deployment key and databases on real DuckDB files."""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from filelock import FileLock

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


# -- the order of the files: longest first -------------------------------------------------

#: The test files that take longest (seconds on two quiet cores, measured in session 5), sent
#: to the workers first: with `--dist loadfile` a long file collected late (the demo's is
#: near the end of the alphabet) leaves one worker running it while the other is idle
#: (longest-processing-time-first scheduling). Files not named follow in collection order.
LONGEST_FILES = {
    "tests/test_demo.py": 230,
    "tests/web/test_browser.py": 75,
    "tests/link/test_link_runs.py": 70,
    "tests/web/test_routes.py": 60,
    "tests/publish/test_publication.py": 50,
    "tests/mse/test_mse_reference.py": 50,
    "tests/ingest/test_crash.py": 50,
    "tests/release/test_release_cycle.py": 40,
    "tests/web/test_intake.py": 40,
    "tests/patterns/test_quality.py": 35,
    "tests/link/test_link_febrl.py": 30,
    "tests/test_darkfigure.py": 25,
    "tests/store/test_encoding_attack.py": 25,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest files first (a stable sort: the order inside a file is kept)."""
    items.sort(key=lambda item: -LONGEST_FILES.get(item.nodeid.split("::")[0], 0))


# -- expensive fixtures built once per run, also across pytest-xdist workers ----------------
T = TypeVar("T")


def build_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], T]) -> T:
    """`build(directory)` once per test run, whatever the number of xdist workers.

    The first worker to ask builds into a folder every worker can see (the run's base
    folder) and pickles the result beside it; the others wait on a file lock and read
    it (the pattern pytest-xdist documents for session fixtures). Without xdist it is an
    ordinary once-per-session build. What it builds is read-only: DuckDB lets one
    process write a file, so each worker works on its own copy (`private_copy`).
    """
    base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by the workers of this run
    done = base / f"{name}.pickle"
    with FileLock(str(base / f"{name}.lock")):
        if done.exists():
            return pickle.loads(done.read_bytes())  # noqa: S301 (written by this run)
        value = build(base / name)
        done.write_bytes(pickle.dumps(value))
        return value


def private_copy(path: Path, factory: pytest.TempPathFactory, name: str) -> Path:
    """This worker's own copy of a DuckDB file built by `build_once`, with its key file."""
    target = factory.mktemp(name) / path.name
    shutil.copyfile(path, target)
    key = path.with_name(path.name + ".key")
    if key.exists():
        shutil.copyfile(key, target.with_name(target.name + ".key"))
        target.with_name(target.name + ".key").chmod(0o600)
    return target


@dataclass(frozen=True)
class Once:
    """`build_once` and `private_copy` for the session fixtures of any test folder."""

    factory: pytest.TempPathFactory

    def build(self, name: str, build: Callable[[Path], T]) -> T:
        return build_once(self.factory, name, build)

    def copy(self, path: Path, name: str) -> Path:
        return private_copy(path, self.factory, name)


@pytest.fixture(scope="session")
def once(tmp_path_factory: pytest.TempPathFactory) -> Once:
    return Once(tmp_path_factory)


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
        # The suites that read this store's dark figure (web pages, the published release,
        # the report) check what is shown and where, not the interval's Monte-Carlo
        # precision: 200 replicates instead of 1,000 take a fifth of the time. The bootstrap
        # itself is tested in tests/mse and tests/estimate with its own replicates, and the
        # demo (tests/test_demo.py) keeps the default.
        db.set_setting("estimate.bootstrap_replicates", 200, actor="tests")
    pristine = directory / "pristine" / "thb.duckdb"
    pristine.parent.mkdir()
    shutil.copyfile(path, pristine)
    return RealisticStore(path, synth, link, pristine)


@pytest.fixture(scope="session")
def realistic_store(tmp_path_factory: pytest.TempPathFactory) -> RealisticStore:
    """Built once per run; never write to it (use `realistic_copy`). Each xdist worker
    reads its own copy of the file (DuckDB allows one writing process per file)."""
    built = build_once(tmp_path_factory, "realistic-store", build_realistic_store)
    return replace(built, db_path=private_copy(built.db_path, tmp_path_factory, "realistic"))


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
