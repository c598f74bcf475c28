"""The capture model: which organisations see which true victims.

A capture–recapture process, as multiple systems estimation assumes it and
as the estimator must be tested on (issue 18):

- each organisation type ``j`` sees victim ``i`` *directly*, independently of
  the other types, with probability ``p_ij = 1 - exp(-level[y] * factor[y, j]
  * exp(x_i . effect_j))``, where ``x_i`` are the victim's *recorded* traits
  (age group, sex, form of exploitation, Dutch or not) — heterogeneity that
  the lists record, so a model with list x covariate terms can represent it;
- then *referrals* between named pairs of types (`REFERRALS`): when ``a`` saw
  the victim directly, the odds that ``b`` sees them are ``theta_ab`` times
  higher (an independent extra draw with chance ``(p' - p) / (1 - p)``,
  ``p' = theta p / (1 - p + theta p)``) — a constant odds ratio, the list
  dependence that a two-list interaction term represents. (An additive
  referral chance instead makes the odds ratio depend on the traits, which
  no log-linear model with a constant interaction represents: measured on
  seed 1, 27% too low.)
- a victim is registered when at least one organisation saw them, so the
  registered count is random.

Calibration (in expectation, per year): the type factors are raked so that
the expected sightings per type follow the published report shares; the
level is set so that the true population is `TRUE_RATIO` times the
registered number (about five, as the published Dutch MSE estimates). The
true number in each calibration stratum is then drawn as Poisson with mean
``quota / P(seen)``, so its expected registered count is the published one.
Everything is recorded in `CaptureModel.to_dict()` (``ground_truth/capture_model.json``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from thbmonitor.synth.calibration import SOURCE_TYPES

__all__ = [
    "CaptureModel", "DUPLICATE_RATE", "EFFECTS", "REFERRALS", "REFERRAL_LEVEL", "TRAITS",
    "TRUE_RATIO", "calibrate", "capture_probabilities", "draw_sightings", "trait_matrix",
]

#: How many true victims per registered victim, in expectation (published: four to five).
TRUE_RATIO = 5.0
#: Chance that an organisation reports the same person twice in the year.
DUPLICATE_RATE = 0.025
#: (seeing type, referred type) -> odds ratio of the referral: when the first type saw the
#: victim directly, the odds that the second sees them too are this many times higher
#: (a constant odds ratio, so a two-list interaction term can represent it). Referring
#: types are never referred to themselves: chains of referrals (A refers to B, who refers
#: to C) and many referrals between the lists make interactions of three lists, which
#: the two-factor models leave out (measured on seed 1 with fourteen pairs, chains
#: included: the default estimate 27% too low).
REFERRALS: dict[tuple[str, str], float] = {
    ("police", "care_coordinator"): 5.0, ("labour_inspectorate", "ngo"): 6.0,
    ("border_police", "care_coordinator"): 3.0,
}
#: Overall level of the referrals: odds ratios are raised to this power.
REFERRAL_LEVEL = 1.0

#: The recorded traits that capture depends on (0/1 indicators; the reference
#: levels are adult, female, sexual exploitation, non-Dutch).
TRAITS: tuple[str, ...] = ("minor", "male", "labour", "criminal", "other_form", "dutch")
#: Log-scale effect of each trait on each type's chance to see a victim
#: (columns as `TRAITS`); "all" applies to every type (how hidden a group is).
EFFECTS: dict[str, tuple[float, ...]] = {
    "all": (-0.2, -0.1, -0.1, -0.5, -0.3, 0.0),
    "police": (0.0, 0.0, -0.8, 0.5, -0.2, 0.2),
    "border_police": (-1.0, 0.0, -0.3, -0.5, 0.0, -1.8),
    "labour_inspectorate": (-1.5, 0.3, 2.6, 0.0, 0.3, -0.3),
    "care_coordinator": (0.5, -0.4, -0.7, -0.2, 0.0, 0.3),
    "ngo": (-0.8, 0.1, 1.2, -0.3, 0.2, -0.4),
    "reception_centre": (-0.5, 0.2, 0.0, 0.0, 0.0, -2.5),
    "guardianship": (2.5, 0.0, 0.0, 0.0, 0.0, -1.5),
    "municipality": (1.0, 0.0, 0.0, 0.0, 0.3, 0.3),
    "shelter": (0.0, -0.8, -0.5, 0.0, 0.0, 0.0),
    "lawyer": (0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    "self": (0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    "other": (0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
}
_K = len(SOURCE_TYPES)
_IDX = {t: i for i, t in enumerate(SOURCE_TYPES)}


def _category(expl: np.ndarray) -> np.ndarray:
    """The exclusive form of exploitation (the figures' category)."""
    values = pd.Series(expl, dtype=object).astype(str)

    def one(value: str) -> str:
        known = [x for x in value.split(";") if x and x != "unknown"]
        return "unknown" if not known else ("multiple" if len(known) > 1 else known[0])

    table = {v: one(v) for v in values.unique()}
    return np.asarray(values.map(table).to_numpy(), dtype=object)


def trait_matrix(stratum: np.ndarray, sex: np.ndarray, nationality: np.ndarray,
                 exploitation: np.ndarray) -> np.ndarray:
    """(n, len(TRAITS)) 0/1 matrix of the recorded traits."""
    cat = _category(exploitation)
    minor = np.char.startswith(np.asarray(stratum, dtype=str), "minor")
    return np.column_stack([
        minor, np.asarray(sex) == "male", cat == "labour", cat == "criminal",
        ~np.isin(cat, ["sexual", "labour", "criminal"]), np.asarray(nationality) == "NL",
    ]).astype(float)


def _weights(traits: np.ndarray) -> np.ndarray:
    """exp(x . effect) per victim and type, (n, K)."""
    eff = np.array([EFFECTS[t] for t in SOURCE_TYPES]) + np.array(EFFECTS["all"])
    return np.asarray(np.exp(traits @ eff.T))


def _referral_matrix() -> np.ndarray:
    """Odds ratios (seeing type, referred type); 1 where there is no referral."""
    s = np.ones((_K, _K))
    for (a, b), theta in REFERRALS.items():
        s[_IDX[a], _IDX[b]] = theta ** REFERRAL_LEVEL
    return s


def _extra(p: np.ndarray, theta: float) -> np.ndarray:
    """Chance of the extra referral draw that raises the odds of `p` by `theta`."""
    raised = theta * p / (1 - p + theta * p)
    return np.asarray((raised - p) / np.maximum(1 - p, 1e-12))


def capture_probabilities(traits: np.ndarray, level: float, factor: np.ndarray) -> np.ndarray:
    """Direct capture probabilities (n, K)."""
    return np.asarray(-np.expm1(-level * factor[None, :] * _weights(traits)))


def _seen_by(direct: np.ndarray, s: np.ndarray) -> np.ndarray:
    """P(type j sees i) with one step of referral: 1 - (1 - p_j) prod_a (1 - p_a q_aj)."""
    miss = 1 - direct
    for a, b in zip(*np.nonzero(s != 1), strict=True):
        miss[:, b] *= 1 - direct[:, a] * _extra(direct[:, b], s[a, b])
    return np.asarray(1 - miss)


@dataclass
class CaptureModel:
    """The true capture model of every year (ground truth)."""

    level: dict[int, float] = field(default_factory=dict)
    factor: dict[int, np.ndarray] = field(default_factory=dict)
    expected_registered: dict[int, float] = field(default_factory=dict)
    expected_true: dict[int, float] = field(default_factory=dict)

    def probabilities(self, year: int, traits: np.ndarray) -> np.ndarray:
        return capture_probabilities(traits, self.level[year], self.factor[year])

    def to_dict(self) -> dict[str, Any]:
        return {
            "form": "p_direct[i, j] = 1 - exp(-level[year] * factor[year][j] * "
                    "exp(sum_t traits[i, t] * (effects[j][t] + effects['all'][t]))); "
                    "then for each referral (a, b), when a saw i directly, an extra draw "
                    "with chance (p' - p) / (1 - p), p = p_direct[i, b], "
                    "p' = theta p / (1 - p + theta p), theta = odds_ratio ** referral_level; "
                    "all draws independent; registered = seen by any type",
            "traits": list(TRAITS),
            "trait_reference": "adult, female, sexual exploitation, non-Dutch",
            "effects": {k: list(v) for k, v in EFFECTS.items()},
            "referrals": [{"from": a, "to": b, "odds_ratio": theta ** REFERRAL_LEVEL}
                          for (a, b), theta in REFERRALS.items()],
            "referral_level": REFERRAL_LEVEL,
            "duplicate_rate": DUPLICATE_RATE,
            "true_ratio_target": TRUE_RATIO,
            "level": {str(y): v for y, v in self.level.items()},
            "factor": {str(y): dict(zip(SOURCE_TYPES, map(float, f), strict=True))
                       for y, f in self.factor.items()},
            "expected_registered": {str(y): v for y, v in self.expected_registered.items()},
            "expected_true": {str(y): v for y, v in self.expected_true.items()},
        }


def calibrate(traits: np.ndarray, pool: np.ndarray, quota: dict[int, float],
              shares: dict[str, float], iterations: int = 30) -> tuple[float, np.ndarray,
                                                                       dict[int, float]]:
    """Level, type factors and P(seen) per stratum for one year.

    `traits` are pilot victims, `pool[i]` their stratum index; `quota[s]` the
    expected registered count of stratum ``s``. The true count of stratum
    ``s`` is ``quota[s] / pseen[s]``; its pilots stand for it in proportion.
    """
    s = _referral_matrix()
    target = np.array([shares[t] for t in SOURCE_TYPES])
    w = _weights(traits)
    level, factor = 0.05, np.ones(_K)
    ids = sorted(quota)
    members = {k: np.flatnonzero(pool == k) for k in ids}
    pseen: dict[int, float] = {}
    for _ in range(iterations):
        direct = -np.expm1(-level * factor[None, :] * w)
        seen_any = -np.expm1(np.log1p(-direct).sum(axis=1))
        seen = _seen_by(direct, s)
        expected = np.zeros(_K)
        true_total = 0.0
        for k in ids:
            m = members[k]
            pseen[k] = max(float(seen_any[m].mean()), 1e-9)
            n_true = quota[k] / pseen[k]
            true_total += n_true
            expected += seen[m].mean(axis=0) * n_true
        factor *= target / np.maximum(expected / expected.sum(), 1e-12)
        factor /= factor[_IDX["police"]]
        ratio = true_total / max(sum(quota.values()), 1e-9)
        level *= ratio / TRUE_RATIO
    return level, factor, pseen


def draw_sightings(traits: np.ndarray, level: float, factor: np.ndarray,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(seen, direct): who saw each victim, (n, K) booleans; independent draws."""
    direct_p = capture_probabilities(traits, level, factor)
    direct = rng.random(direct_p.shape) < direct_p
    s = _referral_matrix()
    referred = np.zeros_like(direct)
    for a, b in zip(*np.nonzero(s != 1), strict=True):
        chance = _extra(direct_p[:, b], s[a, b])
        referred[:, b] |= direct[:, a] & (rng.random(direct.shape[0]) < chance)
    return direct | referred, direct
