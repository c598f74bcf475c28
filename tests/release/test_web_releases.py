"""`/releases` on a real `thb serve` process (CONTRACTS §6): roles, JSON twins, the freeze."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from thbmonitor.store import Database
from thbmonitor.web.identity import add_user

from .conftest import KEY

PASSWORD = "a long test passphrase"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(two_releases_copy: Path) -> Iterator[tuple[str, Path]]:
    from thbmonitor.web import identity

    identity.hasher(memory_cost=1024, time_cost=1)  # only for adding the users quickly
    with Database(two_releases_copy) as db:
        for role in ("registrar", "analyst", "publisher", "admin"):
            add_user(db, role, role, PASSWORD, org="police-oost" if role == "registrar"
                     else None)
        # One organisation type left: the freeze below has no dark figure to estimate, so
        # this test stays quick; every other step of the release is the real one.
        db.execute("UPDATE reports SET source_type = 'police'")
    identity._HASHER = None
    env = {**os.environ, "THB_KEY": KEY.hex()}
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "thbmonitor.cli", "serve", "--db",
                                str(two_releases_copy), "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "thb serve did not start"
                time.sleep(0.3)
        yield base, two_releases_copy
    finally:
        process.terminate()
        process.wait(timeout=30)


def _client(base: str, role: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=300)
    signed = client.post("/login.json", data={"username": role, "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    return client


def test_releases_by_role_and_a_freeze_by_the_publisher(server) -> None:
    base, _path = server
    analyst, publisher, registrar = (_client(base, r) for r in
                                     ("analyst", "publisher", "registrar"))
    listed = analyst.get("/releases.json").json()
    assert listed["ok"] and [r["release_id"] for r in listed["releases"]] == ["2024-1",
                                                                              "2024-2"]
    assert all(r["intact"] for r in listed["releases"])
    with_revisions = analyst.get("/releases.json?year=2024").json()
    assert with_revisions["revisions"]["releases"] == ["2024-1", "2024-2"]
    assert any(c["path"] == "victims.total" for c in with_revisions["revisions"]["revisions"])
    page = analyst.get("/releases")
    assert page.status_code == 200 and 'id="releases"' in page.text
    assert 'id="freeze"' not in page.text  # analysts view, publishers freeze
    assert registrar.get("/releases.json").status_code == 403
    # an analyst cannot freeze; a publisher must confirm; another origin is refused
    assert analyst.post("/releases/2024.json", data={"confirm": "2024"}).status_code == 403
    assert publisher.post("/releases/2024.json", data={"confirm": "2023"}).status_code == 422
    foreign = publisher.post("/releases/2024.json", data={"confirm": "2024"},
                             headers={"Origin": "https://elsewhere.example"})
    assert foreign.status_code == 403
    assert 'id="freeze"' in publisher.get("/releases").text
    frozen = publisher.post("/releases/2024.json", data={"confirm": "2024"})
    assert frozen.status_code == 201, frozen.text
    body = frozen.json()
    assert body["ok"] and body["release_id"] == "2024-3"
    assert body["protected_with"] == ["2024-1", "2024-2"]
    after = analyst.get("/releases.json").json()["releases"]
    assert [r["release_id"] for r in after] == ["2024-1", "2024-2", "2024-3"]
    assert publisher.post("/releases/1999.json", data={"confirm": "1999"}).status_code == 404
    admin = _client(base, "admin")
    entries = admin.get("/audit.json").json()["entries"]
    frozen_entries = [e for e in entries if e["action"] == "release.create"
                      and e["resource"] == "2024-3"]
    assert len(frozen_entries) == 1 and frozen_entries[0]["actor"] == "web:publisher"
    assert frozen_entries[0]["detail"]["content_hash"] == body["content_hash"]
    for client in (analyst, publisher, registrar, admin):
        client.close()
