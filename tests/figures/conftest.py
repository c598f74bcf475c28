"""Figures tests: the hand-made store, and the helper modules importable in any import mode."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = str(Path(__file__).parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from figures_builder import StoreBuilder, build_small_store  # noqa: E402

from thbmonitor.store import Database  # noqa: E402


@pytest.fixture
def small_store() -> Iterator[StoreBuilder]:
    """The hand-made store of `build_small_store`, in memory."""
    db = Database(":memory:")
    try:
        yield build_small_store(StoreBuilder(db))
    finally:
        db.close()
