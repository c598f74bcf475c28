"""What an organisation writes down: the true identity with realistic recording noise.

Every report starts from its person's true name (Faker lists, Cyrillic names
in Cyrillic), date of birth, sex and nationality, and then, independently per
report and at the rates in `NoiseRates`:

- Cyrillic names are romanised with one of several systems (`romanised:<system>`);
- Spanish double surnames are written in full, first only, second only or hyphenated;
- a typo (substitution, deletion, transposition or doubling) in one name (`typo`);
- given and family name swapped (`swap`);
- only the birth year (`birth_year_only`) or no date of birth (`no_birth_date`),
  or day and month transposed (`dob_day_month`), or one digit of the full date
  mistyped into another valid date (`dob_digit`);
- nationality left empty (`no_nationality`) or `unknown` (`nationality_unknown`),
  or another nationality recorded than the true one (`nationality_other`), a
  plausible one from `data/nationality_confusions.csv` (a neighbour, a shared
  language or a second passport; each row says why);
- sex `unknown` (`sex_unknown`);
- with `date_format_noise` > 0, dates written DD-MM-YYYY (`date_ddmmyyyy`).

Each report's applied noise is listed in `ground_truth/report_persons.csv`.

`dob_digit` and `nationality_other` came after the others and are drawn from
their own random stream (`apply_noise`'s `own_rng`), so that adding them changed
no other draw: only the reports they touch differ from the files of before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from thbmonitor.synth.names import CYRILLIC_LOCALES, SPANISH_LOCALES, romanisation_systems, romanise
from thbmonitor.synth.packaged import read_data

__all__ = ["NATIONALITY_OTHER", "NoiseRates", "apply_noise", "nationality_confusions"]

_LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))


#: The share of reports with another nationality recorded than the true one.
NATIONALITY_OTHER = 0.015


@dataclass(frozen=True)
class NoiseRates:
    """Per-report rates of each kind of recording noise (documented defaults).

    Rates are shares of all reports. `dob_digit` is drawn among the reports
    with a full date of birth (not transposed) and `nationality_other` among
    those with a nationality recorded, each scaled up so that the share of all
    reports is the rate; 1.5% each is an assumption of registration error (one
    digit mistyped, the other passport or a neighbour's nationality noted).
    """

    typo: float = 0.06
    swap: float = 0.04
    birth_year_only: float = 0.12
    no_birth_date: float = 0.10
    dob_day_month: float = 0.02
    no_nationality: float = 0.07
    nationality_unknown: float = 0.02
    sex_unknown: float = 0.02
    date_format_noise: float = 0.0
    dob_digit: float = 0.015
    nationality_other: float = NATIONALITY_OTHER


@cache
def nationality_confusions() -> dict[str, tuple[tuple[str, ...], np.ndarray]]:
    """True nationality -> the nationalities recorded instead, with their weights."""
    table: dict[str, dict[str, float]] = {}
    for row in read_data("nationality_confusions.csv"):
        table.setdefault(row["code"], {})[row["recorded_as"]] = float(row["weight"])
    return {code: (tuple(w), np.asarray(list(w.values())) / sum(w.values()))
            for code, w in table.items()}


#: Positions of YYYYMMDD a digit typo may hit: the last two of the year, month, day
#: (a mistyped century gives a date no register would accept).
_DIGIT_POSITIONS = (2, 3, 4, 5, 6, 7)


def _digit_typo(iso: str, u_pos: float, u_digit: float, earliest: dt.date,
                latest: dt.date) -> str:
    """`iso` (YYYY-MM-DD) with one digit changed into another valid date in range.

    A position is chosen uniformly among those where some other digit gives a valid
    date in [`earliest`, `latest`], then a digit uniformly among those that do; the
    date unchanged ("") if none does.
    """
    digits = iso.replace("-", "")
    options: list[list[str]] = []
    for pos in _DIGIT_POSITIONS:
        valid = []
        for d in "0123456789":
            if d == digits[pos]:
                continue
            cand = digits[:pos] + d + digits[pos + 1:]
            try:
                day = dt.date(int(cand[:4]), int(cand[4:6]), int(cand[6:]))
            except ValueError:
                continue
            if earliest <= day <= latest:
                valid.append(day.isoformat())
        if valid:
            options.append(valid)
    if not options:
        return ""
    pick = options[int(u_pos * len(options))]
    return pick[int(u_digit * len(pick))]


def _typo(name: str, kind: int, pos: float, letter: str) -> str:
    if len(name) < 3:
        return name + letter
    i = 1 + int(pos * (len(name) - 2))
    if kind == 0:  # substitution
        return name[:i] + letter + name[i + 1 :]
    if kind == 1:  # deletion
        return name[:i] + name[i + 1 :]
    if kind == 2:  # transposition
        return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]
    return name[:i] + name[i] + name[i:]  # doubling


def _ddmmyyyy(iso: pd.Series) -> pd.Series:
    return iso.str[8:10] + "-" + iso.str[5:7] + "-" + iso.str[0:4]


def apply_noise(
    reports: pd.DataFrame, persons: pd.DataFrame, rng: np.random.Generator, rates: NoiseRates,
    *, own_rng: np.random.Generator,
) -> pd.DataFrame:
    """Identity columns of each report (given_name ... sex) and a `noise` column.

    `reports` needs `person_id` and `report_date`; `persons` is indexed by
    person_id with given_name, family_name, locale, birth_date, sex, nationality.
    `own_rng` draws `dob_digit` and `nationality_other`, everything else `rng`.
    """
    n = len(reports)
    p = persons.loc[reports["person_id"].to_numpy()]
    given = p["given_name"].to_numpy(dtype=object).copy()
    family = p["family_name"].to_numpy(dtype=object).copy()
    second = p["family_name_2"].to_numpy(dtype=object)
    locale = p["locale"].to_numpy(dtype=object)
    tags: list[list[str]] = [[] for _ in range(n)]

    def tag(mask: np.ndarray, label: str | np.ndarray) -> None:
        for i in np.flatnonzero(mask):
            tags[i].append(label if isinstance(label, str) else str(label[i]))

    # romanisation of Cyrillic names
    for loc, lang in CYRILLIC_LOCALES.items():
        idx = np.flatnonzero(locale == loc)
        if not idx.size:
            continue
        systems = np.array(romanisation_systems(lang), dtype=object)
        pick = systems[rng.choice(len(systems), idx.size, p=[0.55, 0.25, 0.2])]
        given[idx] = [romanise(g, lang, s) for g, s in zip(given[idx], pick, strict=True)]
        family[idx] = [romanise(f, lang, s) for f, s in zip(family[idx], pick, strict=True)]
        for i, s in zip(idx, pick, strict=True):
            tags[i].append(f"romanised:{s}")
    # Spanish double surnames
    idx = np.flatnonzero(np.isin(locale, list(SPANISH_LOCALES)))
    u = rng.random(idx.size)
    for i, v in zip(idx, u, strict=True):
        if v < 0.35:
            tags[i].append("surname_first_only")
        elif v < 0.42:
            family[i] = second[i]
            tags[i].append("surname_second_only")
        elif v < 0.52:
            family[i] = f"{family[i]}-{second[i]}"
            tags[i].append("surname_hyphen")
        else:
            family[i] = f"{family[i]} {second[i]}"
    # typos
    typo = rng.random(n) < rates.typo
    in_given = rng.random(n) < 0.5
    kinds, pos = rng.integers(0, 4, n), rng.random(n)
    letters = _LETTERS[rng.integers(0, 26, n)]
    for i in np.flatnonzero(typo):
        if in_given[i]:
            given[i] = _typo(str(given[i]), int(kinds[i]), float(pos[i]), str(letters[i]))
        else:
            family[i] = _typo(str(family[i]), int(kinds[i]), float(pos[i]), str(letters[i]))
    tag(typo, np.where(in_given, "typo:given", "typo:family"))
    swap = rng.random(n) < rates.swap
    given[swap], family[swap] = family[swap], given[swap].copy()
    tag(swap, "swap")
    # date of birth
    birth = p["birth_date"].to_numpy().astype("datetime64[D]")
    dob = pd.Series(np.datetime_as_string(birth, unit="D"), dtype=object)
    byear = pd.Series(dob.str[:4], dtype=object)
    u = rng.random(n)
    year_only = u < rates.birth_year_only
    none = (u >= rates.birth_year_only) & (u < rates.birth_year_only + rates.no_birth_date)
    full = ~(year_only | none)
    day = dob.str[8:10].astype(int).to_numpy()
    flip = full & (day <= 12) & (rng.random(n) < rates.dob_day_month / 0.4)
    dob[flip] = dob[flip].str[:5] + dob[flip].str[8:10] + "-" + dob[flip].str[5:7]
    dob[~full] = ""
    byear[~year_only] = ""
    tag(year_only, "birth_year_only")
    tag(none, "no_birth_date")
    tag(flip, "dob_day_month")
    # one digit of the full date mistyped (own stream: no earlier draw moves)
    p_full = max(1e-9, 1.0 - rates.birth_year_only - rates.no_birth_date)
    u_digit = own_rng.random((n, 3))
    digit = full & ~flip & (u_digit[:, 0] < rates.dob_digit / p_full)
    reported = reports["report_date"].to_numpy().astype("datetime64[D]")
    for i in np.flatnonzero(digit):
        latest = reported[i].astype(dt.date)
        earliest = latest.replace(year=latest.year - 100, day=min(latest.day, 28))
        typed = _digit_typo(str(dob.iat[int(i)]), float(u_digit[i, 1]), float(u_digit[i, 2]),
                            earliest, latest)
        if typed:
            dob.iat[int(i)] = typed
        else:
            digit[i] = False
    tag(digit, "dob_digit")
    # nationality and sex
    nat = p["nationality"].to_numpy(dtype=object).copy()
    u = rng.random(n)
    no_nat = u < rates.no_nationality
    unk = (u >= rates.no_nationality) & (u < rates.no_nationality + rates.nationality_unknown)
    nat[no_nat] = ""
    nat[unk] = "unknown"
    tag(no_nat, "no_nationality")
    tag(unk, "nationality_unknown")
    # another nationality recorded (own stream), from the table of plausible ones
    p_recorded = max(1e-9, 1.0 - rates.no_nationality - rates.nationality_unknown)
    u_nat = own_rng.random((n, 2))
    other = ~(no_nat | unk) & (u_nat[:, 0] < rates.nationality_other / p_recorded)
    confusions = nationality_confusions()
    for i in np.flatnonzero(other):
        choices = confusions.get(str(nat[i]))
        if choices is None:
            other[i] = False
            continue
        codes, weights = choices
        nat[i] = codes[min(int(np.searchsorted(np.cumsum(weights), u_nat[i, 1], side="right")),
                           len(codes) - 1)]
    tag(other, "nationality_other")
    sex = p["sex"].to_numpy(dtype=object).copy()
    sex_unk = rng.random(n) < rates.sex_unknown
    sex[sex_unk] = "unknown"
    tag(sex_unk, "sex_unknown")
    if rates.date_format_noise > 0:
        fmt = (rng.random(n) < rates.date_format_noise) & full
        dob[fmt] = _ddmmyyyy(dob[fmt])
        tag(fmt, "date_ddmmyyyy")
    return pd.DataFrame({
        "given_name": given, "family_name": family, "date_of_birth": dob.to_numpy(),
        "birth_year": byear.to_numpy(), "sex": sex, "nationality": nat,
        "noise": [";".join(t) for t in tags],
    }, index=reports.index)
