"""The store: one DuckDB file per deployment, its schema and settings."""

from thbmonitor.store import audit
from thbmonitor.store.database import STATUS_TABLES, Database
from thbmonitor.store.keys import key_check, key_path, load_key
from thbmonitor.store.migrations import MIGRATIONS, Migration
from thbmonitor.store.settings import SETTINGS, Setting

__all__ = [
    "MIGRATIONS", "SETTINGS", "audit", "STATUS_TABLES", "Database", "Migration", "Setting",
    "key_check", "key_path", "load_key",
]
