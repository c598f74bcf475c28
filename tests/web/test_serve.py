"""`thb serve` as a real process, and DuckDB's single writer: the CLI refuses meanwhile."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx

from thbmonitor.store import Database
from thbmonitor.web.identity import add_user

from .conftest import KEY, PASSWORD


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _thb(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "thbmonitor.cli", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120)


def test_thb_serve_answers_and_the_cli_waits_its_turn(tmp_path):
    path = tmp_path / "thb.duckdb"
    with Database(path) as db:
        db.check_key(KEY)
        add_user(db, "analyst", "analyst", PASSWORD)
    env = {**os.environ, "THB_KEY": KEY.hex()}
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "thbmonitor.cli", "serve", "--db",
                               str(path), "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "thb serve did not start"
                time.sleep(0.2)
        client = httpx.Client(base_url=base)
        signed = client.post("/login.json", data={"username": "analyst", "password": PASSWORD})
        assert signed.status_code == 200 and signed.json()["role"] == "analyst"
        assert client.get("/dashboard.json").json() == {"ok": True, "year": None,
                                                        "figures": None, "charts": []}
        # the server holds the store: a writing command is refused cleanly, nothing changes
        refused = _thb("users", "add", "late", "--role", "admin", "--db", str(path), env=env,
                       stdin=PASSWORD + "\n")
        assert refused.returncode == 1
        assert "another process" in refused.stderr and "Traceback" not in refused.stderr
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "Traceback" not in (server.stderr.read() if server.stderr else "")
    with Database(path) as db:
        assert db.scalar("SELECT count(*) FROM users WHERE login = 'late'") == 0
    # once the server has stopped, the command works
    assert _thb("users", "add", "late", "--role", "admin", "--db", str(path), env=env,
                stdin=PASSWORD + "\n").returncode == 0
