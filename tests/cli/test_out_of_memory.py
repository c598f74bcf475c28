"""DuckDB out of the store's memory limit (`THB_MEMORY_LIMIT`): a sentence, not a traceback.

Found by bench/bench_spark.py: `compute_figures` on 5,399,072 reports stopped with DuckDB's
`OutOfMemoryException` and its traceback under the default limit of 2 GB. Here the limit
is made small enough for the demo's figures to run out of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from thbmonitor.cli.app import EXIT_INVALID, run
from thbmonitor.store import Database


def test_out_of_memory_says_what_to_set(realistic_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    with Database(realistic_copy, read_only=True) as db:
        runs = db.scalar("SELECT count(*) FROM link_runs")
    monkeypatch.setenv("THB_MEMORY_LIMIT", "1MB")
    code = run(["figures", "--db", str(realistic_copy), "--year", "2024", "--json"])
    err = capsys.readouterr().err
    assert code == EXIT_INVALID
    assert "Traceback" not in err and "OutOfMemory" not in err
    assert "THB_MEMORY_LIMIT=1MB" in " ".join(err.split())
    assert "THB_MEMORY_LIMIT=8GB" in " ".join(err.split())
    monkeypatch.delenv("THB_MEMORY_LIMIT")
    # the store is as it was, and the same command works with the limit back
    with Database(realistic_copy, read_only=True) as db:
        assert db.scalar("SELECT count(*) FROM link_runs") == runs
    assert run(["figures", "--db", str(realistic_copy), "--year", "2024", "--json"]) == 0
