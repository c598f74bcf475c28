"""CLI conventions (issue #10): `--version`, plain flags, data printed as data, a seeded
`thb mse`, messages with correct grammar and a start-up that loads no pipeline.

Reproduced defects: no `--version`; every flag showed a `<bool>` metavar; `thb mse` on
UKdat_5 with BIC printed `LA🆖PFNCA` (Rich turned `:ng:` into an emoji); `thb mse` drew a
random seed, so two runs differed; "1 problems in 0 rows"; `thb --help` imported SciPy,
pandas and Altair.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import typer.main
from typer.testing import CliRunner

from thbmonitor import __version__
from thbmonitor.cli import app
from thbmonitor.cli.app import plural
from thbmonitor.store import SETTINGS

ROOT = Path(__file__).parents[2]
UKDAT_5 = ROOT / "src" / "thbmonitor" / "mse" / "data" / "UKdat_5.csv"
FIXTURES = ROOT / "tests" / "ingest" / "fixtures"


def _all_commands() -> list[list[str]]:
    group = typer.main.get_command(app)
    found: list[list[str]] = [[]]
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        found.append([name])
        found.extend([name, sub] for sub in getattr(command, "commands", {}))
    return found


def test_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"thb (THB Monitor) {__version__}"


def test_no_flag_shows_a_metavar():
    runner = CliRunner()
    for command in _all_commands():
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, command
        assert "<bool>" not in result.output, command
        assert re.search(r"--json\s+Print", result.output) or "--json" not in result.output


def test_mse_prints_list_names_as_they_are():
    """The term BIC chooses on UKdat_5, LA:NG:PFNCA, printed as it is (no `:ng:` emoji)."""
    result = CliRunner().invoke(app, ["mse", str(UKDAT_5), "--method", "fixed",
                                      "--terms", "LA:NG:PFNCA"])
    assert result.exit_code == 0, result.output
    assert "LA:NG:PFNCA" in result.output and "🆖" not in result.output


def test_mse_is_seeded_by_default_with_the_declared_seed():
    runner = CliRunner()
    args = ["mse", str(UKDAT_5), "--nboot", "20"]
    first, second = runner.invoke(app, args), runner.invoke(app, [*args, "--json"])
    assert first.exit_code == 0, first.output
    seed = SETTINGS.get("random.seed").default
    assert re.search(rf"seed\s+│\s+{seed}", first.output), "the seed is printed"
    data = json.loads(second.output)
    assert data["seed"] == seed
    lo, hi = data["ci"]
    assert f"{lo:,.0f} to {hi:,.0f}" in first.output, "two runs give the same interval"


def test_plural():
    assert plural(1, "problem") == "1 problem" and plural(0, "row") == "0 rows"
    assert plural(1200, "person") == "1,200 persons"


def test_import_messages_have_correct_grammar(tmp_path, monkeypatch):
    monkeypatch.delenv("THB_KEY", raising=False)
    db = str(tmp_path / "g.duckdb")
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--db", db]).exit_code == 0
    bad = tmp_path / "one-bad-row.csv"
    bad.write_text("report_id,source,source_type,report_date,exploitation\n"
                   "T-1,police-oost,police,2024-02-30,sexual\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "reports", str(bad), "--db", db])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "1 problem in 1 row;" in text, text
    missing = runner.invoke(app, ["import", "reports", str(FIXTURES / "reports-missing-column.csv"),
                                  "--db", db])
    text = " ".join(missing.output.split())
    assert " in 0 rows" not in text and "problems in 0" not in text, text


def test_help_starts_without_the_pipeline():
    """`thb --help` must not import the heavy libraries (timed in bench_cli_startup)."""
    code = ("import sys\nfrom thbmonitor.cli import run\n"
            "import contextlib, io\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    run(['--help'])\n"
            "heavy = ('duckdb', 'pandas', 'numpy', 'scipy', 'altair', 'splink', 'pyarrow')\n"
            "print([m for m in heavy if m in sys.modules])")
    env = {k: v for k, v in os.environ.items() if k != "THB_DB"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env).stdout
    assert out.strip() == "[]"


def test_no_seed_literal_or_copied_constant_in_the_cli():
    literal = str(SETTINGS.get("random.seed").default)
    for path in [*(ROOT / "src" / "thbmonitor" / "cli").glob("*.py"),
                 ROOT / "src" / "thbmonitor" / "demo.py"]:
        text = path.read_text(encoding="utf-8")
        assert literal not in text, path
        assert "DEFAULT_SEED = 2" not in text and "LANGUAGES = (" not in text, path
