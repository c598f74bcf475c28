"""The same seed gives byte-identical files; another seed gives other files."""

from __future__ import annotations

from pathlib import Path

from thbmonitor.synth import generate


def _all_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.csv"))}


def test_same_seed_byte_identical_and_other_seed_different(tmp_path: Path) -> None:
    kwargs = {"scale": 0.3, "years": [2023, 2024]}
    generate(tmp_path / "a", seed=7, **kwargs)  # type: ignore[arg-type]
    generate(tmp_path / "b", seed=7, **kwargs)  # type: ignore[arg-type]
    generate(tmp_path / "c", seed=8, **kwargs)  # type: ignore[arg-type]
    a, b, c = (_all_bytes(tmp_path / x) for x in "abc")
    assert len(a) == 11
    assert a == b
    assert a["reports.csv"] != c["reports.csv"]
    assert a["ground_truth/persons.csv"] != c["ground_truth/persons.csv"]
