from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).with_name("fixtures")


@pytest.fixture
def fixture_file():
    def get(name: str) -> Path:
        path = FIXTURES / name
        assert path.exists(), name
        return path

    return get
