"""Benchmarks: each compares against a baseline measured in the same run.

`make bench` runs every `bench/bench_*.py` module's `run()`; each writes its
own section of `bench/RESULTS.md` with `bench.results.write_section`.
"""
