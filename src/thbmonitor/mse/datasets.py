"""The published capture tables shipped with the package, and the R references' results.

`load("UKdat_5")` returns a `CaptureTable`; `names()` lists the tables;
`reference()` the results of the R packages on them (with the exact R calls)
and `published()` the numbers stated in the papers. Sources: see
``thbmonitor/mse/data/README.md``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from thbmonitor.errors import UsageError
from thbmonitor.mse.table import CaptureTable

__all__ = ["load", "names", "published", "reference"]



def _data() -> Any:
    return resources.files("thbmonitor.mse") / "data"


def names() -> list[str]:
    """The shipped tables, without `.csv`."""
    return sorted(
        p.name[:-4] for p in _data().iterdir() if p.name.endswith(".csv")
    )


def load(name: str) -> CaptureTable:
    """A shipped table by name (`"UKdat_5"` or `"UKdat_5.csv"`)."""
    stem = name[:-4] if name.endswith(".csv") else name
    if stem not in names():
        raise UsageError(f"no shipped table {name!r}; have {', '.join(names())}")
    with resources.as_file(_data() / f"{stem}.csv") as path:
        return CaptureTable.from_csv(path)


def _json(filename: str) -> Any:
    return json.loads((_data() / filename).read_text(encoding="utf-8"))


def reference() -> list[dict[str, Any]]:
    """Results of SparseMSE, MultipleSystemsEstimation and Rcapture on the tables."""
    return list(_json("reference.json"))


def published() -> list[dict[str, Any]]:
    """Estimates and intervals as stated in the papers."""
    return list(_json("published.json"))
