"""The generator's late and incomplete organisation (`generate(..., late=True)`, issue 15).

Two small generations with the same seed, with and without the faults: together the two
deliveries of `late=True` hold exactly the reports of `late=False` (the capture process is
the same one), the late organisation's reports of the last year are only in the late
delivery, and the incomplete one lost its nationality on most of its reports of that year.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from thbmonitor.synth import generate
from thbmonitor.synth.sources import INCOMPLETE_SHARE

YEARS = [2023, 2024]
KEY = ["source", "report_id"]


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("faults")
    plain = generate(folder / "plain", seed=11, years=YEARS, scale=0.4)
    faulty = generate(folder / "faulty", seed=11, years=YEARS, scale=0.4, late=True)
    return {"plain": plain, "faulty": faulty}


def test_without_late_nothing_is_planted(both: dict[str, Any]) -> None:
    plain = both["plain"]
    assert plain.faults is None and plain.late_files == {}
    assert "organisations" not in plain.ground_truth
    assert not (plain.out_dir / "late").exists()


def test_the_two_deliveries_hold_every_report_once(both: dict[str, Any]) -> None:
    plain, faulty = both["plain"], both["faulty"]
    full = _read(plain.files["reports"])
    on_time, late = _read(faulty.files["reports"]), _read(faulty.late_files["reports"])
    together = pd.concat([on_time, late]).sort_values(KEY).reset_index(drop=True)
    assert len(together) == len(full) == faulty.counts["reports"]
    expected = full.sort_values(KEY).reset_index(drop=True)
    changed = (together != expected).any(axis=0)
    assert list(changed[changed].index) == ["nationality"], "only nationalities were blanked"
    locations = pd.concat([_read(faulty.files["locations"]),
                           _read(faulty.late_files["locations"])])
    assert len(locations) == len(_read(plain.files["locations"])) == faulty.counts["locations"]


def test_the_late_organisation_delivers_its_last_year_only_late(both: dict[str, Any]) -> None:
    faulty = both["faulty"]
    truth = json.loads(faulty.ground_truth["organisations"].read_text(encoding="utf-8"))
    assert truth == faulty.faults.to_dict() and truth["year"] == YEARS[-1]
    source = truth["late"]["source"]
    late = _read(faulty.late_files["reports"])
    assert set(late["source"]) == {source} and len(late) == truth["late"]["reports"] > 0
    assert late["report_date"].str.startswith(str(YEARS[-1])).all()
    on_time = _read(faulty.files["reports"])
    mine = on_time[on_time["source"] == source]
    assert len(mine) > 0 and not mine["report_date"].str.startswith(str(YEARS[-1])).any()
    late_locations = _read(faulty.late_files["locations"])
    assert set(zip(late_locations.source, late_locations.report_id, strict=True)) <= set(
        zip(late.source, late.report_id, strict=True))
    assert truth["late"]["source"] != truth["incomplete"]["source"]


def test_the_incomplete_organisation_lost_most_nationalities(both: dict[str, Any]) -> None:
    faulty = both["faulty"]
    truth = faulty.faults
    reports = _read(faulty.files["reports"])
    year = reports["report_date"].str.startswith(str(YEARS[-1]))
    mine = reports[year & (reports["source"] == truth.incomplete_source)]
    others = reports[year & (reports["source"] != truth.incomplete_source)]
    assert len(mine) == truth.incomplete_reports > 0
    empty = (mine["nationality"] == "").mean()
    assert empty >= INCOMPLETE_SHARE - 0.15 > (others["nationality"] == "").mean() + 0.5
    tagged = _read(faulty.ground_truth["report_persons"])
    assert tagged["noise"].str.contains("incomplete:nationality").sum() == truth.blanked


def test_the_same_seed_plants_the_same_organisations(both: dict[str, Any], tmp_path: Path
                                                     ) -> None:
    again = generate(tmp_path, seed=11, years=YEARS, scale=0.4, late=True)
    assert again.faults == both["faulty"].faults
    assert (again.late_files["reports"].read_bytes()
            == both["faulty"].late_files["reports"].read_bytes())
