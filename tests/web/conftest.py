"""The web app over a copy of the realistic store, with one user per role.

The realistic store (tests/conftest.py) is built once per session; each test
module gets its own copy, because the app writes (sessions, audit, reports).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from thbmonitor.store import Database
from thbmonitor.web.app import create_app
from thbmonitor.web.identity import add_user

KEY = bytes.fromhex("5a" * 32)  # the realistic store's key (tests/conftest.py TEST_KEY)
PASSWORD = "a long test passphrase"
ROLES = ("registrar", "analyst", "publisher", "admin")
YEAR = 2024


@pytest.fixture(scope="session", autouse=True)
def cheap_argon2() -> Iterator[None]:
    """Argon2id with a small cost: the same code path, seconds less per sign-in."""
    from thbmonitor.web import identity

    identity.hasher(memory_cost=1024, time_cost=1)
    yield
    identity._HASHER = None


@dataclass
class WebStore:
    path: Path
    db: Database
    app: Any
    org: str
    other_org: str

    def client(self, role: str | None = None, **kwargs: Any) -> TestClient:
        """A client signed in as the user of `role` (anonymous when None)."""
        client = TestClient(self.app, **kwargs)
        if role is not None:
            response = client.post("/login", data={"username": role, "password": PASSWORD},
                                   follow_redirects=False)
            assert response.status_code == 303, response.text
        return client


def copy_store(source: Path, target_dir: Path) -> Path:
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / "thb.duckdb"
    shutil.copy(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copy(wal, target.with_name(target.name + ".wal"))
    return target


#: The app's figure and chart cache, shared by the test modules' copies of the same store:
#: its keys hold the store's version, so a copy that changed computes its own.
SHARED_CACHE: dict[Any, Any] = {}


def open_web_store(path: Path) -> WebStore:
    db = Database(path, create=False)
    org = str(db.scalar("SELECT left_source FROM link_review GROUP BY 1 "
                        "ORDER BY count(*) DESC, 1 LIMIT 1"))
    other = str(db.scalar("SELECT source FROM organisations WHERE source <> ? ORDER BY 1 "
                          "LIMIT 1", [org]))
    add_user(db, "registrar", "registrar", PASSWORD, org=org)
    add_user(db, "other-registrar", "registrar", PASSWORD, org=other)
    for role in ROLES[1:]:
        add_user(db, role, role, PASSWORD)
    app = create_app(db, key=KEY)
    app.state.web.state.cache = SHARED_CACHE
    return WebStore(path, db, app, org, other)


@pytest.fixture(scope="module")
def web(realistic_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebStore]:
    path = copy_store(realistic_db_path, tmp_path_factory.mktemp("web-store"))
    store = open_web_store(path)
    yield store
    store.db.close()


def counts(db: Database) -> dict[str, int]:
    """Rows of every table that a write could change."""
    tables = ("reports", "quarantine", "link_decisions", "users", "imports", "organisations")
    return {t: int(db.scalar(f"SELECT count(*) FROM {t}")) for t in tables}
