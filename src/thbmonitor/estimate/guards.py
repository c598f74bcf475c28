"""Guards: when the dark figure is not estimated, or published only as a rounded range.

Thresholds (docs/mse.md, "Guards"):

- fewer than `MIN_VICTIMS` victims seen by the lists in the year, or fewer
  than `MIN_OVERLAP` people on two or more lists in the data the model is
  fitted to: **no estimate** (the overlaps are all that MSE learns from);
- an interval whose upper limit is more than `WIDE_FACTOR` times its lower
  limit, covariate models that disagree by more than `DISAGREE_FACTOR`, or a
  ratio to the registered number outside `RATIO_RANGE` (the published Dutch
  estimates are four to five times the registered number): the estimate is
  **published as a rounded range** with the warning in the report's text.
"""

from __future__ import annotations

from collections.abc import Sequence

from thbmonitor.estimate.result import Guard

__all__ = ["DISAGREE_FACTOR", "MIN_OVERLAP", "MIN_VICTIMS", "RATIO_RANGE", "WIDE_FACTOR",
           "blocking_guards", "warning_guards"]

MIN_VICTIMS = 50
MIN_OVERLAP = 20
WIDE_FACTOR = 2.0
DISAGREE_FACTOR = 2.0
RATIO_RANGE = (3.0, 7.0)


def blocking_guards(victims: int, overlap: int) -> list[Guard]:
    """Too few victims or overlaps: no estimate."""
    return [
        Guard("too_few_victims", victims >= MIN_VICTIMS, float(victims), MIN_VICTIMS,
              f"{victims} {'victim' if victims == 1 else 'victims'} seen by the lists in the "
              f"year; at least {MIN_VICTIMS} are "
              "needed for an estimate", blocks=True),
        Guard("too_few_overlaps", overlap >= MIN_OVERLAP, float(overlap), MIN_OVERLAP,
              f"{overlap} {'person' if overlap == 1 else 'people'} on two or more lists; at "
              f"least {MIN_OVERLAP} are needed "
              "(multiple systems estimation learns only from the overlaps)", blocks=True),
    ]


def warning_guards(estimate: float, observed: int, ci: Sequence[float] | None,
                   covariate_estimates: Sequence[float]) -> list[Guard]:
    """Wide interval, disagreeing models, implausible ratio: publish as a range."""
    guards: list[Guard] = []
    if ci is not None and ci[0] > 0:
        width = ci[1] / ci[0]
        guards.append(Guard(
            "wide_interval", width <= WIDE_FACTOR, round(width, 3), WIDE_FACTOR,
            f"the interval's upper limit is {width:.1f} times its lower limit (more than "
            f"{WIDE_FACTOR:g} is too uncertain for a single number)"))
    elif ci is None:
        guards.append(Guard("no_interval", False, None, None,
                            "no interval could be computed for this estimate"))
    values = [v for v in covariate_estimates if v and v > 0]
    if len(values) >= 2:
        spread = max(values) / min(values)
        guards.append(Guard(
            "models_disagree", spread <= DISAGREE_FACTOR, round(spread, 3), DISAGREE_FACTOR,
            f"models with covariates disagree by a factor {spread:.1f} (more than "
            f"{DISAGREE_FACTOR:g})"))
    if observed:
        ratio = estimate / observed
        lo, hi = RATIO_RANGE
        guards.append(Guard(
            "implausible_ratio", lo <= ratio <= hi, round(ratio, 3), list(RATIO_RANGE),
            f"the estimate is {ratio:.1f} times the registered number, far from the four to "
            f"five times of the published Dutch estimates (outside {lo:g} to {hi:g})"))
    return guards
