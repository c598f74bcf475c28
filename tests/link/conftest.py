"""Linked data sets, built once per test session (training is the slow part).

* `synth_linked`: the demo data (default seed, scale 1) imported through the
  normal import path and linked with the default settings;
* `small_set`: a quarter-scale synthetic set, imported but not linked, for
  tests that link (or train) themselves.

Tests that change a database copy it first (`link_data.copy_db`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = str(Path(__file__).parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from link_data import Linked, import_synth  # noqa: E402

from thbmonitor.link import link_persons  # noqa: E402
from thbmonitor.store import Database  # noqa: E402


@pytest.fixture(scope="session")
def synth_linked(tmp_path_factory: pytest.TempPathFactory) -> Linked:
    base = tmp_path_factory.mktemp("link-synth")
    db_path = base / "thb.duckdb"
    truth, totals = import_synth(base / "files", db_path, scale=1.0)
    with Database(db_path) as db:
        result = link_persons(db)
    return Linked(db_path, truth, totals, result)


@pytest.fixture(scope="session")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> Linked:
    base = tmp_path_factory.mktemp("link-small")
    db_path = base / "thb.duckdb"
    truth, totals = import_synth(base / "files", db_path, scale=0.25)
    return Linked(db_path, truth, totals, None)
