"""The audit log: every read of person-level or restricted output is recorded."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from typing import Any

from thbmonitor.store.database import Database


def current_actor() -> str:
    """The operating-system user, for command-line use (the web app passes its own)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def record(db: Database, action: str, resource: str, *, actor: str | None = None,
           detail: dict[str, Any] | None = None) -> int:
    """Append one event; return its id. Details must hold no personal value."""
    event_id = int(db.scalar("SELECT nextval('audit_seq')"))
    db.execute(
        "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?)",
        [event_id, datetime.now(UTC).replace(tzinfo=None), actor or current_actor(), action,
         resource, json.dumps(detail or {}, sort_keys=True)],
    )
    return event_id
