"""docs/patterns.md documents every pattern setting with its default, and every command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from thbmonitor.patterns import PATTERN_SETTINGS
from thbmonitor.store import SETTINGS

DOC = (Path(__file__).parents[2] / "docs" / "patterns.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", PATTERN_SETTINGS)
def test_every_setting_is_documented_with_its_default(name):
    default = SETTINGS.get(name).default
    assert f"`{name}`" in DOC
    assert f"`{json.dumps(default)}`" in DOC or f"`{default}`" in DOC, (name, default)


@pytest.mark.parametrize("command", ["carousel", "networks", "explain", "fairness"])
def test_every_command_is_documented(command):
    assert f"thb patterns {command}" in DOC
