"""A trained model is retrievable from a run and re-usable: `link_persons(db, model=...)`.

Defect (issue 16, found last session): `LinkResult.model` is the run's summary (engine,
seed, prior, comparison names), not Splink's settings JSON, and handing it back to
`link_persons(model=...)` failed deep inside Splink with a KeyError instead of scoring.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from link_data import Linked, predicted

from thbmonitor.errors import UsageError
from thbmonitor.link import link_persons, saved_model
from thbmonitor.store import Database


def test_the_full_model_of_a_result_scores_again(synth_linked: Linked,
                                                 realistic_copy: Path) -> None:
    assert synth_linked.result is not None
    with Database(realistic_copy) as db:
        before = predicted(db).sort_values(["source", "report_id"]).reset_index(drop=True)
        full = synth_linked.result.trained_model
        assert full is not None and full == saved_model(db, synth_linked.result.run_id)
        again = link_persons(db, model=full)
        after = predicted(db).sort_values(["source", "report_id"]).reset_index(drop=True)
    assert again.settings["trained"] is False
    assert again.persons == synth_linked.result.persons
    assert before.equals(after)


def test_the_summary_is_refused_with_a_clear_error(synth_linked: Linked,
                                                   realistic_copy: Path) -> None:
    assert synth_linked.result is not None and synth_linked.result.model is not None
    with Database(realistic_copy) as db, pytest.raises(UsageError, match="saved_model"):
        link_persons(db, model=synth_linked.result.model)


def test_saved_model_names_a_missing_run(realistic_copy: Path) -> None:
    with Database(realistic_copy) as db:
        latest = saved_model(db)
        assert latest["comparisons"]
        with pytest.raises(UsageError, match="no linkage run"):
            saved_model(db, "no-such-run")
