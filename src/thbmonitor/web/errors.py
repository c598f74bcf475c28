"""The one error a web handler raises on purpose: an HTTP status and a message for people.

Messages never hold a personal value (CONTRACTS §6); they are shown as they
are on the page and in the JSON envelope `{"ok": false, "error": ..., "status": N}`.
"""

from __future__ import annotations


class WebError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
