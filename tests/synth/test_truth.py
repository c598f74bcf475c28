"""The ground truth is complete and consistent with the public files."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from thbmonitor.synth import SynthResult

Tables = dict[str, pd.DataFrame]


def test_every_report_has_one_true_person(tables: Tables) -> None:
    reports, rp = tables["reports"], tables["gt_report_persons"]
    assert len(rp) == len(reports)
    merged = reports.merge(rp, on=["source", "report_id"], how="left", validate="one_to_one")
    assert (merged["person_id"] != "").all() and merged["person_id"].notna().all()
    assert set(rp["person_id"]) <= set(tables["gt_persons"]["person_id"])


def test_registered_flag_and_reporters_match_the_reports(tables: Tables) -> None:
    p = tables["gt_persons"]
    rp = tables["gt_report_persons"].merge(
        tables["reports"][["source", "report_id", "source_type"]], on=["source", "report_id"]
    )
    reported = set(zip(rp["person_id"], rp["year"], strict=True))
    flagged = set(zip(p.loc[p["registered"] == "true", "person_id"],
                      p.loc[p["registered"] == "true", "year"], strict=True))
    assert reported == flagged
    types = (rp.groupby(["person_id", "year"])["source_type"]
             .agg(lambda s: ";".join(sorted(set(s)))))
    reg = p[p["registered"] == "true"].set_index(["person_id", "year"])["reported_by"]
    assert (types.loc[reg.index] == reg).all()


def test_totals_recompute_from_persons(tables: Tables) -> None:
    p, totals = tables["gt_persons"], tables["gt_totals"]
    totals = totals.astype({"true_total": int, "registered_total": int})
    for stratum, column in (("exploitation", "exploitation_category"), ("age_group", "age_group"),
                            ("sex", "sex"), ("nationality_group", "nationality_group")):
        t = totals[totals["stratum"] == stratum]
        true = p.groupby(["year", column]).size()
        reg = p[p["registered"] == "true"].groupby(["year", column]).size()
        for year, value, true_total, reg_total in t[["year", "value", "true_total",
                                                      "registered_total"]].itertuples(index=False):
            assert true.get((year, value), 0) == true_total
            assert reg.get((year, value), 0) == reg_total
        per_year = t.groupby("year")["true_total"].sum()
        overall = totals[totals["stratum"] == "total"].set_index("year")["true_total"]
        assert (per_year == overall.loc[per_year.index]).all()


def test_age_group_follows_birth_date_and_first_report(tables: Tables) -> None:
    p = tables["gt_persons"]
    reg = p[p["registered"] == "true"]
    for birth, first, group in reg[["birth_date", "first_report_date", "age_group"]].itertuples(
        index=False
    ):
        b, f = dt.date.fromisoformat(birth), dt.date.fromisoformat(first)
        age = f.year - b.year - ((f.month, f.day) < (b.month, b.day))
        assert (age < 18) == (group == "minor")


def test_some_victims_reported_again_in_a_later_year(tables: Tables) -> None:
    p = tables["gt_persons"]
    reg = p[p["registered"] == "true"]
    assert (reg.groupby("person_id")["year"].nunique() > 1).sum() >= 20
    multi = p[p["years_victimised"].str.contains(";")]
    same = multi.groupby("person_id")[["sex", "birth_date", "nationality"]].nunique()
    assert (same == 1).all().all()


def test_result_counts_match_files(default_set: SynthResult, tables: Tables) -> None:
    assert default_set.counts["reports"] == len(tables["reports"])
    assert default_set.counts["locations"] == len(tables["locations"])
    registered = tables["gt_persons"].query("registered == 'true'").groupby("year").size()
    assert default_set.registered_by_year[2024] == registered["2024"]
    assert default_set.to_dict()["registered_by_year"]["2023"] == registered["2023"]
    true = tables["gt_persons"].groupby("year").size()
    assert default_set.true_by_year[2024] == true["2024"]
