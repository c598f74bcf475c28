"""The Spark tests: one local Spark session per test run, skipped without pyspark or Java.

The session is `local[2]` with two shuffle partitions and no UI (a few
seconds to start, a few hundred MB); every test of this folder shares it.
Without pyspark (`pip install 'thbmonitor[spark]'`) or a Java runtime
(Debian's default-jre-headless, installed by `make setup` as root) the tests
that need Spark are skipped with that reason; the rest still run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from thbmonitor.link.spark_engine import spark_available

#: Why Spark cannot run here (None: it can).
SPARK_MISSING = spark_available()


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    if SPARK_MISSING:
        pytest.skip(SPARK_MISSING)
    from thbmonitor.link.spark_engine import spark_session

    # The tests' JVM compiles with C1 only: their jobs are many and short, so the optimising
    # compiler's warm-up never pays back (measured: the figures test 52 s -> 35 s, the
    # session's start 25 s -> 18 s). A user's Spark keeps the JVM's defaults.
    os.environ.setdefault("PYSPARK_SUBMIT_ARGS",
                          "--driver-java-options -XX:TieredStopAtLevel=1 pyspark-shell")
    session = spark_session("local[2]", partitions=2)
    yield session
    session.stop()
