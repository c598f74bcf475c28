"""Docs are tested: every error code, column, vocabulary value and command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from thbmonitor.cli import app
from thbmonitor.ingest import CATALOGUE, KINDS

ROOT = Path(__file__).parents[2]
DATA_FORMATS = (ROOT / "docs" / "data-formats.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
ALL_DOCS = README + "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_error_code_is_documented(code):
    assert f"`{code}`" in DATA_FORMATS


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_column_and_vocabulary_value_is_documented(kind):
    section = DATA_FORMATS.split(f"## {kind}\n", 1)[1].split("\n## ", 1)[0]
    for column in KINDS[kind].columns:
        assert f"`{column.name}`" in section, column.name
        for value in column.vocabulary:
            assert f"`{value}`" in section, (column.name, value)


def _commands() -> list[str]:
    click_app = typer.main.get_command(app)
    names = []
    for name, command in click_app.commands.items():  # type: ignore[attr-defined]
        names.append(name)
        for sub in getattr(command, "commands", {}):
            names.append(f"{name} {sub}")
    return names


def test_every_command_appears_in_the_docs():
    missing = [c for c in _commands() if f"thb {c}" not in ALL_DOCS]
    assert not missing, f"undocumented commands: {missing}"


def test_every_setting_is_documented_with_its_default():
    import json

    import thbmonitor.patterns  # noqa: F401  (declares its settings on import)
    from thbmonitor.store import SETTINGS

    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"| `{setting.name}` | `{json.dumps(setting.default)}` |" in text, setting.name


def test_readme_quick_start_is_the_two_make_commands():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    assert re.search(r"^make demo\b", quick, re.M) and re.search(r"^make test\b", quick, re.M)


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
