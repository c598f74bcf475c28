"""Imports every command module so that its commands register on `app`.

One line per module; a module that does not exist yet is not listed.
"""

from __future__ import annotations

from thbmonitor.cli import (
    audit,  # noqa: F401
    estimate,  # noqa: F401
    export,  # noqa: F401
    export_tables,  # noqa: F401
    figures,  # noqa: F401
    intake,  # noqa: F401
    link,  # noqa: F401
    mse,  # noqa: F401
    patterns,  # noqa: F401
    quality,  # noqa: F401
    quarantine,  # noqa: F401
    release,  # noqa: F401
    report,  # noqa: F401
    settings,  # noqa: F401
    synth,  # noqa: F401
    web,  # noqa: F401
)
