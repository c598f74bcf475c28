"""The demo end to end: synthetic data through intake, linkage, figures and both reports."""

from __future__ import annotations

import json
from datetime import datetime
from html.parser import HTMLParser

import pandas as pd
import pytest

from thbmonitor.demo import run_demo


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.lang: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang")


#: The dark figure's bootstrap replicates in these runs. The demo as shipped (`thb demo`,
#: 1,000, the setting's default) is run by bench/bench_demo.py, which also checks that its
#: interval holds the synthetic truth; here the same code runs with a fifth of the
#: replicates (four dark figures, two demos of two releases each: 85 s less on one core).
#: What these tests check (what is shown, reproducibility, the truth inside the interval)
#: does not depend on the interval's Monte-Carlo precision; the bootstrap itself is tested
#: in tests/mse and tests/estimate.
REPLICATES = 200


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return run_demo(tmp_path_factory.mktemp("demo"), seed=20241016,
                    bootstrap_replicates=REPLICATES)


def test_demo_writes_both_reports(demo):
    for lang in ("nl", "en"):
        html = demo.reports[lang].read_text(encoding="utf-8")
        parser = _Collect()
        parser.feed(html)
        assert parser.lang == lang
        assert parser.tags.count("svg") >= 3, "the charts are inline SVG"
        assert "http://" not in html.replace("http://www.w3.org", "")
        assert f"{demo.victims:,}".replace(",", "." if lang == "nl" else ",") in html


def test_demo_figures_come_from_the_imported_data(demo):
    figures = json.loads((demo.out_dir / f"figures-{demo.year}.json").read_text(encoding="utf-8"))
    assert figures["victims"]["total"] == demo.victims
    assert figures["victims"]["change"] == demo.victims - demo.previous
    assert sum(figures["victims"]["by"]["exploitation"].values()) == demo.victims


def test_the_report_estimate_holds_the_synthetic_truth(demo):
    """Issue 18: on the capture–recapture population the default estimate's interval holds
    the true number of victims, and the demo says so beside the truth."""
    line = demo.extras["estimate"]
    assert "method pooled" in line and "published as estimate" in line, line
    assert "the truth lies inside the interval" in line, line
    html = demo.reports["en"].read_text(encoding="utf-8")
    assert "An estimated" in html and "passed every check" in html


def test_linkage_gap_is_measured_against_the_ground_truth(demo):
    truth = pd.read_csv(demo.out_dir / "data" / "ground_truth" / "report_persons.csv", dtype=str)
    link = demo.linkage
    assert link["reports"] == len(truth)
    assert link["true_persons"] == truth.person_id.nunique()
    assert 0 < link["recall"] <= 1 and 0 < link["precision"] <= 1
    # The measured quality is what the methods note of the report states.
    html = demo.reports["en"].read_text(encoding="utf-8")
    assert f"precision {link['precision'] * 100:.1f}%" in html
    assert f"recall {link['recall'] * 100:.1f}%" in html
    if link["recall"] == 1 and link["precision"] == 1:
        assert demo.victims == demo.true_registered
    elif link["precision"] == 1:
        assert demo.victims >= demo.true_registered, "missed links can only split persons"


def test_the_demo_is_reproducible_from_its_seed(demo):
    """Same seed: the same linked persons and byte-identical published figures; run again
    into its own folder (as `make demo` twice), it replaces what it made there."""
    name = f"figures-{demo.year}.json"
    first = json.loads((demo.out_dir / name).read_text(encoding="utf-8"))
    again = run_demo(demo.out_dir, seed=20241016, bootstrap_replicates=REPLICATES)
    second = json.loads((again.out_dir / name).read_text(encoding="utf-8"))
    assert first == second
    assert again.linkage == demo.linkage
    assert again.extras["releases"] == demo.extras["releases"]


def test_demo_key_comes_from_the_seed():
    from thbmonitor.demo import demo_key

    assert demo_key(1) == demo_key(1) and demo_key(1) != demo_key(2)
    assert len(demo_key(1)) == 32


def test_the_demo_store_is_usable_afterwards(demo, tmp_path):
    """Issue #10: `THB_DB=demo-out/thb-demo.duckdb thb link` failed for want of a key file."""
    import os
    import shutil
    import stat
    import subprocess
    import sys

    key = demo.database.with_name(demo.database.name + ".key")
    assert demo.key_file == key and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert demo.use_lines()[0] == f"export THB_DB={demo.database}"
    assert str(key) in demo.use_lines()[1]
    # A copy (with its key file beside it), so the other tests keep the demo's own store.
    store = tmp_path / "thb-demo.duckdb"
    shutil.copy(demo.database, store)
    shutil.copy(key, tmp_path / key.name)
    env = {k: v for k, v in os.environ.items() if k != "THB_KEY"}
    env["THB_DB"] = str(store)

    def thb(*args):
        return subprocess.run([sys.executable, "-m", "thbmonitor.cli", *args],
                              capture_output=True, text=True, env=env, check=False, timeout=300)

    again = thb("import", "reports", str(demo.out_dir / "data" / "reports.csv"))
    assert again.returncode == 0, again.stderr  # the key file matches the demo's tokens
    assert "imported before" in " ".join(again.stdout.split())
    linked = thb("link", "--method", "exact")
    assert linked.returncode == 0, linked.stderr


def test_the_demo_report_shows_the_concerns(demo):
    """Concerns that did not become reports (CONTRACTS §8), protected, in both languages."""
    english = demo.reports["en"].read_text(encoding="utf-8")
    dutch = demo.reports["nl"].read_text(encoding="utf-8")
    assert 'id="concerns"' in english and 'id="table-concerns-minors"' in english
    assert "Signals that did not become reports" in english
    assert "Signalen die geen melding werden" in dutch
    concerns = pd.read_csv(demo.out_dir / "data" / "concerns.csv")
    assert not {"given_name", "family_name", "date_of_birth"} & set(concerns.columns)


def test_the_demo_releases_the_year_before_and_after_the_late_delivery(demo):
    """Issue 15: the synthetic data make one organisation late; the demo releases the year,
    imports the late delivery and releases again, and its report shows the revisions."""
    from thbmonitor.publish.release import list_releases, revisions
    from thbmonitor.store import Database

    truth = json.loads((demo.out_dir / "data" / "ground_truth" / "organisations.json")
                       .read_text(encoding="utf-8"))
    assert truth["year"] == demo.year and truth["late"]["reports"] > 0
    with Database(demo.database, create=False) as db:
        stored = list_releases(db, demo.year).releases
        changed = revisions(db, demo.year)
        late_imported = db.scalar(
            "SELECT min(i.imported_at) FROM reports r JOIN imports i USING (import_id) "
            "WHERE r.source = ? AND year(r.report_date) = ?", [truth["late"]["source"],
                                                               demo.year])
    assert [r.release_id for r in stored] == [f"{demo.year}-1", f"{demo.year}-2"]
    assert all(r.intact for r in stored)
    assert late_imported > datetime.fromisoformat(stored[0].released_at)
    assert changed.cells, "the late reports revised published cells"
    html = demo.reports["en"].read_text(encoding="utf-8")
    assert 'id="table-revisions"' in html
    assert f"Numbers revised between release {demo.year}-1 and release {demo.year}-2" in html


def test_thb_quality_on_the_demo_names_the_late_and_the_incomplete_organisation(demo):
    """Issue 15 acceptance: `thb quality` on the demo names the organisation the synthetic
    data made late, and the one they made incomplete (most reports without nationality)."""
    from typer.testing import CliRunner

    from thbmonitor.cli import commands  # noqa: F401  (registers the commands)
    from thbmonitor.cli.app import app

    truth = json.loads((demo.out_dir / "data" / "ground_truth" / "organisations.json")
                       .read_text(encoding="utf-8"))
    result = CliRunner().invoke(app, ["quality", "--year", str(demo.year), "--db",
                                      str(demo.database), "--json"])
    assert result.exit_code == 0, result.output
    quality = json.loads(result.output)
    assert quality["first_release_date"] is not None, "the store's first release is used"
    late = {o["source"]: o["late"] for o in quality["organisations"] if o["late"]}
    assert late == {truth["late"]["source"]: truth["late"]["reports"]}
    sizeable = [o for o in quality["organisations"] if o["reports"] >= 10]
    worst = max(sizeable, key=lambda o: o["unknown"]["nationality"])
    assert worst["source"] == truth["incomplete"]["source"]
    assert worst["unknown"]["nationality"] >= 0.7
    # the report's annex (release 2) counts the late reports too
    html = demo.reports["en"].read_text(encoding="utf-8")
    assert 'id="quality"' in html and truth["late"]["source"] in html
