"""The web app's releases (CONTRACTS §6 and §7): list them, freeze one (publishers).

Handlers parse and call one library function (`thbmonitor.publish.release`); the
freeze is audited by the library before the response leaves, with the signed-in
user as its actor. Freezing cannot be undone, so the form asks for the year again
(`confirm`): a request without it changes nothing (422).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from thbmonitor.errors import DataError, UsageError
from thbmonitor.publish.release import freeze_release, list_releases, revisions
from thbmonitor.web.errors import WebError

if TYPE_CHECKING:
    from thbmonitor.store import Database

__all__ = ["freeze", "listing"]


def listing(db: Database, year: int | None = None) -> dict[str, Any]:
    """Every stored release, each checked against its hash; with ``year``, its revisions."""
    try:
        data: dict[str, Any] = list_releases(db, year).to_dict()
    except UsageError as exc:
        raise WebError(404, str(exc)) from None
    latest = db.scalar("SELECT max(year(report_date)) FROM reports")
    data["years"] = [] if latest is None else list(range(int(latest), int(latest) - 5, -1))
    data["revisions"] = None
    if year is not None and data["releases"]:
        data["revisions"] = revisions(db, year).to_dict()
    return data


def freeze(db: Database, year: int, confirm: str, *, actor: str) -> dict[str, Any]:
    """`POST /releases/{year}`: freeze the year as its next release."""
    if confirm.strip() != str(year):
        raise WebError(422, f"to freeze {year}, type the year {year} again: a release is "
                            "never changed afterwards")
    try:
        result = freeze_release(db, year, actor=actor)
    except UsageError as exc:
        raise WebError(404, str(exc)) from None
    except DataError as exc:
        raise WebError(409, str(exc)) from None
    frozen: dict[str, Any] = result.to_dict()
    return frozen
