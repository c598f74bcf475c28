"""Sign-in, sessions, lockout and API tokens; strict headers and cross-origin refusal."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from thbmonitor.cli import app as cli
from thbmonitor.web.identity import LOCKOUT_ATTEMPTS, SIGN_IN_FAILED, create_token, digest

from .conftest import PASSWORD, counts


@pytest.fixture(scope="module")
def store(realistic_db_path, tmp_path_factory):
    from .conftest import copy_store, open_web_store

    web = open_web_store(copy_store(realistic_db_path, tmp_path_factory.mktemp("identity")))
    yield web
    web.db.close()


def _login(client, user, password):
    return client.post("/login.json", data={"username": user, "password": password})


def test_sign_in_sets_a_strict_http_only_cookie_and_rotates_it(store):
    client = store.client()
    client.cookies.set("thb_session", "planted-by-an-attacker")
    response = client.post("/login", data={"username": "analyst", "password": PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert "Secure" not in cookie  # plain http in the test; Secure over TLS (below)
    value = response.cookies["thb_session"]
    assert value != "planted-by-an-attacker" and len(value) >= 40
    # only the hash of the session id is stored
    assert store.db.scalar("SELECT count(*) FROM sessions WHERE session_hash = ?",
                           [digest(value)]) == 1
    assert not store.db.scalar("SELECT count(*) FROM sessions WHERE session_hash = ?", [value])
    assert client.get("/dashboard.json").status_code == 200


def test_the_cookie_is_secure_over_tls(store):
    client = store.client(base_url="https://testserver")
    response = client.post("/login", data={"username": "analyst", "password": PASSWORD},
                           follow_redirects=False)
    assert "Secure" in response.headers["set-cookie"]
    assert "max-age" in response.headers["strict-transport-security"]


def test_a_second_sign_in_gives_a_new_session(store):
    first = store.client("analyst").cookies["thb_session"]
    second = store.client("analyst").cookies["thb_session"]
    assert first != second


def test_unknown_user_and_wrong_password_get_the_same_answer(store):
    client = store.client()
    wrong = _login(client, "analyst", "not the password")
    unknown = _login(client, "nobody-here", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"ok": False, "status": 401,
                                              "error": SIGN_IN_FAILED}
    page_wrong = client.post("/login", data={"username": "analyst", "password": "x"}).text
    page_unknown = client.post("/login", data={"username": "nobody", "password": "x"}).text
    assert page_wrong == page_unknown


def test_lockout_after_six_failures_for_known_and_unknown_logins(store):
    client = store.client()
    for login in ("publisher", "ghost-user"):
        for _ in range(LOCKOUT_ATTEMPTS):
            assert _login(client, login, "wrong password").status_code == 401
        # now even the right password is refused, with the same message
        response = _login(client, login, PASSWORD)
        assert response.status_code == 401 and response.json()["error"] == SIGN_IN_FAILED
    # 30 minutes later the account opens again
    store.db.execute("UPDATE login_attempts SET attempted_at = attempted_at - INTERVAL 31 MINUTE"
                     " WHERE login_hash = ?", [digest("publisher")])
    assert _login(client, "publisher", PASSWORD).status_code == 200
    # attempts are kept by hash: a password typed into the login field is not stored
    assert not store.db.scalar("SELECT count(*) FROM login_attempts WHERE login_hash = "
                               "'ghost-user'")


def test_an_idle_session_ends_after_thirty_minutes(store):
    client = store.client("analyst")
    assert client.get("/dashboard.json").status_code == 200
    key = digest(client.cookies["thb_session"])
    store.db.execute("UPDATE sessions SET last_seen = last_seen - INTERVAL 31 MINUTE "
                     "WHERE session_hash = ?", [key])
    assert client.get("/dashboard.json").status_code == 401
    assert not store.db.scalar("SELECT count(*) FROM sessions WHERE session_hash = ?", [key])


def test_sign_out_ends_the_session(store):
    client = store.client("analyst")
    cookie = client.cookies["thb_session"]
    assert client.post("/logout", follow_redirects=False).status_code == 303
    client.cookies.set("thb_session", cookie)
    assert client.get("/dashboard.json").status_code == 401


def test_bearer_tokens_work_and_are_stored_hashed(store):
    token = create_token(store.db, "analyst")
    client = store.client()
    assert client.get("/patterns/networks/2024.json").status_code == 401
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get("/patterns/networks/2024", headers=headers)
    assert response.status_code == 200 and response.json()["ok"] is True
    assert client.get("/review", headers=headers).status_code == 403
    assert client.get("/dashboard", headers={"Authorization": "Bearer thb_wrong"}
                      ).status_code == 401
    assert not store.db.scalar("SELECT count(*) FROM api_tokens WHERE token_hash = ?", [token])


def test_a_revoked_token_and_a_disabled_user_are_refused_at_the_next_request(store):
    """Tokens are cached by the app (one lookup per token, not per request); revoking or
    disabling must still take effect at once."""
    from thbmonitor.web.identity import add_user, disable_user, revoke_tokens

    add_user(store.db, "leaver", "analyst", PASSWORD)
    token, other = create_token(store.db, "leaver"), create_token(store.db, "leaver")
    client = store.client()
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(2):  # the second answer comes from the cache
        assert client.get("/dashboard.json", headers=headers).status_code == 200
    assert revoke_tokens(store.db, "leaver") == 2
    assert client.get("/dashboard.json", headers=headers).status_code == 401
    assert client.get("/dashboard.json",
                      headers={"Authorization": f"Bearer {other}"}).status_code == 401
    fresh = create_token(store.db, "leaver")
    session = store.client()
    assert _login(session, "leaver", PASSWORD).status_code == 200
    assert client.get("/dashboard.json",
                      headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    assert disable_user(store.db, "leaver") == 2  # its session and its new token
    assert client.get("/dashboard.json",
                      headers={"Authorization": f"Bearer {fresh}"}).status_code == 401
    assert session.get("/dashboard.json").status_code == 401
    assert _login(store.client(), "leaver", PASSWORD).status_code == 401
    events = store.db.rows("SELECT resource, detail FROM audit_log ORDER BY event_id DESC "
                           "LIMIT 4")
    assert [r for r, _ in events[:2]] == ["users", "tokens"]
    assert '"disabled": true' in events[0][1] and PASSWORD not in str(events)


def test_the_login_redirect_stays_on_this_site(store):
    client = store.client()
    for target in ("//evil.example/", "https://evil.example/", "/\\evil"):
        response = client.post("/login", data={"username": "analyst", "password": PASSWORD,
                                               "next": target}, follow_redirects=False)
        assert response.headers["location"] == "/"


# -- headers and cross-origin requests ----------------------------------------------


@pytest.mark.parametrize("url", ["/login", "/dashboard", "/dashboard.json", "/review",
                                 "/healthz", "/nothing-here", "/openapi.json"])
def test_strict_headers_on_every_answer(store, url):
    response = store.client("registrar").get(url, follow_redirects=False)
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "script-src" not in csp and "default-src 'none'" in csp  # no script at all
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"


CROSS = [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # another port on the same host is same-site
    {"Origin": "http://127.0.0.1:9999"},
    {"Origin": "null"},
]


@pytest.mark.parametrize("headers", CROSS, ids=lambda h: json.dumps(h))
def test_cross_origin_writes_are_refused_and_change_nothing(store, headers):
    client = store.client("admin")
    registrar = store.client("registrar")
    before = counts(store.db)
    audit_before = store.db.scalar("SELECT count(*) FROM audit_log")
    form = {"login": "intruder", "role": "admin", "password": "x" * 20}
    response = client.post("/users", data=form, headers=headers)
    assert response.status_code == 403
    assert response.json()["ok"] is False
    pair = store.db.scalar("SELECT pair_id FROM link_review WHERE left_source = ? LIMIT 1",
                           [store.org])
    assert registrar.post(f"/review/{pair}", data={"decision": "same"},
                          headers=headers).status_code == 403
    assert registrar.post("/reports", data={"report_id": "X-1", "report_date": "2024-01-01",
                                            "exploitation": "labour"},
                          headers=headers).status_code == 403
    assert counts(store.db) == before
    assert store.db.scalar("SELECT count(*) FROM audit_log") == audit_before


def test_same_origin_writes_pass(store):
    client = store.client("admin")
    response = client.post("/users.json", data={"login": "new-analyst", "role": "analyst",
                                                "password": "y" * 20},
                           headers={"Origin": "http://testserver",
                                    "Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 201, response.text
    assert store.db.scalar("SELECT role FROM users WHERE login = 'new-analyst'") == "analyst"


# -- the command line ------------------------------------------------------------------


def test_cli_users_add_list_and_token(tmp_path, monkeypatch):
    from thbmonitor.store import Database

    path = tmp_path / "thb.duckdb"
    Database(path).close()
    runner = CliRunner()
    result = runner.invoke(cli, ["users", "add", "reg1", "--role", "registrar", "--org",
                                 "fairwork", "--db", str(path)], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    bad = runner.invoke(cli, ["users", "add", "reg2", "--role", "registrar", "--db", str(path)],
                        input=PASSWORD + "\n")
    assert bad.exit_code == 2 and "--org" in bad.output
    short = runner.invoke(cli, ["users", "add", "x2", "--role", "admin", "--db", str(path)],
                          input="short\n")
    assert short.exit_code == 1 and "12 characters" in short.output
    listed = runner.invoke(cli, ["users", "list", "--db", str(path), "--json"])
    data = json.loads(listed.output)
    assert [u["login"] for u in data["users"]] == ["reg1"]
    rows = {r["action"]: r for r in data["matrix"]}
    assert rows["patterns.view"]["analyst"] == "yes" and rows["patterns.view"]["admin"] == "-"
    assert rows["reports.create"]["registrar"] == "own org"
    printed = runner.invoke(cli, ["users", "list", "--db", str(path)])
    assert "role × action" in printed.output
    token = runner.invoke(cli, ["token", "create", "reg1", "--db", str(path)])
    assert token.exit_code == 0 and token.output.startswith("thb_")
    revoked = runner.invoke(cli, ["token", "revoke", "reg1", "--db", str(path), "--json"])
    assert revoked.exit_code == 0 and json.loads(revoked.output) == {"login": "reg1",
                                                                     "revoked": 1}
    token = runner.invoke(cli, ["token", "create", "reg1", "--db", str(path)])
    unknown = runner.invoke(cli, ["users", "disable", "nobody", "--db", str(path)])
    assert unknown.exit_code == 2 and "no active user" in unknown.output
    disabled = runner.invoke(cli, ["users", "disable", "reg1", "--db", str(path)])
    assert disabled.exit_code == 0 and "disabled" in disabled.output, disabled.output
    listed_after = json.loads(runner.invoke(cli, ["users", "list", "--db", str(path),
                                                  "--json"]).output)
    assert listed_after["users"][0]["disabled"] is True
    assert "(disabled)" in runner.invoke(cli, ["users", "list", "--db", str(path)]).output
    with Database(path) as db:
        stored = db.scalar("SELECT password_hash FROM users")
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
        assert db.scalar("SELECT count(*) FROM api_tokens") == 0  # revoked, then disabled
        actors = {r[0] for r in db.rows("SELECT DISTINCT actor FROM audit_log")}
    import os
    import pwd

    assert actors == {pwd.getpwuid(os.getuid()).pw_name}
