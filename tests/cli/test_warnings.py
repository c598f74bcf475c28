"""Python warnings never reach stderr raw from `thb estimate` or `thb report`.

Reproduced defect (issue #10): `RuntimeWarning: overflow encountered in matmul` and
`SparseDataWarning` lines with source paths leaked to stderr. Now the estimator's caveats
are the result's `warnings` (printed by the command) and anything else is one note line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from thbmonitor.cli import run
from thbmonitor.store import Database

#: What Python's default warning display writes: `path/to/file.py:123: SomeWarning: ...`.
RAW_WARNING = re.compile(r"\.py:\d+: \w*Warning")

#: Capture patterns of a sparse three-list year: police, ngo and care never all overlap.
PATTERNS = [(("police",), 30), (("ngo",), 5), (("care_coordinator",), 4),
            (("police", "ngo"), 3), (("police", "care_coordinator"), 2)]


@pytest.fixture(scope="module")
def sparse_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sparse") / "thb.duckdb"
    with Database(path) as db:
        number = person = 0
        for lists, count in PATTERNS:
            for _ in range(count):
                person += 1
                for source_type in lists:
                    number += 1
                    db.execute(
                        "INSERT INTO reports (source, report_id, source_type, report_date, "
                        "exploitation, scope, row_hash, import_id, row_number, sex) VALUES "
                        "(?, ?, ?, '2024-03-01', ['sexual'], 'domestic', 'h', 1, 1, 'female')",
                        [source_type, str(number), source_type])
                    db.execute("INSERT INTO person_reports VALUES (?, ?, ?)",
                               [source_type, str(number), f"P{person}"])
    return path


def _thb(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("THB_KEY", "THB_DB")}
    env.pop("PYTHONWARNINGS", None)
    return subprocess.run([sys.executable, "-m", "thbmonitor.cli", *args], capture_output=True,
                          text=True, env=env, check=False, timeout=300, cwd=cwd)


def test_estimate_shows_the_caveat_once_and_no_raw_warning(sparse_store, tmp_path):
    # one year, stepwise: the sparse table's caveats (the default pools years and refuses
    # 44 victims as too few, which tests/estimate/test_guards.py covers)
    result = _thb("estimate", "--year", "2024", "--db", str(sparse_store), "--method",
                  "stepwise", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not RAW_WARNING.search(result.stderr), result.stderr
    assert "warnings.warn" not in result.stderr
    # the guard's reason, once, as a sentence (44 victims are too few for any method)
    assert result.stdout.count("no estimate for 2024") == 1 and "at least 50" in result.stdout


def test_report_writes_no_raw_warning(sparse_store, tmp_path):
    result = _thb("report", "--year", "2024", "--db", str(sparse_store), "--lang", "en",
                  "--out", str(tmp_path / "r.html"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not RAW_WARNING.search(result.stderr), result.stderr
    assert (tmp_path / "r.html").exists()


def test_other_warnings_become_one_note_line(sparse_store, monkeypatch, capsys):
    """A NumPy overflow inside the computation: one `note:` line, not Python's display."""
    import thbmonitor.estimate as darkfigure

    real = darkfigure.estimate_dark_figure

    def overflowing(*args, **kwargs):
        big = np.full((2, 2), 1e308)
        _ = big @ big  # RuntimeWarning: overflow encountered in matmul
        warnings.warn("overflow encountered in exp", RuntimeWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(darkfigure, "estimate_dark_figure", overflowing)
    code = run(["estimate", "--year", "2024", "--db", str(sparse_store), "--nboot", "20",
                "--method", "stepwise"])
    err = capsys.readouterr().err
    assert code == 0
    notes = [line for line in err.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "RuntimeWarning: overflow encountered in matmul" in notes[0]
    assert not RAW_WARNING.search(err)
