"""The generator's packaged tables (`synth/data/*.csv`, their sources in its README)."""

from __future__ import annotations

import csv
from importlib import resources

__all__ = ["read_data"]


def read_data(name: str) -> list[dict[str, str]]:
    """The rows of `synth/data/<name>` as dictionaries of text."""
    text = resources.files("thbmonitor.synth").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))
