"""Journeys in a real Chromium (Debian's) against a real uvicorn server on 127.0.0.1.

Playwright drives the system browser (`executable_path`): `playwright install`
is never needed. axe-core (shipped in the `axe-playwright-python` wheel) checks
every page of the journeys against WCAG 2.1 A and AA.
"""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import PASSWORD, WebStore, copy_store, open_web_store

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed "
                       "(`make setup` installs it when run as root)"),
]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(realistic_db_path, tmp_path_factory) -> Iterator[tuple[str, WebStore]]:
    import uvicorn

    store = open_web_store(copy_store(realistic_db_path, tmp_path_factory.mktemp("browser")))
    port = _free_port()
    config = uvicorn.Config(store.app, host="127.0.0.1", port=port, log_level="warning",
                            access_log=False)
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", store
    running.should_exit = True
    thread.join(timeout=10)
    store.db.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 800}, locale="nl-NL")
    yield context.new_page()
    context.close()


def _accessible(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, (page.url, results.generate_report())


def _sign_in(page: Any, base: str, login: str) -> None:
    page.goto(f"{base}/login")
    _accessible(page)
    page.get_by_label("Gebruikersnaam").fill(login)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/")


BAD_UPLOAD = (
    "report_id,source,report_date,exploitation,sex\n"
    "BR-1,{org},2024-04-01,labour,male\n"
    "BR-2,{org},2024-04-31,labour,female\n"
)


def test_a_registrars_day(server, page, tmp_path):
    base, store = server
    _sign_in(page, base, "registrar")
    _accessible(page)

    # one report typed in
    page.get_by_role("link", name="Nieuwe melding").click()
    _accessible(page)
    page.get_by_label("meldingsnummer").fill("BR-FORM-1")
    page.get_by_label("meldingsdatum").fill("2024-05-06")
    page.get_by_label("uitbuiting", exact=False).first.fill("labour")
    page.get_by_label("voornaam").fill("Browsertestina")
    page.get_by_label("achternaam").fill("Formulierenveld")
    page.get_by_role("button", name="Controleren en opslaan").click()
    page.get_by_role("heading", name="Melding opgeslagen").wait_for()
    _accessible(page)
    assert "Browsertestina" not in page.content()

    # an invalid report: the error summary links to the field
    page.goto(f"{base}/reports/new")
    page.get_by_label("meldingsnummer").fill("BR-FORM-2")
    page.get_by_role("button", name="Controleren en opslaan").click()
    page.get_by_role("heading", name="Er is een probleem").wait_for()
    _accessible(page)
    page.locator('a[href="#field-report_date"]').click()
    assert page.evaluate("document.activeElement.id") == "field-report_date"

    # a file with one bad row
    csv = tmp_path / "delivery.csv"
    csv.write_text(BAD_UPLOAD.format(org=store.org), encoding="utf-8")
    page.get_by_role("link", name="Bestand uploaden").click()
    _accessible(page)
    page.get_by_label("Bestand", exact=True).set_input_files(str(csv))
    page.get_by_role("button", name="Uploaden en controleren").click()
    page.get_by_role("heading", name="Controlerapport: delivery.csv").wait_for()
    assert "invalid-date" in page.content()
    _accessible(page)

    # fixed in the quarantine
    page.get_by_role("link", name="Herstel de rijen in de quarantaine").click()
    _accessible(page)
    page.get_by_role("link", name="Rij 2 van delivery.csv herstellen").click()
    _accessible(page)
    page.get_by_label("meldingsdatum").fill("2024-04-30")
    page.get_by_role("button", name="Opnieuw controleren en opslaan").click()
    page.get_by_role("heading", name="Rij hersteld").wait_for()
    _accessible(page)
    assert store.db.scalar("SELECT report_date::VARCHAR FROM reports WHERE report_id = 'BR-2'"
                           ) == "2024-04-30"

    # one review pair decided
    page.get_by_role("link", name="Beoordelen").click()
    _accessible(page)
    first = page.locator("section.pair").first
    pair = first.get_attribute("aria-labelledby").removeprefix("pair-")
    first.get_by_role("button", name="Verschillende personen").click()
    page.wait_for_url(f"{base}/review?decided={pair}")
    assert store.db.scalar("SELECT decision FROM link_decisions WHERE pair_id = ?",
                           [pair]) == "different"


def test_an_analyst_reads_the_dashboard_in_dutch_and_english(server, page):
    base, _ = server
    _sign_in(page, base, "analyst")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.get_by_role("heading", name="Slachtoffers van mensenhandel in 2024").wait_for()
    images = page.get_by_role("img")
    assert images.count() >= 3
    for i in range(images.count()):
        assert len(images.nth(i).get_attribute("alt") or "") > 20
    _accessible(page)
    page.get_by_role("link", name="English").click()
    page.get_by_role("heading", name="Victims of trafficking in human beings in 2024").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    _accessible(page)
    # the figures page computes the default dark-figure estimate (1,000 bootstrap replicates)
    # on its first view: up to a minute on a loaded machine (docs/web.md)
    page.goto(f"{base}/figures/2024?protected=0", timeout=120_000)
    assert "Unprotected figures" in page.content()
    _accessible(page)
    page.goto(f"{base}/patterns/carousel/2024")
    _accessible(page)


def test_the_pages_reflow_at_320_pixels(server, browser):
    base, _ = server
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="nl-NL")
    page = context.new_page()
    try:
        _sign_in(page, base, "registrar")
        for path in ("/", "/reports/new", "/review", "/quarantine"):
            page.goto(base + path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, (path, overflow)
    finally:
        context.close()


class _Attacker(http.server.BaseHTTPRequestHandler):
    target = ""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        body = (f'<!doctype html><html lang="en"><body><form id="f" method="post" '
                f'action="{self.target}/users"><input name="login" value="intruder">'
                '<input name="role" value="admin"><input name="password" '
                'value="intruder-password-123"></form>'
                '<script>document.getElementById("f").submit()</script></body></html>')
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: Any) -> None:
        pass


def test_a_page_on_another_port_cannot_make_the_app_do_anything(server, page):
    base, store = server
    _sign_in(page, base, "admin")
    _Attacker.target = base
    attacker = http.server.HTTPServer(("127.0.0.1", 0), _Attacker)
    thread = threading.Thread(target=attacker.serve_forever, daemon=True)
    thread.start()
    try:
        with page.expect_response(f"{base}/users") as answer:
            page.goto(f"http://127.0.0.1:{attacker.server_port}/")
        assert answer.value.status == 403
        assert not store.db.scalar("SELECT count(*) FROM users WHERE login = 'intruder'")
        # the session cookie was sent (same site, other port): only the check stopped it
        page.goto(f"{base}/users")
        assert page.get_by_role("heading", name="Gebruikers", exact=True).count() == 1
    finally:
        attacker.shutdown()
