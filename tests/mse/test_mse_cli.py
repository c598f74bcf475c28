"""`thb mse FILE`: JSON equal to the library's to_dict, one-line errors, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import warnings
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

import thbmonitor.cli.mse  # noqa: F401  (registers `mse` on the app)
from thbmonitor.cli.app import app
from thbmonitor.mse import MSEstimator

runner = CliRunner()


@pytest.fixture
def korea(tmp_path: Path) -> Path:
    target = tmp_path / "Korea.csv"
    with resources.as_file(resources.files("thbmonitor.mse") / "data" / "Korea.csv") as src:
        shutil.copy(src, target)
    return target


def test_json_is_exactly_the_library_to_dict(korea: Path) -> None:
    res = runner.invoke(app, ["mse", str(korea), "--nboot", "80", "--seed", "4", "--json"])
    assert res.exit_code == 0, res.output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lib = MSEstimator(nboot=80, seed=4).fit(korea).to_dict()
    assert json.loads(res.stdout) == json.loads(json.dumps(lib))


def test_fixed_terms_and_human_output(korea: Path) -> None:
    res = runner.invoke(app, ["mse", str(korea), "--method", "fixed", "--terms", "b:c",
                              "--terms", "c:d"])
    assert res.exit_code == 0, res.output
    assert "profile likelihood" in res.output and "b:c, c:d" in res.output


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--method", "nope"], 2),
        (["--terms", "b:c"], 2),
        (["--method", "fixed", "--terms", "b:zz"], 2),
        (["--nboot", "-1"], 2),
    ],
)
def test_wrong_usage_exits_2_without_traceback(korea: Path, args: list[str], code: int) -> None:
    res = runner.invoke(app, ["mse", str(korea), *args])
    assert res.exit_code == code
    assert "Traceback" not in res.output


def test_bad_file_exits_1_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # short paths: Rich wraps long lines at the terminal width
    Path("no-count-column.csv").write_text("A,B\n1,0\n", encoding="utf-8")
    for path in ("no-count-column.csv", "missing.csv"):
        res = runner.invoke(app, ["mse", path])
        assert res.exit_code == 1
        lines = [ln for ln in res.output.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:")


def test_installed_thb_script_runs_mse(korea: Path) -> None:
    thb = Path(".venv/bin/thb")
    if not thb.exists():
        pytest.skip("no .venv/bin/thb")
    help_out = subprocess.run([str(thb), "--help"], capture_output=True, text=True, check=False)
    if " mse " not in help_out.stdout:
        pytest.skip("`mse` is not registered in thbmonitor.cli.commands yet")
    out = subprocess.run([str(thb), "mse", str(korea), "--method", "main", "--json"],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0
    assert json.loads(out.stdout)["method"] == "main"


def test_covariates_option_gives_per_level_estimates(tmp_path: Path) -> None:
    rows = ["A,B,C,sex,count"]
    for sex, counts in (("f", (90, 80, 70, 30, 25, 20, 8)), ("m", (40, 35, 50, 6, 5, 7, 1))):
        for c, n in zip(range(1, 8), counts, strict=True):
            rows.append(f"{c & 1},{c >> 1 & 1},{c >> 2 & 1},{sex},{n}")
    path = tmp_path / "three-lists-by-sex.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["mse", str(path), "--covariates", "sex", "--nboot", "50",
                              "--seed", "1", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["method"] == "covariates"
    assert set(out["by"]["sex"]) == {"f", "m"}
    total = sum(level["estimate"] for level in out["by"]["sex"].values())
    assert total == pytest.approx(out["estimate"])
