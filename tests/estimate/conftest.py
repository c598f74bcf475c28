"""Estimate tests: the hand-made figures builder of the publish tests renders reports."""

from __future__ import annotations

import sys
from pathlib import Path

PUBLISH = str(Path(__file__).parents[1] / "publish")
if PUBLISH not in sys.path:
    sys.path.insert(0, PUBLISH)
