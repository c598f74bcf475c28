"""Shared synthetic data sets: generated once per test session (scale 1 takes about a second)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from thbmonitor.synth import SynthResult, generate


@pytest.fixture(scope="session")
def default_set(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    """The demo data set: default seed, scale 1."""
    return generate(tmp_path_factory.mktemp("synth-default"))


def read(path: Path) -> pd.DataFrame:
    """A CSV as text columns, empty cells as empty strings."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="session")
def tables(default_set: SynthResult) -> dict[str, pd.DataFrame]:
    """Every public file and ground-truth file of the default set, read as text."""
    out = {name: read(path) for name, path in default_set.files.items()}
    out.update({f"gt_{name}": read(path) for name, path in default_set.ground_truth.items()})
    return out
