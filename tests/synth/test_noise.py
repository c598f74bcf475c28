"""Recording noise is present at its intended rates."""

from __future__ import annotations

import pandas as pd
import pytest

from thbmonitor.synth import NoiseRates

Tables = dict[str, pd.DataFrame]


def _tagged(rp: pd.DataFrame, prefix: str) -> pd.Series:
    return rp["noise"].str.split(";").apply(lambda tags: any(t.startswith(prefix) for t in tags))


@pytest.mark.parametrize(("tag", "rate"), [
    ("typo", NoiseRates.typo), ("swap", NoiseRates.swap),
    ("birth_year_only", NoiseRates.birth_year_only), ("no_birth_date", NoiseRates.no_birth_date),
    ("no_nationality", NoiseRates.no_nationality), ("sex_unknown", NoiseRates.sex_unknown),
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
