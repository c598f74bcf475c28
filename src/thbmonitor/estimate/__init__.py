"""The dark figure: how many victims no organisation saw (issue 18).

`estimate_dark_figure(db, year)` builds the capture histories of the linked
victims (`capture.py`), fits the default model of the Dutch estimates
(pooled window of years, four covariates, BIC, bootstrap repeating the
selection; `darkfigure.py`), checks it (`guards.py`) and returns a typed
`DarkFigure` whose `to_dict()` is `thb estimate --json` and what the annual
report shows. The estimation engine itself is `thbmonitor.mse`.
"""

from thbmonitor.estimate.capture import DEFAULT_LISTS, capture_records, pooled_records
from thbmonitor.estimate.darkfigure import COVARIATES, METHODS, estimate_dark_figure, parse_lists
from thbmonitor.estimate.result import DarkFigure, Guard, SensitivityRow, YearEstimate

__all__ = [
    "COVARIATES", "DEFAULT_LISTS", "METHODS", "DarkFigure", "Guard", "SensitivityRow",
    "YearEstimate", "capture_records", "estimate_dark_figure", "parse_lists", "pooled_records",
]
