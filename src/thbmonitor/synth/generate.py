"""`generate()`: the synthetic population, its reports and chain, written as public files.

One `numpy.random.Generator` made from the seed drives every random step, in a
fixed order, so the same arguments give byte-identical files. Steps added later
draw from streams of their own (`STREAMS`, each `default_rng([seed, id])`), so
that adding them moved no draw of the main stream: the files change only where
the new step acts.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from thbmonitor.synth.calibration import load_targets
from thbmonitor.synth.chain import build_chain, link_investigations
from thbmonitor.synth.contacts import assign_person_refs, assign_phones
from thbmonitor.synth.groups import plant_groups
from thbmonitor.synth.locations import build_locations
from thbmonitor.synth.names import draw_names
from thbmonitor.synth.noise import NoiseRates, apply_noise
from thbmonitor.synth.population import add_repeats, nationalities, simulate_victims
from thbmonitor.synth.reporting import build_reports
from thbmonitor.synth.sources import (
    INCOMPLETE_FIELD,
    INCOMPLETE_SHARE,
    STATUTORY_TYPES,
    OrganisationFaults,
    choose_faults,
    source_region,
)
from thbmonitor.synth.truth import person_facts, totals_table, write_person_table
from thbmonitor.synth.writer import COLUMNS, inject_invalid, iso, write_csv

__all__ = ["DEFAULT_SEED", "STREAMS", "SynthResult", "generate"]

logger = logging.getLogger(__name__)

#: Random streams besides the main one: step -> id (`np.random.default_rng([seed, id])`).
#: `names`: middle and second given names (`names.draw_names`); `noise`: the noise kinds
#: `dob_digit` and `nationality_other` (`noise.apply_noise`).
STREAMS = {"names": 1, "noise": 2}


def _stream(seed: int, step: str) -> np.random.Generator:
    return np.random.default_rng([seed, STREAMS[step]])


def _default_seed() -> int:
    """The declared setting `random.seed` (store/settings.py), not a second literal."""
    from thbmonitor.store.settings import SETTINGS

    return int(SETTINGS.get("random.seed").default)


DEFAULT_SEED = _default_seed()


@dataclass
class SynthResult:
    """Where the files are and what they hold."""

    out_dir: Path
    seed: int
    scale: float
    years: list[int]
    files: dict[str, Path] = field(default_factory=dict)
    ground_truth: dict[str, Path] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    registered_by_year: dict[int, int] = field(default_factory=dict)
    true_by_year: dict[int, int] = field(default_factory=dict)
    #: The late delivery (``late=True``): kind -> file, to import after the first release.
    late_files: dict[str, Path] = field(default_factory=dict)
    faults: OrganisationFaults | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir), "seed": self.seed, "scale": self.scale,
            "years": self.years,
            "files": {k: str(v) for k, v in self.files.items()},
            "ground_truth": {k: str(v) for k, v in self.ground_truth.items()},
            "counts": dict(self.counts),
            "registered_by_year": {str(k): v for k, v in self.registered_by_year.items()},
            "true_by_year": {str(k): v for k, v in self.true_by_year.items()},
            "late_files": {k: str(v) for k, v in self.late_files.items()},
            "faults": None if self.faults is None else self.faults.to_dict(),
            "seconds": round(self.seconds, 2),
        }


def _persons(frame: pd.DataFrame, rng: np.random.Generator,
             middle_rng: np.random.Generator) -> pd.DataFrame:
    """One row per person (identity traits, names for persons ever registered)."""
    first = frame.drop_duplicates("person_id").set_index("person_id")
    ever = frame.groupby("person_id")["registered"].any()
    nat = nationalities()
    codes = first["nationality"].to_numpy()
    locale = np.empty(len(first), dtype=object)
    for code in sorted(set(codes.tolist())):
        idx = np.flatnonzero(codes == code)
        options = np.array(nat.locales[code], dtype=object)
        locale[idx] = options[rng.integers(0, options.size, idx.size)]
    persons = pd.DataFrame({
        "sex": first["sex"].to_numpy(), "nationality": codes, "locale": locale,
        "birth_date": first["birth_date"].to_numpy(),
        "given_name": "", "family_name": "", "family_name_2": "",
    }, index=first.index)
    reg = ever.loc[first.index].to_numpy()
    given, family, second = draw_names(locale[reg], persons["sex"].to_numpy()[reg], rng,
                                       middle_rng=middle_rng)
    persons.loc[reg, "given_name"] = given
    persons.loc[reg, "family_name"] = family
    persons.loc[reg, "family_name_2"] = second
    return persons


def _report_ids(reports: pd.DataFrame) -> np.ndarray:
    year = reports["report_date"].dt.year.astype(str)
    seq = reports.groupby(["source", year]).cumcount() + 1
    return np.asarray((year + "-" + seq.astype(str).str.zfill(5)).to_numpy(), dtype=object)


def _plant_faults(rep: pd.DataFrame, loc: pd.DataFrame, report_year: np.ndarray, year: int,
                  rng: np.random.Generator, report_persons: pd.DataFrame) -> tuple[
        pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, OrganisationFaults]:
    """One organisation late, one incomplete in ``year`` (`sources.choose_faults`).

    The incomplete one leaves `INCOMPLETE_FIELD` empty on `INCOMPLETE_SHARE` of its
    reports of the year (tagged ``incomplete:<field>`` in the ground truth); the late one's
    reports of the year and their locations are split off into the late delivery. Nothing
    else changes: together the two deliveries hold every report of the capture process.
    """
    source = rep["source"].to_numpy()
    late, incomplete = choose_faults(source, rep["source_type"].to_numpy(), report_year,
                                     year, rng)
    of_incomplete = (source == incomplete) & (report_year == year)
    blank = of_incomplete & (rng.random(len(rep)) < INCOMPLETE_SHARE)
    rep.loc[blank, INCOMPLETE_FIELD] = ""
    tag = f"incomplete:{INCOMPLETE_FIELD}"
    noise = report_persons["noise"].to_numpy()
    report_persons.loc[blank, "noise"] = [f"{n};{tag}" if n else tag for n in noise[blank]]
    is_late = (source == late) & (report_year == year)
    late_ids = set(rep.loc[is_late, "report_id"])
    loc_late = ((loc["source"] == late) & loc["report_id"].isin(late_ids)).to_numpy()
    faults = OrganisationFaults(
        year=year, late_source=late, late_reports=int(is_late.sum()),
        late_locations=int(loc_late.sum()), incomplete_source=incomplete,
        incomplete_field=INCOMPLETE_FIELD, incomplete_reports=int(of_incomplete.sum()),
        blanked=int(blank.sum()))
    return rep[~is_late], loc[~loc_late], rep[is_late], loc[loc_late], faults


def generate(
    out_dir: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    years: Iterable[int] = range(2019, 2025),
    scale: float = 1.0,
    invalid_rows: int = 0,
    date_format_noise: float = 0.0,
    noise: NoiseRates | None = None,
    late: bool = False,
) -> SynthResult:
    """Simulate the victims of `years`, who reports them, the chain; write the files.

    `scale` multiplies the population. The registered totals are random: a
    capture–recapture process whose expected registered count per calibrated
    stratum is `published × scale` (`capture.py`; the true model is written to
    `ground_truth/capture_model.json`). `invalid_rows` injects that many invalid
    rows (logged in `ground_truth/invalid_rows.csv`); `date_format_noise` writes
    that share of report dates and dates of birth as DD-MM-YYYY.

    ``late``: in the last year one organisation delivers late and one incomplete
    (`_plant_faults`); the late delivery is written to ``late/reports.csv`` and
    ``late/locations.csv`` (`SynthResult.late_files`), the rest as usual, and which
    organisations they are to ``ground_truth/organisations.json``. Off, no random number
    is drawn for it: the files are those of earlier versions.
    """
    t0 = time.perf_counter()
    out = Path(out_dir)
    years_l = sorted(int(y) for y in years)
    rng = np.random.default_rng(seed)
    rates = noise or NoiseRates()
    if date_format_noise:
        rates = NoiseRates(**{**rates.__dict__, "date_format_noise": date_format_noise})
    targets = load_targets(years_l)
    frame, sightings, capture_model = simulate_victims(targets, scale, rng)
    add_repeats(frame, rng)
    groups = plant_groups(frame, rng, scale)
    reports = build_reports(frame, sightings, years_l, rng)
    reports["person_id"] = frame["person_id"].to_numpy()[reports["py"].to_numpy()]
    logger.info("simulated %d person-years, %d reports", len(frame), len(reports))
    persons = _persons(frame, rng, _stream(seed, "names"))
    ident = apply_noise(reports, persons, rng, rates, own_rng=_stream(seed, "noise"))
    phones, shelter = assign_phones(reports, frame, groups, rng)
    refs = assign_person_refs(reports, rng)
    chain = build_chain(years_l, scale, rng)
    inv_ids, group_inv = link_investigations(reports, frame, groups, chain, rng)
    locations = build_locations(reports, frame, groups, rng)

    pyi = reports["py"].to_numpy()
    f = frame.iloc[pyi]
    statutory = reports["source_type"].isin(list(STATUTORY_TYPES)).to_numpy()
    basis = np.where(statutory, "statutory",
                     np.where(rng.random(len(reports)) < 0.97, "consent", "")).astype(object)
    report_date = pd.Series(iso(reports["report_date"]), dtype=object)
    if rates.date_format_noise:
        fmt = rng.random(len(reports)) < rates.date_format_noise
        report_date[fmt] = (report_date[fmt].str[8:10] + "-" + report_date[fmt].str[5:7] + "-"
                            + report_date[fmt].str[0:4])
    region_known = rng.random(len(reports)) < 0.9
    rep = pd.DataFrame({
        "report_id": _report_ids(reports), "source": reports["source"].to_numpy(),
        "source_type": reports["source_type"].to_numpy(), "report_date": report_date.to_numpy(),
        **{c: ident[c].to_numpy() for c in ("given_name", "family_name", "date_of_birth",
                                             "birth_year", "sex", "nationality")},
        "exploitation": f["exploitation"].to_numpy(), "sector": f["sector"].to_numpy(),
        "recruitment_country": f["recruitment_country"].to_numpy(),
        "exploitation_countries": f["exploitation_countries"].to_numpy(),
        "scope": f["scope"].to_numpy(),
        "region": np.where(region_known, source_region(reports["source"].to_numpy(),
                                                       f["region"].to_numpy()), ""),
        "legal_basis": basis, "person_ref": refs, "contact_phone": phones,
        "investigation_id": inv_ids,
    })
    loc = locations.assign(
        report_id=rep["report_id"].to_numpy()[locations["row"].to_numpy()],
        source=rep["source"].to_numpy()[locations["row"].to_numpy()],
        start_date=iso(locations["start_date"]), end_date=iso(locations["end_date"]),
    ).sort_values(["source", "report_id", "start_date"], kind="stable")
    truth_dir = out / "ground_truth"
    report_persons = pd.DataFrame({
        "source": rep["source"], "report_id": rep["report_id"],
        "person_id": [f"P{i:07d}" for i in reports["person_id"].to_numpy()],
        "year": reports["report_date"].dt.year.to_numpy(),
        "duplicate": np.where(reports["duplicate"].to_numpy(), "true", "false"),
        "noise": ident["noise"].to_numpy(),
    })
    faults = None
    if late:
        rep, loc, late_rep, late_loc, faults = _plant_faults(
            rep, loc, reports["report_date"].dt.year.to_numpy(), years_l[-1], rng,
            report_persons)
    invalid = pd.DataFrame(columns=["file", "row", "column", "code"])
    if invalid_rows:
        rep, loc, invalid = inject_invalid(rep, loc, invalid_rows, rng)

    result = SynthResult(out_dir=out, seed=seed, scale=scale, years=years_l)
    result.files["reports"] = write_csv(rep, out / "reports.csv", COLUMNS["reports"])
    result.files["locations"] = write_csv(loc, out / "locations.csv", COLUMNS["locations"])
    if faults is not None:
        result.faults = faults
        result.late_files["reports"] = write_csv(late_rep, out / "late" / "reports.csv",
                                                 COLUMNS["reports"])
        result.late_files["locations"] = write_csv(late_loc, out / "late" / "locations.csv",
                                                   COLUMNS["locations"])
    chain_frames = {"investigations": chain.investigations, "suspects": chain.suspects,
                    "cases": chain.cases, "verdicts": chain.verdicts}
    for name, table in chain_frames.items():
        table = table.copy()
        for col in table.columns:
            if col.endswith("_date"):
                table[col] = iso(table[col])
        result.files[name] = write_csv(table, out / f"{name}.csv", COLUMNS[name])

    members = pd.concat([groups.members, shelter], ignore_index=True)
    gtab = pd.DataFrame({
        "group_id": members["group_id"], "kind": members["kind"], "year": members["year"],
        "person_id": [f"P{i:07d}" for i in frame["person_id"].to_numpy()[members["py"]]],
    })
    cross = dict(zip(groups.meta["group_id"], groups.meta["cross_border"], strict=True))
    gtab["cross_border"] = gtab["group_id"].map(cross).map({True: "true", False: "false"})
    gtab["investigation_id"] = gtab["group_id"].map(group_inv).fillna("")
    gt = result.ground_truth
    gt["report_persons"] = write_csv(report_persons, truth_dir / "report_persons.csv")
    gt["persons"] = write_person_table(frame, persons, reports, truth_dir / "persons.csv")
    gt["totals"] = write_csv(totals_table(person_facts(frame)), truth_dir / "totals.csv")
    gt["groups"] = write_csv(gtab, truth_dir / "groups.csv")
    gt["invalid_rows"] = write_csv(invalid, truth_dir / "invalid_rows.csv")
    gt["capture_model"] = truth_dir / "capture_model.json"
    gt["capture_model"].write_text(json.dumps(capture_model.to_dict(), indent=2),
                                   encoding="utf-8")
    if faults is not None:
        gt["organisations"] = truth_dir / "organisations.json"
        gt["organisations"].write_text(json.dumps(faults.to_dict(), indent=2),
                                       encoding="utf-8")

    result.counts = {
        "person_years": len(frame), "persons": int(frame["person_id"].nunique()),
        "registered_person_years": int(frame["registered"].sum()),
        "reports": len(rep) + (faults.late_reports if faults else 0),
        "locations": len(loc) + (faults.late_locations if faults else 0),
        "investigations": len(chain.investigations),
        "suspects": len(chain.suspects), "cases": len(chain.cases),
        "verdicts": len(chain.verdicts), "group_members": len(gtab),
        "invalid_rows": len(invalid),
    }
    by_year = frame.groupby("year")
    reg_sum, sizes = by_year["registered"].sum(), by_year.size()
    result.registered_by_year = {int(y): int(reg_sum[y]) for y in years_l}
    result.true_by_year = {int(y): int(sizes[y]) for y in years_l}
    result.seconds = time.perf_counter() - t0
    logger.info("synthetic data written to %s in %.1f s", out, result.seconds)
    return result
