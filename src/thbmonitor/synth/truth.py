"""Ground-truth tables: persons, per-stratum totals, planted groups.

The pipeline never reads these; tests and benchmarks compare its results
with them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from thbmonitor.synth.writer import iso, write_csv

__all__ = ["write_person_table", "person_facts", "totals_table", "exploitation_category",
           "TOTAL_STRATA"]

#: Stratum -> the values always listed (zeros included), CONTRACTS §3 keys.
TOTAL_STRATA: dict[str, tuple[str, ...]] = {
    "total": ("all",),
    "exploitation": ("sexual", "labour", "criminal", "organ_removal", "other", "multiple",
                     "unknown"),
    "age_group": ("minor", "adult", "unknown"),
    "sex": ("female", "male", "other", "unknown"),
    "nationality_group": ("NL", "EU", "europe_other", "latin_america", "africa", "asia", "other",
                          "unknown"),
    "scope": ("domestic", "cross_border", "unknown"),
    "published": ("minor_criminal", "nationality_UA", "latin_america_sexual", "africa_sexual"),
}


def exploitation_category(expl: pd.Series) -> np.ndarray:
    """CONTRACTS §3 exclusive category: the single known form, `multiple`, or `unknown`."""
    def one(value: str) -> str:
        known = [x for x in value.split(";") if x and x != "unknown"]
        return "unknown" if not known else ("multiple" if len(known) > 1 else known[0])

    values = expl.astype(str)
    table = {v: one(v) for v in values.unique()}
    return np.asarray(values.map(table).to_numpy(), dtype=object)


def _joined(keys: np.ndarray, owner: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """For each key 0..n-1, its distinct `values` (sorted) joined with `;` (vectorised)."""
    out = np.full(n, "", dtype=object)
    for value in sorted(set(values.tolist())):
        has = np.zeros(n, dtype=bool)
        has[owner[values == value]] = True
        out[has] = np.where(out[has] == "", str(value), out[has] + ";" + str(value))
    return out[keys]


def _ages(frame: pd.DataFrame) -> np.ndarray:
    ref = frame["ref_date"].to_numpy().astype("datetime64[D]")
    birth = frame["birth_date"].to_numpy().astype("datetime64[D]")
    years = ref.astype("datetime64[Y]").astype(int) - birth.astype("datetime64[Y]").astype(int)
    later_birthday = (ref - ref.astype("datetime64[Y]")) < (birth - birth.astype("datetime64[Y]"))
    return np.asarray(years - later_birthday)


def person_facts(frame: pd.DataFrame) -> pd.DataFrame:
    """The per-person-year facts that totals are counted on (compact: categories)."""
    age = _ages(frame)
    return pd.DataFrame({
        "year": frame["year"].to_numpy(),
        "registered": frame["registered"].to_numpy(),
        "exploitation": pd.Categorical(exploitation_category(frame["exploitation"])),
        "age_group": pd.Categorical(np.where(age < 18, "minor", "adult")),
        "sex": frame["sex"], "nationality": frame["nationality"],
        "nationality_group": frame["nat_group"], "scope": frame["scope"],
    })


def write_person_table(
    frame: pd.DataFrame, persons: pd.DataFrame, reports: pd.DataFrame, path: Path,
    chunk: int = 100_000,
) -> Path:
    """persons.csv: one row per person and year victimised, written in chunks."""
    by_py = reports.groupby("py")
    n = len(frame)
    types = _joined(np.arange(n), reports["py"].to_numpy(), reports["source_type"].to_numpy(), n)
    n_reports = by_py.size().reindex(range(n)).fillna(0).astype(int).to_numpy()
    first_date = by_py["report_date"].min().reindex(range(n)).to_numpy()
    pid = frame["person_id"].to_numpy()
    years_of = _joined(np.arange(pid.max() + 1), pid, frame["year"].to_numpy(), pid.max() + 1)
    age = _ages(frame)
    category = exploitation_category(frame["exploitation"])
    path.parent.mkdir(parents=True, exist_ok=True)
    for start in range(0, n, chunk):
        sl = slice(start, min(start + chunk, n))
        f = frame.iloc[sl]
        p = persons.loc[pid[sl]]
        part = pd.DataFrame({
            "person_id": [f"P{i:07d}" for i in pid[sl]],
            "year": f["year"].to_numpy(),
            "years_victimised": years_of[pid[sl]],
            "stratum": f["stratum"].to_numpy(),
            "sex": f["sex"].to_numpy(),
            "birth_date": iso(f["birth_date"]),
            "age": age[sl],
            "age_group": np.where(age[sl] < 18, "minor", "adult"),
            "nationality": f["nationality"].to_numpy(),
            "nationality_group": f["nat_group"].to_numpy(),
            "exploitation": f["exploitation"].to_numpy(),
            "exploitation_category": category[sl],
            "sector": f["sector"].to_numpy(),
            "scope": f["scope"].to_numpy(),
            "region": f["region"].to_numpy(),
            "registered": np.where(f["registered"].to_numpy(), "true", "false"),
            "reported_by": types[sl],
            "n_reports": n_reports[sl],
            "first_report_date": iso(first_date[sl]),
            "given_name": p["given_name"].to_numpy(),
            "family_name": p["family_name"].to_numpy(),
            "family_name_2": p["family_name_2"].to_numpy(),
            "name_locale": p["locale"].to_numpy(),
        })
        write_csv(part, path, append=start > 0)
    return path


def totals_table(facts: pd.DataFrame) -> pd.DataFrame:
    """totals.csv: per year and stratum value, the true and the registered number of victims."""
    t = facts.assign(total="all", reg=facts["registered"].astype(int))
    cat = t["exploitation"].astype(object)
    grp = t["nationality_group"].astype(object)
    minor = (t["age_group"] == "minor").to_numpy()
    published = np.select(
        [minor & (cat == "criminal").to_numpy(), (t["nationality"] == "UA").to_numpy(),
         ((grp == "latin_america") & (cat == "sexual")).to_numpy(),
         ((grp == "africa") & (cat == "sexual")).to_numpy()],
        ["minor_criminal", "nationality_UA", "latin_america_sexual", "africa_sexual"], "",
    )
    t["published"] = published
    rows = []
    for stratum, values in TOTAL_STRATA.items():
        g = t.groupby(["year", t[stratum].astype(object)])
        true = g.size()
        reg = g["reg"].sum()
        for year in sorted(t["year"].unique()):
            for value in values:
                key = (year, value)
                rows.append((int(year), stratum, value, int(true.get(key, 0)),
                             int(reg.get(key, 0))))
    return pd.DataFrame(rows, columns=["year", "stratum", "value", "true_total",
                                       "registered_total"])
