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


def _error_table() -> str:
    return DATA_FORMATS.split("## Error codes", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_error_code_has_its_example_message(code):
    """The docs show, for every code, the message the user sees (no empty placeholders)."""
    error_type = CATALOGUE[code]
    rows = [line for line in _error_table().splitlines() if line.startswith(f"| `{code}` |")]
    assert len(rows) == 1, code
    example = error_type.example()
    assert example.strip() and "{" not in example
    assert example.replace("|", "\\|") in rows[0], code


def test_the_error_table_has_no_empty_placeholder():
    table = _error_table()
    for bad in ("()", "  ", " ;", "''", "<column>", "<file>"):
        assert bad not in table, bad


def test_every_synonym_is_documented():
    section = DATA_FORMATS.split("## Synonyms and near misses", 1)[1].split("\n## ", 1)[0]
    for kind in KINDS.values():
        for column in kind.columns:
            for alias, value in column.aliases:
                assert f"`{alias}`" in section, (column.name, alias)
                assert value in column.vocabulary


def test_every_vocabulary_value_has_a_synonym():
    """Dutch and English: each controlled value is accepted in at least one other word."""
    for kind in KINDS.values():
        for column in kind.columns:
            if column.vocabulary and column.name != "source":
                covered = {value for _, value in column.aliases}
                assert set(column.vocabulary) <= covered, (kind.name, column.name,
                                                           set(column.vocabulary) - covered)
