"""Exports of a year without data are refused, never a table of zeros (issue: `thb export
eurostat --year 2018` wrote a table of zeros)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from figures_builder import StoreBuilder

from thbmonitor.errors import UsageError
from thbmonitor.publish.exports.ctdc import ctdc_export
from thbmonitor.publish.exports.eurostat import eurostat_export
from thbmonitor.publish.exports.sdg import sdg_export


@pytest.mark.parametrize("export", [eurostat_export, sdg_export, ctdc_export])
def test_an_export_of_a_year_without_data_is_refused(
    small_store: StoreBuilder, export: Callable[..., Any]
) -> None:
    with pytest.raises(UsageError, match="no data for 2018: the store holds data for 2022 to 2025"):
        export(small_store.db, 2018)
