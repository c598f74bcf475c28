"""Recording noise is present at its intended rates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from thbmonitor.synth import NoiseRates, generate
from thbmonitor.synth.noise import NATIONALITY_OTHER, nationality_confusions
from thbmonitor.synth.population import nationalities

Tables = dict[str, pd.DataFrame]


def _tagged(rp: pd.DataFrame, prefix: str) -> pd.Series:
    return rp["noise"].str.split(";").apply(lambda tags: any(t.startswith(prefix) for t in tags))


@pytest.mark.parametrize(("tag", "rate"), [
    ("typo", NoiseRates.typo), ("swap", NoiseRates.swap),
    ("birth_year_only", NoiseRates.birth_year_only), ("no_birth_date", NoiseRates.no_birth_date),
    ("no_nationality", NoiseRates.no_nationality), ("sex_unknown", NoiseRates.sex_unknown),
    ("dob_digit", NoiseRates.dob_digit), ("nationality_other", NATIONALITY_OTHER),
])
def test_noise_rates(tables: Tables, tag: str, rate: float) -> None:
    share = _tagged(tables["gt_report_persons"], tag).mean()
    assert share == pytest.approx(rate, abs=max(0.01, rate * 0.3))


def test_noise_is_visible_in_the_reports(tables: Tables) -> None:
    r = tables["reports"].merge(tables["gt_report_persons"], on=["source", "report_id"])
    year_only = r[_tagged(r, "birth_year_only")]
    assert (year_only["date_of_birth"] == "").all() and (year_only["birth_year"] != "").all()
    none = r[_tagged(r, "no_birth_date")]
    assert ((none["date_of_birth"] == "") & (none["birth_year"] == "")).all()
    assert (r.loc[_tagged(r, "no_nationality"), "nationality"] == "").all()


def test_cyrillic_names_romanised_with_several_systems(tables: Tables) -> None:
    rp = tables["gt_report_persons"]
    systems = rp["noise"].str.extractall(r"romanised:(\w+)")[0]
    assert {"national", "scholarly", "german", "bgn", "icao", "official"} <= set(systems)


def test_spanish_double_surnames_written_several_ways(tables: Tables) -> None:
    rp = tables["gt_report_persons"]
    for tag in ("surname_first_only", "surname_second_only", "surname_hyphen"):
        assert _tagged(rp, tag).sum() >= 5
    r = tables["reports"].merge(rp, on=["source", "report_id"])
    spanish = r.merge(tables["gt_persons"][["person_id", "name_locale"]].drop_duplicates(),
                      on="person_id")
    spanish = spanish[spanish["name_locale"].str.startswith("es_") & (spanish["noise"] == "")]
    assert spanish["family_name"].str.contains(" ").all()  # both surnames when untouched


def test_same_person_twice_by_the_same_organisation(tables: Tables) -> None:
    r = tables["reports"].merge(tables["gt_report_persons"], on=["source", "report_id"])
    dup = r[r["duplicate"] == "true"]
    assert len(dup) >= 50
    twice = r.groupby(["source", "person_id", "year"]).size()
    assert (twice >= 2).sum() >= 50
    with_ref = r[r["person_ref"] != ""]
    refs = with_ref.groupby(["source", "person_id"])["person_ref"].nunique()
    assert (refs == 1).all()  # a source keeps one reference per person
    ref_owner = with_ref.groupby(["source", "person_ref"])["person_id"].nunique()
    assert (ref_owner == 1).all()  # and never gives two persons the same one


def _with_truth(tables: Tables) -> pd.DataFrame:
    r = tables["reports"].merge(tables["gt_report_persons"], on=["source", "report_id"])
    truth = tables["gt_persons"][["person_id", "birth_date", "nationality"]].drop_duplicates(
        "person_id")
    return r.merge(truth, on="person_id", suffixes=("", "_true"))


def test_birth_date_digit_typos(tables: Tables) -> None:
    r = _with_truth(tables)
    typed = r[_tagged(r, "dob_digit")]
    assert len(typed) / len(r) == pytest.approx(NoiseRates.dob_digit, abs=0.005)
    for row in typed.itertuples(index=False):
        recorded = dt.date.fromisoformat(row.date_of_birth)  # a valid date still
        assert recorded <= dt.date.fromisoformat(row.report_date)
        shown, true = row.date_of_birth.replace("-", ""), row.birth_date.replace("-", "")
        assert sum(a != b for a, b in zip(shown, true, strict=True)) == 1, (shown, true)
        assert shown[:2] == true[:2]  # never the century
    untouched = r[~r["noise"].str.contains("dob_|birth|date_ddmmyyyy")]
    assert (untouched["date_of_birth"] == untouched["birth_date"]).all()


def test_nationality_recorded_as_another_from_the_table(tables: Tables) -> None:
    r = _with_truth(tables)
    other = r[_tagged(r, "nationality_other")]
    assert len(other) / len(r) == pytest.approx(NATIONALITY_OTHER, abs=0.005)
    table = nationality_confusions()
    assert set(table) == set(nationalities().codes)  # every nationality can be confused
    for true, shown in zip(other["nationality_true"], other["nationality"], strict=True):
        assert shown != true and shown in table[true][0]
    clean = r[~r["noise"].str.contains("nationality")]
    assert (clean["nationality"] == clean["nationality_true"]).all()


def test_new_noise_changes_only_the_reports_it_tags(tables: Tables, tmp_path: Path) -> None:
    """Drawn from its own stream: without it, every other report is as it was."""
    without = generate(tmp_path, noise=NoiseRates(dob_digit=0.0, nationality_other=0.0))
    before = pd.read_csv(without.files["reports"], dtype=str, keep_default_na=False)
    after = tables["reports"]
    assert list(before["report_id"]) == list(after["report_id"])
    changed = (before != after).any(axis=1).to_numpy()
    rp = tables["gt_report_persons"].set_index(["source", "report_id"]).loc[
        list(zip(after["source"], after["report_id"], strict=True))]
    tagged = rp["noise"].str.contains("dob_digit|nationality_other").to_numpy()
    assert changed.sum() > 100
    assert (changed == tagged).all()
    assert set((before != after).columns[(before != after).any()]) == {"date_of_birth",
                                                                      "nationality"}
