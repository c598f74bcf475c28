"""The registered victims reproduce the published figures (nl_victims.csv)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

Tables = dict[str, pd.DataFrame]

PUBLISHED_TOTALS = {2019: 1334, 2020: 984, 2021: 791, 2022: 814, 2023: 868, 2024: 944}


def _registered(tables: Tables) -> pd.DataFrame:
    p = tables["gt_persons"]
    return p[p["registered"] == "true"].assign(year=lambda d: d["year"].astype(int))


def test_registered_totals_equal_published_for_2023_and_2024(tables: Tables) -> None:
    counts = _registered(tables).groupby("year").size()
    assert counts[2023] == 868
    assert counts[2024] == 944


@pytest.mark.parametrize("year", [2019, 2020, 2021, 2022])
def test_registered_totals_close_for_earlier_years(tables: Tables, year: int) -> None:
    counts = _registered(tables).groupby("year").size()
    assert abs(counts[year] - PUBLISHED_TOTALS[year]) <= 0.02 * PUBLISHED_TOTALS[year]


def test_registered_counts_are_distinct_persons_reported_in_the_year(
    tables: Tables,
) -> None:
    rp = tables["gt_report_persons"]
    distinct = rp.groupby("year")["person_id"].nunique()
    assert distinct["2024"] == 944 and distinct["2023"] == 868
    reports = tables["reports"].assign(year=lambda d: d["report_date"].str[:4])
    per_year = reports.groupby("year").size()
    assert 1.05 * 944 <= per_year["2024"] <= 1.2 * 944  # about 1,060 reports in 2024


@pytest.mark.parametrize(
    ("year", "metric", "expected"),
    [(2022, "minors", 70), (2023, "minors", 52), (2024, "minors", 79),
     (2023, "minor_criminal", 13), (2024, "minor_criminal", 42),
     (2021, "ua", 7), (2022, "ua", 51),
     (2022, "latam_sexual", 26), (2023, "latam_sexual", 68),
     (2022, "africa_sexual", 119), (2023, "africa_sexual", 178)],
)
def test_published_strata(tables: Tables, year: int, metric: str,
                          expected: int) -> None:
    r = _registered(tables)
    r = r[r["year"] == year]
    cat, grp = r["exploitation_category"], r["nationality_group"]
    masks = {
        "minors": r["age_group"] == "minor",
        "minor_criminal": (r["age_group"] == "minor") & (cat == "criminal"),
        "ua": r["nationality"] == "UA",
        "latam_sexual": (grp == "latin_america") & (cat == "sexual"),
        "africa_sexual": (grp == "africa") & (cat == "sexual"),
    }
    assert int(masks[metric].sum()) == expected


def test_latin_american_sexual_exploitation_rises_again_in_2024(tables: Tables) -> None:
    r = _registered(tables)
    m = (r["nationality_group"] == "latin_america") & (r["exploitation_category"] == "sexual")
    counts = r[m].groupby("year").size()
    assert counts[2024] > counts[2023] > counts[2022]


def test_ukrainians_mainly_in_labour_exploitation_from_2023(tables: Tables) -> None:
    r = _registered(tables)
    ua = r[(r["nationality"] == "UA") & (r["year"] >= 2023)]
    assert (ua["exploitation_category"] == "labour").mean() > 0.6


def test_minors_in_criminal_exploitation_mostly_dutch_in_2024(tables: Tables) -> None:
    r = _registered(tables)
    minor = (r["year"] == 2024) & (r["age_group"] == "minor")
    m = r[minor & (r["exploitation_category"] == "criminal")]
    assert (m["nationality"] == "NL").mean() > 0.6


@pytest.mark.parametrize("year", ["2023", "2024"])
def test_report_shares_by_organisation_type(tables: Tables, year: str) -> None:
    published = {
        "2023": {"police": 360, "care_coordinator": 312, "ngo": 233, "border_police": 50,
                 "labour_inspectorate": 33},
        "2024": {"police": 329, "care_coordinator": 301, "ngo": 257, "labour_inspectorate": 71,
                 "border_police": 67},
    }[year]
    reports = tables["reports"]
    reports = reports[reports["report_date"].str[:4] == year]
    shares = reports["source_type"].value_counts(normalize=True)
    total = sum(published.values()) / 0.967  # the five published types are ~97% of reports
    for source_type, count in published.items():
        assert shares[source_type] == pytest.approx(count / total, abs=0.045), source_type


def test_most_true_victims_are_never_reported(tables: Tables) -> None:
    p = tables["gt_persons"]
    share = (p["registered"] == "true").groupby(p["year"]).mean()
    assert ((share > 0.15) & (share < 0.35)).all()


def test_chain_trends_of_the_2024_release(tables: Tables) -> None:
    inv = tables["investigations"].assign(year=lambda d: d["start_date"].str[:4])
    sexual = inv[inv["exploitation"] == "sexual"]
    by_year = sexual.groupby("year").size()
    assert by_year["2024"] < by_year["2023"] < by_year["2022"]
    intl = sexual[sexual["scope"] == "international"].groupby("year").size()
    dom = sexual[sexual["scope"] == "domestic"].groupby("year").size()
    assert intl["2024"] < intl["2023"]
    assert intl["2023"] - intl["2024"] > dom["2023"] - dom["2024"]  # international fell most
    assert 130 <= inv.groupby("year").size()["2022"] <= 200  # published: 165
    suspects = tables["suspects"]
    sus = suspects.groupby(suspects["registered_date"].str[:4]).size()
    assert sus["2024"] < sus["2023"]
    assert 200 <= sus["2022"] <= 310  # published: 254
    cases = tables["cases"]
    reg = cases.groupby(cases["registered_date"].str[:4]).size()
    assert reg["2024"] < reg["2023"]
    decided = cases[~cases["decision"].isin(["pending", "joinder", "transfer"])]
    summons = (decided["decision"] == "summons").groupby(decided["decision_date"].str[:4]).mean()
    assert summons["2024"] > summons["2023"]
    v = tables["verdicts"]
    v23 = v[v["verdict_date"].str[:4] == "2023"]
    assert 50 <= len(v23) <= 110  # published: 78 court cases
    assert (v23["outcome"] == "conviction").mean() == pytest.approx(0.68, abs=0.12)


def test_scale_multiplies_the_registered_totals(tmp_path: Path) -> None:
    from thbmonitor.synth import generate

    result = generate(tmp_path, scale=0.5, years=[2023, 2024])
    assert result.registered_by_year[2024] == pytest.approx(472, abs=3)
    assert result.registered_by_year[2023] == pytest.approx(434, abs=3)
