"""The web app under 50 concurrent users: dashboard JSON and review queue, beside /healthz.

Data: the demo data set (synthetic, seed 20241016) imported and linked
through the normal path. The server is `thb serve` in its own process
(uvicorn, one worker), as in production; the clients are 50 asyncio tasks
with httpx in this process, each sending its requests one after another,
with an API token (`Authorization: Bearer`).

Measured per endpoint: 50 clients x 20 requests, latency p50/p95/max,
throughput and errors (any status other than 200), in two models: users
who pause between requests (the target's model) and a closed loop without
pauses (saturation). `/healthz` answers without the store and is the
baseline: what the HTTP stack alone costs at this concurrency. The dashboard is warmed first (its protected figures are
computed once per store version and cached); the review queue is kept per
organisation and queue version, and every review request still writes its
audit entry before answering. Targets: p95 <= 100 ms and 0 errors.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.results import write_section
from thbmonitor.ingest import IMPORT_ORDER, import_file
from thbmonitor.link import link_persons
from thbmonitor.store import Database
from thbmonitor.synth import generate
from thbmonitor.web.identity import add_user, create_token

KEY = bytes.fromhex("3c" * 32)
CLIENTS = int(os.environ.get("BENCH_WEB_CLIENTS", "50"))
REQUESTS = int(os.environ.get("BENCH_WEB_REQUESTS", "20"))
#: Mean pause between one user's requests in the users model (seconds): a fast clicker;
#: 50 such users offer about 50 requests a second.
THINK_S = float(os.environ.get("BENCH_WEB_THINK_S", "1.0"))
TARGET_P95_MS = 100.0


def _store(directory: Path) -> tuple[Path, str, str]:
    path = directory / "thb.duckdb"
    data = generate(directory / "synth", seed=20241016)
    with Database(path) as db:
        for kind in IMPORT_ORDER:
            assert import_file(db, kind, data.files[kind], key=KEY).valid, kind
        link_persons(db)
        org = str(db.scalar("SELECT left_source FROM link_review GROUP BY 1 "
                            "ORDER BY count(*) DESC, 1 LIMIT 1"))
        add_user(db, "bench-registrar", "registrar", "bench password 123", org=org)
        add_user(db, "bench-analyst", "analyst", "bench password 123")
        registrar = create_token(db, "bench-registrar")
        analyst = create_token(db, "bench-analyst")
    path.with_name(path.name + ".key").unlink(missing_ok=True)
    return path, registrar, analyst


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _load(base: str, path: str, token: str, clients: int, requests: int,
                think_s: float = 0.0) -> dict[str, float]:
    """`clients` tasks, each sending `requests` one after another; `think_s` > 0: each
    waits a random time (exponential, that mean; seeded) before every request, as a user
    reading the page does, else none (a closed loop: the server's saturation)."""
    import random

    import httpx

    pause = random.Random(20241016)

    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60,
                                 headers={"Authorization": f"Bearer {token}"}) as client:

        async def one_client() -> None:
            nonlocal errors
            for _ in range(requests):
                if think_s > 0:
                    await asyncio.sleep(pause.expovariate(1 / think_s))
                start = time.perf_counter()
                try:
                    response = await client.get(path)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - start) * 1000)
                errors += 0 if ok else 1

        began = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        wall = time.perf_counter() - began
    ordered = sorted(latencies)
    return {"requests": len(ordered), "errors": errors,
            "p50": statistics.median(ordered),
            "p95": ordered[max(0, int(round(0.95 * len(ordered))) - 1)],
            "max": ordered[-1], "rps": len(ordered) / wall}


def run() -> None:
    import httpx

    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        path, registrar, analyst = _store(Path(tmp))
        port = _free_port()
        env = {**os.environ, "THB_KEY": KEY.hex()}
        server = subprocess.Popen(
            [sys.executable, "-m", "thbmonitor.cli", "serve", "--db", str(path),
             "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            else:
                raise RuntimeError("the server did not start")
            warm = time.perf_counter()
            assert httpx.get(f"{base}/dashboard.json", timeout=300,
                             headers={"Authorization": f"Bearer {analyst}"}).status_code == 200
            warm_s = time.perf_counter() - warm
            rows = {}
            for model, clients, requests, think in (("one client", 1, 100, 0.0),
                                                     ("users", CLIENTS, REQUESTS, THINK_S),
                                                     ("closed loop", CLIENTS, REQUESTS, 0.0)):
                for name, url, token in (
                        ("/healthz (baseline)", "/healthz", analyst),
                        ("/dashboard.json", "/dashboard.json", analyst),
                        ("/review.json (audited)", "/review.json", registrar)):
                    key = (name, model, clients)
                    rows[key] = asyncio.run(_load(base, url, token, clients, requests, think))
                    print(key, {k: round(v, 1) for k, v in rows[key].items()}, flush=True)
            load = os.getloadavg()[0]
        finally:
            server.terminate()
            server.wait(timeout=30)
    lines = [f"## Web app: {CLIENTS} concurrent users, {REQUESTS} requests each",
             "",
             "| endpoint | model | clients | requests | errors | p50 (ms) | p95 (ms) | "
             "max (ms) | requests/s |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for (name, model, clients), r in rows.items():
        lines.append(f"| `{name}` | {model} | {clients} | {r['requests']:.0f} "
                     f"| {r['errors']:.0f} | {r['p50']:.0f} | {r['p95']:.0f} "
                     f"| {r['max']:.0f} | {r['rps']:.0f} |")

    def verdict(model: str) -> str:
        target = {n: r for (n, m, _c), r in rows.items() if m == model}
        met = [n for n, r in target.items() if r["p95"] <= TARGET_P95_MS and r["errors"] == 0]
        missed = [n for n in target if n not in met]
        return ("met for every endpoint" if not missed else
                f"met for {', '.join(met) or 'none'}; missed for {', '.join(missed)}")

    lines += ["", f"Models: *one client* gives the service time; *users* are {CLIENTS} "
                  f"users each pausing a random time (exponential, mean {THINK_S:g} s) "
                  f"before every request, as a person reading a page does (about "
                  f"{CLIENTS / THINK_S:.0f} requests a second offered); the *closed loop* "
                  f"has the {CLIENTS} clients send without a pause, which measures the "
                  "server's saturation: its p95 is the queue of 50 on one store "
                  "connection, about 50 times the service time.",
              "", f"Server: `thb serve` (one uvicorn process, one store connection behind a "
                  f"lock) over the demo store; clients: httpx/asyncio in another process on "
                  f"the same machine. The dashboard's first answer (protected figures "
                  f"computed, then cached): {warm_s:.1f} s; its JSON is then kept encoded "
                  f"per store version. Load average of the machine during the run: "
                  f"{load:.1f} on {os.cpu_count()} cores.",
              "", f"Target p95 <= {TARGET_P95_MS:.0f} ms and 0 errors at {CLIENTS} users: "
                  f"{verdict('users')}. In the closed loop: {verdict('closed loop')}."]
    write_section("web", "\n".join(lines))
