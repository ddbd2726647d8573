"""Privacy of a real `rapport serve`, checked over the socket: only loopback, only with the pairing
token, only for this server's name, only from the extension's origins; and every bad request gets
a JSON error, never an HTML page or a crash."""

from __future__ import annotations

import base64
import contextlib
import http.client
import ipaddress
import json
import os
import re
import socket
import sqlite3
import stat
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from click.testing import CliRunner

from rapport import create_app
from rapport.cli import main
from rapport.db import close_database
from rapport.security import TokenStore

from .helpers import RunningServer, rapport_command, start_server

CHROME = "chrome-extension://abcdefghijklmnop"
FIREFOX = f"moz-extension://{uuid.UUID(int=0x1234_5678_9ABC_4DEF_8123_456789ABCDEF)}"
FOREIGN_ORIGINS = ("https://x.com", "http://evil.example", "null")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One server for the checks that change nothing."""
    running = start_server(tmp_path_factory.mktemp("served") / "home")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def api_routes(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    """Every (method, path) the API serves, with sample values in the URL's variables."""
    app = create_app({"HOME": tmp_path_factory.mktemp("routes"), "TOKEN": "unused"})
    close_database()
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<int:\w+>", "1", rule.rule)
        path = re.sub(r"<(?:\w+:)?\w+>", "someone", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, path))
    assert len(routes) > 20, routes
    return routes


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_json_error(response: requests.Response, status: int, code: str | None = None) -> dict:
    """A JSON error body `{"error": {"code", "message", "fields"}}` with the given status."""
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert response.headers["Content-Type"].startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def raw_request(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes | None = None,
    address: str = "127.0.0.1",
) -> tuple[int, dict[str, str], bytes]:
    """Send exactly these headers (including Host) and return status, headers and body."""
    connection = http.client.HTTPConnection(address, port, timeout=10)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return (
            response.status,
            {name.lower(): value for name, value in response.getheaders()},
            response.read(),
        )
    finally:
        connection.close()


# ---- the pairing token ---------------------------------------------------------------------------


def test_health_answers_without_token(served: RunningServer) -> None:
    response = requests.get(f"{served.url}/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_every_other_api_call_needs_the_token(
    served: RunningServer, api_routes: list[tuple[str, str]]
) -> None:
    checked = 0
    for method, path in api_routes:
        if path == "/api/health":
            continue
        response = requests.request(method, f"{served.url}{path}", json={})
        error = assert_json_error(response, 401, "token_missing")
        assert error["fields"] == {}
        assert "rapport token" in error["message"]
        checked += 1
    assert checked == len(api_routes) - 1
    # Paths the API does not know are refused the same way: nothing about them is revealed.
    assert_json_error(requests.get(f"{served.url}/api/no-such-thing"), 401, "token_missing")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer wrong-token",
        "Bearer ",
        "Bearer",
        "Token {token}",
        "Basic {basic}",
        "{token}",
        "Bearer {token}x",
        "Bearer x{token}",
    ],
)
def test_wrong_token_or_scheme_is_refused(served: RunningServer, header: str) -> None:
    basic = base64.b64encode(f"user:{served.token}".encode()).decode()
    value = header.format(token=served.token, basic=basic)
    response = requests.get(f"{served.url}/api/people", headers={"Authorization": value})
    assert_json_error(response, 401, "token_invalid")


def test_right_token_is_accepted(served: RunningServer) -> None:
    response = requests.get(f"{served.url}/api/people", headers=auth(served.token))
    assert response.status_code == 200
    assert response.json()["total"] >= 0


# ---- the Host header (DNS rebinding) -------------------------------------------------------------


def test_foreign_host_is_refused_even_with_the_token(served: RunningServer) -> None:
    hosts = (
        "evil.example",
        f"evil.example:{served.port}",
        "127.0.0.1:1",
        "127.0.0.1",
        "localhost.evil.com",
        f"localhost.evil.com:{served.port}",
        f"127.0.0.1.evil.example:{served.port}",
    )
    for host in hosts:
        for path in ("/api/people", "/api/health"):
            status, headers, body = raw_request(
                served.port, "GET", path, {"Host": host, **auth(served.token)}
            )
            assert status == 403, (host, path, body)
            assert headers["content-type"].startswith("application/json")
            assert b'"forbidden_host"' in body
    for host in (f"127.0.0.1:{served.port}", f"localhost:{served.port}"):
        status, _, body = raw_request(
            served.port, "GET", "/api/people", {"Host": host, **auth(served.token)}
        )
        assert status == 200, (host, body)


# ---- the Origin header and CORS ------------------------------------------------------------------


@pytest.mark.parametrize("origin", FOREIGN_ORIGINS)
def test_foreign_origin_is_refused_even_with_the_token(served: RunningServer, origin: str) -> None:
    response = requests.get(
        f"{served.url}/api/people", headers={"Origin": origin, **auth(served.token)}
    )
    assert_json_error(response, 403, "forbidden_origin")
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = requests.options(
        f"{served.url}/api/people",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert_json_error(preflight, 403, "forbidden_origin")
    assert "Access-Control-Allow-Origin" not in preflight.headers


@pytest.mark.parametrize("origin", [CHROME, FIREFOX])
def test_extension_origin_is_allowed_with_cors_headers(served: RunningServer, origin: str) -> None:
    response = requests.get(
        f"{served.url}/api/people", headers={"Origin": origin, **auth(served.token)}
    )
    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == origin
    # The token is still required from the extension.
    refused = requests.get(f"{served.url}/api/people", headers={"Origin": origin})
    assert_json_error(refused, 401, "token_missing")
    assert refused.headers["Access-Control-Allow-Origin"] == origin


@pytest.mark.parametrize("origin", [CHROME, FIREFOX])
def test_preflight_from_extension_needs_no_token(served: RunningServer, origin: str) -> None:
    response = requests.options(
        f"{served.url}/api/people/someone/interactions",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert 200 <= response.status_code < 300, response.text
    assert response.headers["Access-Control-Allow-Origin"] == origin
    allowed_headers = response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed_headers
    assert "content-type" in allowed_headers
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "text/html" not in response.headers.get("Content-Type", "")


def test_server_own_origin_is_allowed(served: RunningServer) -> None:
    response = requests.get(
        f"{served.url}/api/people", headers={"Origin": served.url, **auth(served.token)}
    )
    assert response.status_code == 200
    other_port = requests.get(
        f"{served.url}/api/people",
        headers={"Origin": "http://127.0.0.1:1", **auth(served.token)},
    )
    assert_json_error(other_port, 403, "forbidden_origin")


# ---- bodies --------------------------------------------------------------------------------------


def test_oversize_body_is_refused(served: RunningServer) -> None:
    limit = 2_000_000
    body = b'{"handle": "' + b"a" * limit + b'"}'
    headers = {"Content-Type": "application/json", **auth(served.token)}
    response = requests.post(f"{served.url}/api/people", data=body, headers=headers)
    assert_json_error(response, 413, "body_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold while reading
        for _ in range(limit // 50_000 + 2):
            yield b" " * 50_000

    chunked = requests.post(f"{served.url}/api/people", data=chunks(), headers=headers)
    assert_json_error(chunked, 413)
    just_under = requests.post(
        f"{served.url}/api/people",
        data=b'{"handle": "under_limit", "bio": "' + b"b" * 1000 + b'"}' + b" " * (limit - 1100),
        headers=headers,
    )
    assert just_under.status_code == 201, just_under.text[:300]


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"handle": "a",}', b"\xff\xfe\x00", b'{"handle": "unterminated'],
)
def test_malformed_json_is_refused(served: RunningServer, body: bytes) -> None:
    response = requests.post(
        f"{served.url}/api/people",
        data=body,
        headers={"Content-Type": "application/json", **auth(served.token)},
    )
    error = assert_json_error(response, 400, "invalid_json")
    assert error["message"].startswith("The body is not valid JSON: "), error
    assert re.search(r"\(line 1, column \d+\)|not UTF-8", error["message"]), error


def test_oversize_body_is_refused_on_every_write(
    served: RunningServer, api_routes: list[tuple[str, str]]
) -> None:
    """Every write but the import (which takes up to MAX_IMPORT_BYTES) stops at 2 MB, before
    anything is parsed or stored."""
    body = b'{"body": "' + b"x" * 2_000_000 + b'"}'
    headers = {"Content-Type": "application/json", **auth(served.token)}
    writes = [(m, p) for m, p in api_routes if m != "GET" and m != "DELETE" and p != "/api/import"]
    assert len(writes) > 15, writes
    people = f"{served.url}/api/people"
    before = requests.get(people, headers=auth(served.token)).json()["total"]
    with requests.Session() as session:
        for method, path in writes:
            response = session.request(method, f"{served.url}{path}", data=body, headers=headers)
            assert_json_error(response, 413, "body_too_large")
    assert requests.get(people, headers=auth(served.token)).json()["total"] == before


def test_no_bad_request_gets_html_or_a_crash(served: RunningServer) -> None:
    url, token = served.url, served.token
    json_headers = {"Content-Type": "application/json", **auth(token)}
    answers = [
        requests.get(f"{url}/nope"),  # '/' is the dashboard (tests/test_dashboard_*.py)
        requests.get(f"{url}/favicon.ico"),
        requests.get(f"{url}/static/../../etc/passwd"),
        requests.get(f"{url}/api/people/..%2f..%2fetc", headers=auth(token)),
        requests.get(f"{url}/api/people/%F0%9F%98%80", headers=auth(token)),
        requests.get(f"{url}/api/people", params={"per_page": "many"}, headers=auth(token)),
        requests.get(f"{url}/api/people", params={"per_page": "-1"}, headers=auth(token)),
        requests.get(f"{url}/api/people", params={"sort": "x" * 5000}, headers=auth(token)),
        requests.delete(f"{url}/api/health"),
        requests.put(f"{url}/api/people", headers=auth(token)),
        requests.post(f"{url}/api/people", data=b"[1, 2]", headers=json_headers),
        requests.post(f"{url}/api/people", data=b"null", headers=json_headers),
        requests.post(f"{url}/api/people", data=b'"text"', headers=json_headers),
        requests.post(f"{url}/api/people", data=b"", headers=json_headers),
        requests.post(
            f"{url}/api/people", data=b'{"handle": "a"}', headers={"Content-Type": "text/plain"}
        ),
        requests.post(f"{url}/api/people", json={"handle": 12}, headers=auth(token)),
        requests.post(
            f"{url}/api/people",
            json={"handle": "big", "followers_count": 10**40},
            headers=auth(token),
        ),
        requests.post(f"{url}/api/people", json={"handle": "\u0000"}, headers=auth(token)),
        requests.post(
            f"{url}/api/annotations", json={"handles": "x" * 10_000}, headers=auth(token)
        ),
        requests.post(
            f"{url}/api/people/nobody/interactions", json={"kind": "like"}, headers=auth(token)
        ),
        requests.get(f"{url}/api/people", headers={"Authorization": "Bearer \u00e9\u00e8"}),
        requests.get(f"{url}/api/people", headers={"Origin": "chrome-extension://"}),
    ]
    for response in answers:
        assert response.status_code < 500, (response.request.url, response.text[:300])
        assert "text/html" not in response.headers.get("Content-Type", ""), response.request.url
        if response.status_code >= 400:
            assert_json_error(response, response.status_code)
    # Requests the HTTP layer itself rejects get a plain answer, not HTML.
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as raw:
        raw.sendall(b"NONSENSE\r\n\r\n")
        reply = raw.recv(65536)
    assert reply.startswith(b"HTTP/1."), reply[:100]
    assert not reply.split(b" ", 2)[1].startswith(b"5"), reply[:100]
    assert b"<html" not in reply.lower()
    # ...and the server is still there.
    assert requests.get(f"{url}/api/health").status_code == 200
    assert not [line for line in served.output if "Traceback" in line], served.output


# ---- hostile text over the socket ----------------------------------------------------------------

INJECTIONS = (
    "'); DROP TABLE person;--",
    "Robert'); DELETE FROM note WHERE ('1'='1",
    "1; UPDATE person SET bio='pwned' --",
    "%' OR '1'='1",
    "<script>alert(1)</script>",
    '" onmouseover="x',
    "<img src=x onerror=alert(1)>",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "\\x27 \\u0027 \\ \\\\",
    "\u202egnp.exe",
    "zero\u200bwidth\u200djoiner\ufeffbom",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467 e\u0301 \u2126\u2248\u00e7",
    "\u4e2d\u6587 \u05e2\u05d1\u05e8\u05d9\u05ea \u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "\U0001d54f\U0001d55a \u0000nul",
    "line1\nline2\r\n\ttab",
)


def _tables(home: Path) -> tuple[list[str], str]:
    """The database's tables and `PRAGMA integrity_check`, read from the file."""
    connection = sqlite3.connect(home / "rapport.sqlite3")
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return names, connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def test_injection_strings_are_stored_verbatim_everywhere(server: RunningServer) -> None:
    """SQL, script and Unicode oddities in every text field of people, notes, interactions, stage
    changes, stages, lists and tags are stored and answered exactly as sent, and every table is
    still there afterwards."""
    tables_before, _ = _tables(server.home)
    session = requests.Session()
    session.headers.update(auth(server.token))

    def call(method: str, path: str, body: dict | None = None) -> dict:
        answer = session.request(method, f"{server.url}{path}", json=body, timeout=60)
        assert answer.status_code < 300, (method, path, answer.status_code, answer.text[:300])
        return answer.json() if answer.content else {}

    for n, text in enumerate(INJECTIONS):
        handle = f"inj_{n}"
        person = call("POST", "/api/people", {"handle": handle, "display_name": text, "bio": text})
        assert (person["display_name"], person["bio"]) == (text, text)
        call("PATCH", f"/api/people/{handle}", {"stage": "noticed", "stage_cause": text})
        note = call("POST", f"/api/people/{handle}/notes", {"body": text})
        interaction = call(
            "POST",
            f"/api/people/{handle}/interactions",
            {"kind": "dm", "text": text, "dedupe_key": text},
        )
        call("POST", "/api/lists", {"slug": f"inj-{n}", "name": text, "description": text})
        call("PUT", f"/api/lists/inj-{n}/members/{handle}")
        call(
            "POST",
            "/api/stages",
            {"slug": f"inj-{n}", "name": text, "description": text, "next_step": text},
        )
        tag = " ".join(text.split())[:50]  # tags are tidied: one space between words
        call("PATCH", f"/api/people/{handle}", {"tags": [tag]})
        if "/" not in tag:
            call("PUT", f"/api/people/{handle}/tags/{quote(tag + ' 2', safe='')}")

        person = call("GET", f"/api/people/{handle}")
        assert (person["display_name"], person["bio"]) == (text, text)
        assert sorted(person["tags"]) == sorted([tag] + ([f"{tag} 2"] if "/" not in tag else []))
        assert person["lists"] == [f"inj-{n}"]
        assert call("GET", f"/api/people/{handle}/stages")[0]["cause"] == text
        assert call("GET", f"/api/people/{handle}/notes/{note['id']}")["body"] == text
        stored = call("GET", f"/api/people/{handle}/interactions/{interaction['id']}")
        assert (stored["text"], stored["dedupe_key"]) == (text, text)
        listed = call("GET", f"/api/lists/inj-{n}")
        assert (listed["name"], listed["description"]) == (text, text)
        stage = {s["slug"]: s for s in call("GET", "/api/stages")}[f"inj-{n}"]
        assert (stage["name"], stage["description"], stage["next_step"]) == (text, text, text)
        # As search text and as a reference, the same strings find nothing and break nothing.
        assert call("GET", f"/api/people?q={quote(text, safe='')}")["total"] >= 0
        refused = session.post(f"{server.url}/api/people", json={"handle": text})
        assert_json_error(refused, 422, "validation_error")
        missing = session.get(f"{server.url}/api/people/{quote(text, safe='')}")
        assert missing.status_code == 404, missing.text[:200]

    tags = {tag["name"] for tag in call("GET", "/api/tags")}
    assert {" ".join(t.split())[:50] for t in INJECTIONS} <= tags
    assert call("GET", "/api/people")["total"] == len(INJECTIONS)
    session.close()
    tables_after, integrity = _tables(server.home)
    assert tables_after == tables_before and "person" in tables_after
    assert integrity == "ok"


def test_writes_from_a_foreign_host_or_origin_change_nothing(served: RunningServer) -> None:
    """A DNS-rebound page or a web page's script cannot write, even holding the token."""
    body = json.dumps({"handle": "rebound"}).encode()
    for headers in (
        {"Host": f"evil.example:{served.port}"},
        {"Host": f"127.0.0.1:{served.port}", "Origin": "https://x.com"},
    ):
        status, _, answer = raw_request(
            served.port,
            "POST",
            "/api/people",
            {**headers, "Content-Type": "application/json", **auth(served.token)},
            body,
        )
        assert status == 403, answer
    assert (
        requests.get(f"{served.url}/api/people/rebound", headers=auth(served.token)).status_code
        == 404
    )


# ---- loopback only -------------------------------------------------------------------------------


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        match = re.fullmatch(r"socket:\[(\d+)\]", target)
        if match:
            inodes.add(match.group(1))
    return inodes


def _listening_addresses(
    pid: int, port: int
) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The addresses the process `pid` listens on at `port`, read from /proc/net/tcp{,6}."""
    inodes = _socket_inodes(pid)
    found = []
    for table, size in (("tcp", 4), ("tcp6", 16)):
        lines = Path(f"/proc/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            address_hex, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port or inode not in inodes:
                continue
            raw = bytes.fromhex(address_hex)
            # The kernel prints each 32-bit word in host (little-endian) order.
            ordered = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.append(ipaddress.ip_address(ordered if size == 16 else ordered[:4]))
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux's /proc/net")
def test_listening_socket_is_bound_to_loopback_only(served: RunningServer) -> None:
    addresses = _listening_addresses(served.process.pid, served.port)
    assert addresses == [ipaddress.ip_address("127.0.0.1")]


def _non_loopback_addresses() -> set[str]:
    found = set()
    with contextlib.suppress(OSError):
        found.add(socket.gethostbyname(socket.gethostname()))
    for target in ("192.0.2.1", "10.255.255.255", "8.8.8.8"):
        with (
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe,
            contextlib.suppress(OSError),
        ):
            probe.connect((target, 9))  # UDP: picks the outgoing address, sends nothing
            found.add(probe.getsockname()[0])
    return {a for a in found if not ipaddress.ip_address(a).is_loopback and a != "0.0.0.0"}


def test_not_reachable_from_the_network(served: RunningServer) -> None:
    addresses = _non_loopback_addresses()
    if not addresses:
        pytest.skip("this machine has no non-loopback address to try")
    for address in addresses:
        with pytest.raises(OSError):
            socket.create_connection((address, served.port), timeout=2).close()


def _can_bind(address: str) -> bool:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        with socket.socket(family) as probe:
            probe.bind((address, 0))
    except OSError:
        return False
    return True


@pytest.mark.parametrize(
    ("host", "address"),
    [("localhost", "127.0.0.1"), ("127.0.0.2", "127.0.0.2"), ("::1", "::1")],
)
def test_serve_on_another_loopback_name_answers_to_it(
    tmp_path: Path, host: str, address: str
) -> None:
    if not _can_bind(address):
        pytest.skip(f"this machine cannot listen on {address}")
    running = start_server(tmp_path / "home", "--host", host)
    try:
        shown = f"[{address}]" if ":" in address else address
        assert f"listening on http://{shown}:{running.port}" in "".join(running.output)
        if Path("/proc/net/tcp").exists():
            addresses = _listening_addresses(running.process.pid, running.port)
            assert addresses == [ipaddress.ip_address(address)]
        url = f"http://{shown}:{running.port}"
        assert requests.get(f"{url}/api/health").status_code == 200
        answer = requests.get(f"{url}/api/people", headers=auth(running.token))
        assert answer.status_code == 200, answer.text
        status, _, _ = raw_request(
            running.port, "GET", "/api/health", {"Host": "evil.example"}, address=address
        )
        assert status == 403
    finally:
        running.stop()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5", "::", "example.com"])
def test_serve_refuses_non_loopback_hosts(tmp_path: Path, host: str) -> None:
    home = tmp_path / "home"
    result = subprocess.run(
        [*rapport_command(), "serve", "--host", host, "--port", "0"],
        env={**os.environ, "RAPPORT_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert "loopback" in result.stderr
    assert host in result.stderr
    assert "Traceback" not in result.stderr
    assert not home.exists(), "nothing is written when the server refuses to start"


# ---- start-up and pairing ------------------------------------------------------------------------


def test_first_start_says_where_and_how_to_pair(server: RunningServer) -> None:
    text = "".join(server.output)
    assert f"listening on http://127.0.0.1:{server.port}" in text
    assert str(server.home) in text
    assert "rapport token" in text
    assert f"A pairing token was created: {server.token}" in text
    token_file = server.home / "token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(server.home.stat().st_mode) & 0o077 == 0


def test_second_start_keeps_the_token(server: RunningServer) -> None:
    server.stop()
    again = start_server(server.home)
    try:
        assert again.token == server.token
        assert "A pairing token was created" not in "".join(again.output)
        response = requests.get(f"{again.url}/api/people", headers=auth(server.token))
        assert response.status_code == 200
    finally:
        again.stop()


def test_rotating_the_token_takes_effect_at_once(
    server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAPPORT_HOME", str(server.home))
    people = f"{server.url}/api/people"
    tokens = [server.token]
    for _ in range(3):  # several rotations in quick succession
        result = CliRunner().invoke(main, ["token", "--rotate"])
        assert result.exit_code == 0, result.output
        tokens.append(result.stdout.strip())
        assert requests.get(people, headers=auth(tokens[-1])).status_code == 200
        for old in tokens[:-1]:
            assert_json_error(requests.get(people, headers=auth(old)), 401, "token_invalid")
    assert len(set(tokens)) == len(tokens)
    assert stat.S_IMODE((server.home / "token").stat().st_mode) == 0o600


def test_token_store_notices_a_replacement_with_the_same_timestamp(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    token_file = home / "token"
    token_file.write_text("first-token-aaaa\n")
    store = TokenStore(home)
    assert store.current() == "first-token-aaaa"
    before = token_file.stat()
    replacement = home / "token.new"
    replacement.write_text("other-token-bbbb\n")  # same length, same time stamp
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(replacement, token_file)
    assert store.current() == "other-token-bbbb"
