"""Dutch by default, English on request; every text of the pages has a Dutch translation."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from fastapi.testclient import TestClient

from thbmonitor.store import Database
from thbmonitor.web import i18n
from thbmonitor.web.app import create_app
from thbmonitor.web.identity import add_user

from .conftest import KEY, PASSWORD

WEB = Path(i18n.__file__).parent


@pytest.fixture
def client(tmp_path):
    db = Database(tmp_path / "thb.duckdb")
    add_user(db, "analyst", "analyst", PASSWORD)
    yield TestClient(create_app(db, key=KEY))
    db.close()


def _sign_in(client: TestClient) -> None:
    client.post("/login", data={"username": "analyst", "password": PASSWORD})


def test_dutch_is_the_default(client):
    page = client.get("/login").text
    assert '<html lang="nl">' in page and "Inloggen" in page


def test_accept_language_picks_english(client):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"}).text
    assert '<html lang="en">' in page and "Sign in" in page and "Inloggen" not in page
    page = client.get("/login", headers={"Accept-Language": "fr-FR, de;q=0.8"}).text
    assert '<html lang="nl">' in page


def test_the_users_choice_wins_and_is_kept(client):
    _sign_in(client)
    first = client.get("/?lang=en", headers={"Accept-Language": "nl"})
    assert '<html lang="en">' in first.text and "Dashboard" in first.text
    assert "thb_lang=en" in first.headers["set-cookie"]
    later = client.get("/", headers={"Accept-Language": "nl"})
    assert '<html lang="en">' in later.text
    back = client.get("/?lang=nl")
    assert '<html lang="nl">' in back.text and "Er zijn nog geen meldingen" in back.text


def test_negotiation():
    assert i18n.negotiate(None, None) == "nl"
    assert i18n.negotiate("en", "nl") == "en"
    assert i18n.negotiate("xx", "en-US") == "en"
    assert i18n.negotiate(None, "de, en;q=0.1, nl;q=0.5") == "nl"
    assert i18n.negotiate(None, "garbage;;q=x") == "nl"


def _msgids() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.j2", "jinja2")]
    options = {"**/templates/**.j2": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True",
                                      "lstrip_blocks": "True"}}
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(WEB), method_map, options,
                                                keywords={"_": None, "N_": None}):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_text_has_a_dutch_translation():
    messages = _msgids()
    assert len(messages) > 100
    catalogue = i18n.translations("nl")
    missing = sorted(m for m in messages if catalogue.gettext(m) == m and m not in {"Dashboard",
                                                                                     "Code",
                                                                                     "sector"})
    assert not missing, f"add these to web/locale/nl/LC_MESSAGES/web.po: {missing}"
