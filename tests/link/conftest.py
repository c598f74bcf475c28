"""Linked data sets, built once per test session (training is the slow part).

* `synth_linked`: the demo data (default seed, scale 1) imported through the
  normal import path and linked with the default settings: the session's
  realistic store of tests/conftest.py, with its ground truth;
* `small_set`: a quarter-scale synthetic set, imported but not linked, for
  tests that link (or train) themselves.

Tests that change a database copy it first (`link_data.copy_db`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

HERE = str(Path(__file__).parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from link_data import Linked, ground_truth, import_synth  # noqa: E402


@pytest.fixture(scope="session")
def synth_linked(realistic_store: Any) -> Linked:
    """The session's realistic store (tests/conftest.py): the same data, built once."""
    truth, totals = ground_truth(realistic_store.synth)
    return Linked(realistic_store.pristine_path, truth, totals, realistic_store.link)


@pytest.fixture(scope="session")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> Linked:
    base = tmp_path_factory.mktemp("link-small")
    db_path = base / "thb.duckdb"
    truth, totals = import_synth(base / "files", db_path, scale=0.25)
    return Linked(db_path, truth, totals, None)
