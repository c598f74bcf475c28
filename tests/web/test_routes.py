"""Every route × every role and anonymous, against the table of CONTRACTS §6.

The table below is CONTRACTS §6 written as data; every route the app
registers must be in it (or among the routes open to everyone), so a new
route without a declared expectation fails here.
"""

from __future__ import annotations

import pytest

from thbmonitor.web.permissions import MATRIX, PUBLIC

from .conftest import ROLES, YEAR

ALL = set(ROLES)
#: (method, path as registered) -> (URL to request, roles allowed).  CONTRACTS §6.
CONTRACT: dict[tuple[str, str], tuple[str, set[str]]] = {
    ("GET", "/"): ("/", ALL),
    ("GET", "/dashboard"): ("/dashboard", ALL),
    ("GET", "/figures/{year}"): (f"/figures/{YEAR}", ALL),
    ("GET", "/reports/new"): ("/reports/new", {"registrar"}),
    ("POST", "/reports"): ("/reports", {"registrar"}),
    ("GET", "/imports/new"): ("/imports/new", {"registrar"}),
    ("POST", "/imports"): ("/imports", {"registrar"}),
    ("GET", "/quarantine"): ("/quarantine", {"registrar"}),
    ("GET", "/quarantine/{qid}"): ("/quarantine/999999", {"registrar"}),
    ("POST", "/quarantine/{qid}"): ("/quarantine/999999", {"registrar"}),
    ("GET", "/review"): ("/review", {"registrar"}),
    ("POST", "/review/{pair}"): ("/review/Rnotapair", {"registrar"}),
    ("GET", "/patterns/carousel/{year}"): (f"/patterns/carousel/{YEAR}", {"analyst"}),
    ("GET", "/patterns/networks/{year}"): (f"/patterns/networks/{YEAR}", {"analyst"}),
    ("GET", "/releases"): ("/releases", {"analyst", "publisher"}),
    ("POST", "/releases/{year}"): (f"/releases/{YEAR}", {"publisher"}),
    ("GET", "/audit"): ("/audit", {"admin"}),
    ("GET", "/users"): ("/users", {"admin"}),
    ("POST", "/users"): ("/users", {"admin"}),
}
OPEN = {("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("GET", "/healthz")}
#: What an allowed request answers when it carries no valid input (POST) or data is absent.
ALLOWED_STATUS = {"GET": {200, 404, 501}, "POST": {303, 404, 409, 422, 501}}


def _cases() -> list[tuple[str, str, str, str | None, bool]]:
    cases = []
    for (method, path), (url, roles) in CONTRACT.items():
        twins = [url] if path == "/" else [url, _twin(url)]
        for target in twins:
            for role in (*ROLES, None):
                cases.append((method, path, target, role, role in roles))
    return cases


def _twin(url: str) -> str:
    path, _, query = url.partition("?")
    return path + ".json" + (f"?{query}" if query else "")


@pytest.fixture(scope="module")
def clients(web):
    return {role: web.client(role) for role in (*ROLES, None)}


@pytest.mark.parametrize(("method", "path", "url", "role", "allowed"), _cases(),
                         ids=lambda v: str(v))
def test_route_by_role(web, clients, method, path, url, role, allowed):
    client = clients[role]
    response = client.request(method, url, follow_redirects=False)
    as_json = url.split("?")[0].endswith(".json")
    if role is None:
        if as_json:
            assert response.status_code == 401
            assert response.json() == {"ok": False, "status": 401,
                                       "error": response.json()["error"]}
        else:
            assert response.status_code == 303
            assert response.headers["location"].startswith("/login?next=")
    elif allowed:
        assert response.status_code in ALLOWED_STATUS[method], response.text[:300]
        if as_json:
            body = response.json()
            assert body["ok"] is (response.status_code < 400)
    else:
        assert response.status_code == 403, response.text[:300]
        if as_json:
            assert response.json()["ok"] is False and response.json()["status"] == 403


def test_every_route_is_in_the_contract_table(web):
    registered = web.app.state.web.routes
    pages = {key for key in registered if not key[1].endswith(".json")}
    missing = pages - set(CONTRACT) - OPEN
    assert not missing, f"routes without an expectation in CONTRACT: {missing}"
    # and every page has its JSON twin, except the dashboard's alias `/` and /healthz
    for method, path in pages - {("GET", "/"), ("GET", "/healthz")}:
        assert (method, path + ".json") in registered, path


def test_every_route_declares_an_action(web):
    from starlette.routing import Mount

    for route in web.app.routes:
        if isinstance(route, Mount) or route.path == "/openapi.json":
            continue
        action = getattr(route.endpoint, "thb_action", None)
        assert action is not None, f"{route.path} declares no action"
        assert action in MATRIX or action in PUBLIC, (route.path, action)


def test_an_undeclared_action_is_refused_for_everyone():
    from thbmonitor.web.permissions import Actor, allowed

    for role in ROLES:
        assert not allowed(Actor("x", role, "org"), "something.new")


def test_unprotected_figures_only_for_analysts(web, clients):
    for role in ROLES:
        response = clients[role].get(f"/figures/{YEAR}.json?protected=0")
        assert response.status_code == (200 if role == "analyst" else 403), role
    page = clients["analyst"].get(f"/figures/{YEAR}?protected=0")
    assert "Onbeschermde cijfers" in page.text  # marked on screen
    protected = clients["analyst"].get(f"/figures/{YEAR}.json").json()
    unprotected = clients["analyst"].get(f"/figures/{YEAR}.json?protected=0").json()
    assert protected["protected"] is True and protected["figures"]["suppressed"]
    assert unprotected["protected"] is False and "suppressed" not in unprotected["figures"]


def test_freezing_a_release_asks_for_the_year_again(clients):
    """Without the confirmation nothing is frozen (tests/release/test_web_releases.py
    freezes one on a real server)."""
    response = clients["publisher"].post(f"/releases/{YEAR}.json")
    assert response.status_code == 422
    assert f"type the year {YEAR} again" in response.json()["error"]
    assert clients["analyst"].get("/releases.json").json()["releases"] == []


def test_the_dashboard_shows_protected_figures_with_charts_and_tables(clients):
    data = clients["analyst"].get("/dashboard.json").json()
    assert data["ok"] and data["year"] == YEAR
    assert data["figures"]["suppressed"], "the dashboard shows the protected figures"
    assert len(data["charts"]) >= 3
    for chart in data["charts"]:
        assert chart["description"] and chart["table"]["rows"]
    page = clients["analyst"].get("/").text
    assert page.count("<img src=\"data:image/svg+xml;base64,") == len(data["charts"])
    assert page.count("<table>") >= len(data["charts"])


def test_openapi_lists_every_json_route(web):
    spec = web.client().get("/openapi.json").json()
    for method, path in web.app.state.web.routes:
        if path.endswith(".json"):
            assert method.lower() in spec["paths"][path], path


def test_the_figures_page_has_the_dark_figure(clients):
    data = clients["publisher"].get(f"/figures/{YEAR}.json").json()["dark_figure"]
    assert data["method"] == "pooled" and data["estimate"] >= data["observed"] > 0
    page = clients["publisher"].get(f"/figures/{YEAR}?lang=en").text
    assert "The dark figure" in page and "interval" in page
