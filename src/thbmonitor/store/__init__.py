"""The store: one DuckDB file per deployment, its schema and settings.

`open_store` (store/open.py) is the front door the command line and the web
app use; `Database` is the wrapper underneath.
"""

from thbmonitor.store import audit
from thbmonitor.store.database import STATUS_TABLES, Database
from thbmonitor.store.keys import key_check, key_path, load_key
from thbmonitor.store.migrations import MIGRATIONS, Migration
from thbmonitor.store.open import Mode, Store, default_path, open_store
from thbmonitor.store.settings import SETTINGS, Setting

__all__ = [
    "MIGRATIONS", "SETTINGS", "audit", "STATUS_TABLES", "Database", "Migration", "Mode",
    "Setting", "Store", "default_path", "key_check", "key_path", "load_key", "open_store",
]
