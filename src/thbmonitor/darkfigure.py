"""Moved to `thbmonitor.estimate` (issue 18); kept for existing imports."""

from thbmonitor.estimate import COVARIATES, DarkFigure, estimate_dark_figure, parse_lists

__all__ = ["COVARIATES", "DarkFigure", "estimate_dark_figure", "parse_lists"]
