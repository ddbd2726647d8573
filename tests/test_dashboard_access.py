"""Who gets into the dashboard: sign-in with the pairing token, the session cookie, sign-out, the
session's end when the token is rotated, one-time sign-in links, CSRF on every write, and no
open redirect through `next`."""

from __future__ import annotations

import re
import stat
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from flask import Flask

from rapport import create_app
from rapport.db import close_database
from rapport.pairing import ensure_token, rotate_token

from .dashboard_support import ORIGIN, Browser, flashes, location, text
from .helpers import TOKEN, add_person

COOKIE = "rapport_session_7277"
FOREIGN_NEXT = (
    "//evil.com",
    "//evil.com/people",
    "http://evil",
    "https://evil.example/people",
    "/\\evil.com",
    "\\\\evil.com",
    "javascript:alert(1)",
    "people",
    "/people\nLocation: http://evil",
    "/ spaced",
)


@pytest.fixture
def browser(app: Flask) -> Browser:
    return Browser(app)


@pytest.fixture
def signed(browser: Browser) -> Browser:
    browser.sign_in()
    return browser


def link(client, next_path: str | None = "/people", **body) -> dict:
    """A one-time sign-in link from the API (with the pairing token)."""
    if next_path is not None:
        body["next"] = next_path
    response = client.post("/api/dashboard/link", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def copy_session(source: Browser, target: Browser) -> None:
    cookie = source.client.get_cookie(COOKIE, domain="127.0.0.1")
    assert cookie is not None
    target.client.set_cookie(COOKIE, cookie.value, domain="127.0.0.1")


def next_of(url: str) -> str | None:
    """The `next` parameter of a sign-in address."""
    return parse_qs(urlsplit(url).query).get("next", [None])[0]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# ---- pages need a session -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/people", "/people?stage=mutual", "/people/ada"])
def test_pages_redirect_to_sign_in_without_a_session(browser: Browser, path: str) -> None:
    response = browser.get(path)
    assert response.status_code == 302
    assert urlsplit(location(response)).path == "/signin"
    assert next_of(location(response)) == path


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/people"),
        ("POST", "/people/ada/notes"),
        ("POST", "/people/ada/stage"),
        ("POST", "/signout"),
    ],
)
def test_writes_without_a_session_are_refused(
    client, browser: Browser, method: str, path: str
) -> None:
    add_person(client, "ada")
    response = browser.client.open(
        path, method=method, data={"body": "x"}, headers={"Origin": ORIGIN}
    )
    assert response.status_code == 403
    assert "text/html" in response.content_type


def test_the_api_does_not_accept_the_session_instead_of_the_token(signed: Browser) -> None:
    response = signed.get("/api/people")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "token_missing"


# ---- sign-in ------------------------------------------------------------------------------------


def test_sign_in_page_is_a_form_for_the_token(browser: Browser) -> None:
    response = browser.get("/signin?next=/people/ada")
    assert response.status_code == 200
    page = text(response)
    assert 'name="token"' in page and 'type="password"' in page
    assert '<label for="token">' in page
    assert 'name="next" value="/people/ada"' in page
    assert 'name="csrf_token"' in page


def test_sign_in_with_the_right_token_opens_a_session(browser: Browser) -> None:
    response = browser.sign_in(next_path="/people?stage=mutual")
    assert location(response) == "/people?stage=mutual"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("rapport_session_7277=")
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Secure" not in cookie
    assert "Expires=" in cookie  # kept across browser restarts, for SESSION_DAYS
    assert browser.get("/people").status_code == 200


@pytest.mark.parametrize("token", ["wrong-token", "", TOKEN + "x", TOKEN.upper()])
def test_sign_in_with_a_wrong_token_is_refused(browser: Browser, token: str) -> None:
    response = browser.post("/signin", {"token": token, "next": "/people"})
    assert response.status_code == 403
    assert "That is not the pairing token" in text(response)
    assert "fp" not in browser.session()
    assert browser.get("/people").status_code == 302


def test_signed_in_browser_skips_the_sign_in_page(signed: Browser) -> None:
    response = signed.get("/signin?next=/people/ada")
    assert response.status_code == 302
    assert location(response) == "/people/ada"


@pytest.mark.parametrize("next_path", FOREIGN_NEXT)
def test_sign_in_never_redirects_to_another_site(browser: Browser, next_path: str) -> None:
    response = browser.post("/signin", {"token": TOKEN, "next": next_path})
    assert response.status_code == 303
    assert location(response) == "/people"
    assert browser.get(f"/signin?next={quote(next_path)}").status_code == 302
    assert location(browser.get(f"/signin?next={quote(next_path)}")) == "/people"


def test_sign_in_page_keeps_only_a_local_next(browser: Browser) -> None:
    page = text(browser.get("/signin?next=//evil.com"))
    assert 'name="next" value="/people"' in page


def test_sign_out_ends_the_session(signed: Browser) -> None:
    response = signed.post("/signout")
    assert response.status_code == 303
    assert location(response) == "/signin"
    assert "fp" not in signed.session()
    assert signed.get("/people").status_code == 302


def test_sign_out_needs_the_csrf_token(signed: Browser) -> None:
    assert signed.post("/signout", csrf=None).status_code == 403
    assert signed.get("/people").status_code == 200


# ---- the session key and cookie -----------------------------------------------------------------


def test_secret_key_is_made_once_readable_by_the_user_alone(app: Flask, home: Path) -> None:
    key_file = home / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    first = key_file.read_text()
    assert len(first.strip()) >= 64
    again = create_app({"HOME": home, "TOKEN": TOKEN, "PORT": 7277})
    assert key_file.read_text() == first
    assert again.secret_key == app.secret_key


def test_session_survives_a_restart_of_the_server(signed: Browser, home: Path) -> None:
    restarted = create_app({"HOME": home, "TOKEN": TOKEN, "PORT": 7277})
    browser = Browser(restarted)
    copy_session(signed, browser)  # the same browser, a new server process
    assert browser.get("/people").status_code == 200


def test_session_from_another_data_folder_is_not_accepted(signed: Browser, tmp_path: Path) -> None:
    other = create_app({"HOME": tmp_path / "other", "TOKEN": TOKEN, "PORT": 7277})
    browser = Browser(other)
    copy_session(signed, browser)
    assert browser.get("/people").status_code == 302


def test_rotating_the_token_ends_the_session(tmp_path: Path) -> None:
    home = tmp_path / "rotating"
    token, _ = ensure_token(home)
    app = create_app({"HOME": home, "PORT": 7277})
    try:
        browser = Browser(app)
        browser.sign_in(token)
        assert browser.get("/people").status_code == 200
        new_token = rotate_token(home)
        response = browser.get("/people")
        assert response.status_code == 302
        assert location(response).startswith("/signin")
        assert "fp" not in browser.session()
        assert ("error", "The pairing token has changed. Sign in with the new one.") in flashes(
            browser
        )
        refused = browser.post("/signin", {"token": token})
        assert refused.status_code == 403
        browser.sign_in(new_token)
        assert browser.get("/people").status_code == 200
    finally:
        close_database()


# ---- CSRF ---------------------------------------------------------------------------------------


def note_count(client, handle: str) -> int:
    return len(client.get(f"/api/people/{handle}/notes").get_json())


def test_write_with_the_csrf_token_and_own_origin_is_accepted(client, signed: Browser) -> None:
    add_person(client, "ada")
    response = signed.post("/people/ada/notes", {"body": "Met at the meetup"})
    assert response.status_code == 303
    assert note_count(client, "ada") == 1


@pytest.mark.parametrize("csrf", [None, "", "forged-token"])
def test_write_without_the_right_csrf_token_is_refused(
    client, signed: Browser, csrf: str | None
) -> None:
    add_person(client, "ada")
    response = signed.post("/people/ada/notes", {"body": "Forged"}, csrf=csrf)
    assert response.status_code == 403
    assert "This form has expired" in text(response)
    assert note_count(client, "ada") == 0


def test_csrf_token_in_a_header_is_accepted(client, signed: Browser) -> None:
    add_person(client, "ada")
    response = signed.post(
        "/people/ada/notes",
        {"body": "Sent by a script"},
        csrf=None,
        headers={"X-CSRF-Token": signed.csrf()},
    )
    assert response.status_code == 303
    assert note_count(client, "ada") == 1


@pytest.mark.parametrize(
    "origin",
    [
        "https://x.com",
        "http://evil.example",
        "null",
        "chrome-extension://abcdefghijklmnop",
        "http://localhost:7277",
        "http://127.0.0.1:7278",
    ],
)
def test_write_from_another_origin_is_refused_even_with_the_token(
    client, signed: Browser, origin: str
) -> None:
    add_person(client, "ada")
    response = signed.post("/people/ada/notes", {"body": "Cross-site"}, origin=origin)
    assert response.status_code == 403
    assert note_count(client, "ada") == 0


def test_write_without_origin_needs_a_same_origin_referer(client, signed: Browser) -> None:
    add_person(client, "ada")
    no_header = signed.post("/people/ada/notes", {"body": "Nothing"}, origin=None)
    foreign = signed.post(
        "/people/ada/notes",
        {"body": "Foreign"},
        origin=None,
        headers={"Referer": "https://evil.example/people/ada"},
    )
    broken = signed.post(
        "/people/ada/notes",
        {"body": "Broken"},
        origin=None,
        headers={"Referer": "http://[127.0.0.1:7277/people"},
    )
    assert (no_header.status_code, foreign.status_code, broken.status_code) == (403, 403, 403)
    assert note_count(client, "ada") == 0
    own = signed.post(
        "/people/ada/notes",
        {"body": "Own page"},
        origin=None,
        headers={"Referer": f"{ORIGIN}/people/ada"},
    )
    assert own.status_code == 303
    assert note_count(client, "ada") == 1


def test_sign_in_form_needs_its_csrf_token(browser: Browser) -> None:
    response = browser.post("/signin", {"token": TOKEN}, csrf=None)
    assert response.status_code == 403
    assert "fp" not in browser.session()


def test_sign_in_form_from_another_site_is_refused(browser: Browser) -> None:
    response = browser.post("/signin", {"token": TOKEN}, origin="http://evil.example")
    assert response.status_code == 403
    assert "fp" not in browser.session()


def test_csrf_token_changes_at_sign_in(browser: Browser) -> None:
    before = browser.csrf()
    browser.sign_in()
    assert browser.csrf() != before


# ---- one-time links -----------------------------------------------------------------------------


def test_link_signs_in_once_and_goes_to_next(app: Flask, client) -> None:
    answer = link(client, "/people/ada?page=2")
    url = answer["url"]
    assert url.startswith("http://127.0.0.1:7277/signin/")
    assert url.endswith("?next=/people/ada%3Fpage%3D2")
    assert answer["expires_at"].endswith("Z")
    first = Browser(app)
    response = first.get(path_of(url))
    assert response.status_code == 303
    assert location(response) == "/people/ada?page=2"
    assert "rapport_session_7277=" in response.headers["Set-Cookie"]
    assert first.get("/people").status_code == 200
    second = Browser(app)
    again = second.get(path_of(url))
    assert again.status_code == 403
    assert "expired or was used already" in text(again)
    assert second.get("/people").status_code == 302


def test_link_expires_after_its_lifetime(app: Flask, client) -> None:
    app.extensions["rapport_signin_links"].lifetime = 0.2
    url = link(client)["url"]
    time.sleep(0.3)
    browser = Browser(app)
    assert browser.get(path_of(url)).status_code == 403
    assert "fp" not in browser.session()


def test_link_lifetime_is_two_minutes(client) -> None:
    from datetime import UTC, datetime

    answer = link(client)
    expires = datetime.fromisoformat(answer["expires_at"].replace("Z", "+00:00"))
    left = (expires - datetime.now(UTC)).total_seconds()
    assert 110 < left <= 120


def test_made_up_codes_sign_no_one_in(browser: Browser) -> None:
    for code in ("nothing", "a" * 32, "%2e%2e"):
        response = browser.get(f"/signin/{code}?next=/people")
        assert response.status_code == 403
    assert "fp" not in browser.session()


def test_link_codes_are_random(client) -> None:
    urls = {link(client)["url"] for _ in range(20)}
    assert len(urls) == 20


def test_link_default_next_is_the_people_table(app: Flask, client) -> None:
    for body in ({}, None):
        response = (
            client.post("/api/dashboard/link", json=body)
            if body is not None
            else (client.post("/api/dashboard/link"))
        )
        assert response.status_code == 200, response.get_json()
        browser = Browser(app)
        assert location(browser.get(path_of(response.get_json()["url"]))) == "/people"


@pytest.mark.parametrize("next_path", [*FOREIGN_NEXT, "", "/" + "a" * 2000])
def test_link_refuses_a_next_that_is_not_a_local_path(client, next_path: str) -> None:
    response = client.post("/api/dashboard/link", json={"next": next_path})
    assert response.status_code == 422
    body = response.get_json()["error"]
    assert body["code"] == "validation_error"
    assert list(body["fields"]) == ["next"]


def test_link_refuses_unknown_fields_and_needs_the_token(client, anon) -> None:
    response = client.post("/api/dashboard/link", json={"next": "/people", "nxet": "/"})
    assert response.status_code == 422
    assert "nxet" in response.get_json()["error"]["fields"]
    assert anon.post("/api/dashboard/link", json={"next": "/people"}).status_code == 401


def test_link_is_in_the_openapi_description(client) -> None:
    spec = client.get("/api/openapi.json").get_json()
    assert "post" in spec["paths"]["/api/dashboard/link"]


def test_link_names_the_host_it_was_asked_on(app: Flask, client) -> None:
    response = client.post("/api/dashboard/link", json={}, base_url="http://localhost:7277")
    assert response.get_json()["url"].startswith("http://localhost:7277/signin/")


# ---- arriving from another site ------------------------------------------------------------------


def test_cross_site_arrival_without_a_session_reloads_from_here(browser: Browser) -> None:
    response = browser.get("/people/ada?page=2", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200
    page = text(response)
    assert '<meta http-equiv="refresh" content="0;url=/people/ada?page=2">' in page
    assert "<script" not in page
    # The reload comes from this site; without a session it goes to sign-in as usual.
    again = browser.get("/people/ada?page=2", headers={"Sec-Fetch-Site": "same-origin"})
    assert again.status_code == 302
    assert next_of(location(again)) == "/people/ada?page=2"


# ---- headers ------------------------------------------------------------------------------------


def test_pages_carry_a_strict_content_security_policy(signed: Browser, client) -> None:
    add_person(client, "ada")
    for path in ("/signin", "/people", "/people/ada", "/people/nobody"):
        response = signed.get(path, follow_redirects=True)
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"
        page = text(response)
        # Everything the page loads comes from this server; no script is inline.
        loaded = re.findall(r'<(?:script|link|img)\b[^>]*?(?:src|href)="([^"]*)"', page)
        assert loaded and all(url.startswith("/assets/") for url in loaded), loaded
        assert re.findall(r"<script\b[^>]*>", page) == ['<script src="/assets/dashboard.js" defer>']
        assert not re.search(r"\son[a-z]+=", page), "inline event handler"


def test_static_files_need_no_session(browser: Browser) -> None:
    css = browser.get("/assets/dashboard.css")
    js = browser.get("/assets/dashboard.js")
    css_text, js_text = text(css), text(js)
    css.close()
    js.close()
    assert css.status_code == 200 and css.content_type.startswith("text/css")
    assert js.status_code == 200 and "javascript" in js.content_type
    assert "innerHTML" not in js_text
    assert "prefers-color-scheme: dark" in css_text


def test_foreign_host_is_refused_on_dashboard_pages_too(signed: Browser) -> None:
    response = signed.get("/people", base_url="http://evil.example:7277")
    assert response.status_code == 403
    assert "is not this server" in text(response)


def test_unknown_paths_outside_the_dashboard_stay_json(signed: Browser) -> None:
    response = signed.get("/nope")
    assert response.status_code == 404
    assert response.content_type == "application/json"
