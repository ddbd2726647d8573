"""The server over real HTTP: one keep-alive `http.client` connection per benchmark to a
`rapport serve` subprocess, warm-up runs first, then `perf_counter_ns` around each request (from
sending it to having read the whole answer).

API: annotations for 100 handles, a person's profile (and the five calls the extension's panel
makes), the people list with filters, the follow-up queue and its count, the health check; the
dashboard's pages signed in; export and import throughput; and the X archive import throughput
(in this process, into an empty database, as `tools/bench_archive.py` does).
"""

from __future__ import annotations

import copy
import http.client
import json
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from . import ROOT  # noqa: F401  (puts backend/ and the repository on sys.path)
from .report import Record, sample, timed
from .workload import PEOPLE_QUERIES, Workload

DASHBOARD_PAGES = {
    "dashboard: People": "/people",
    "dashboard: Person (busiest)": "/people/{busiest}",
    "dashboard: Person (typical)": "/people/{typical}",
    "dashboard: Today": "/today",
    "dashboard: Pipeline": "/pipeline",
    "dashboard: Insights": "/insights",
    "dashboard: Lists": "/lists",
}


class Client:
    """One keep-alive connection to the server, with the token or a dashboard session."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.cookies: dict[str, str] = {}

    def call(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
    ) -> bytes:
        sent = {**self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=body, headers=sent)
        answer = self.connection.getresponse()
        data = answer.read()
        for value in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
        if answer.status not in expect:
            raise RuntimeError(f"{method} {path}: {answer.status} {data[:300]!r}")
        return data

    def post_json(self, path: str, document: Any) -> bytes:
        body = json.dumps(document).encode()
        return self.call("POST", path, body, {"Content-Type": "application/json"})

    def sign_in(self, token: str) -> None:
        """Sign in to the dashboard with the pairing token, as a user does."""
        page = self.call("GET", "/signin").decode()
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        if csrf is None:
            raise RuntimeError("no CSRF token on the sign-in page")
        form = urlencode({"token": token, "csrf_token": csrf.group(1)}).encode()
        origin = f"http://127.0.0.1:{self.port}"
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin}
        self.call("POST", "/signin", form, headers, expect=(303,))

    def close(self) -> None:
        self.connection.close()


def _api_calls(client: Client, work: Workload) -> dict[str, tuple[Callable[[Any], Any], list]]:
    """Measurement name -> (one request, the inputs to cycle through)."""

    def get(path: str) -> bytes:
        return client.call("GET", path)

    def panel(handle: str) -> None:  # what the extension's worker asks for a profile
        get(f"/api/people/{handle}")
        get("/api/stages")
        get("/api/lists")
        get(f"/api/people/{handle}/notes")
        get(f"/api/people/{handle}/interactions?per_page=3")

    calls: dict[str, tuple[Callable[[Any], Any], list]] = {
        "health": (lambda _: get("/api/health"), [None]),
        "annotations, 100 handles": (
            lambda batch: client.post_json("/api/annotations", {"handles": batch}),
            work.annotation_batches,
        ),
        "person profile": (lambda h: get(f"/api/people/{h}"), work.profiles),
        "person panel (5 calls)": (panel, work.profiles),
        "follow-up queue": (lambda _: get("/api/followups?limit=20"), [None]),
        "follow-up count": (lambda _: get("/api/followups/count"), [None]),
    }
    for name, params in PEOPLE_QUERIES.items():
        path = "/api/people" + (f"?{urlencode(params)}" if params else "")
        calls[name] = (lambda _, p=path: get(p), [None])
    return calls


def measure_api(port: int, token: str, work: Workload, scale: str, runs: int, warmup: int):
    """The API's lookups, each over its own keep-alive connection."""
    records = []
    for name in list(_api_calls(Client(port, token), work)):  # the client connects lazily
        client = Client(port, token)
        call, inputs = _api_calls(client, work)[name]
        try:
            records.append(timed(name, scale, sample(call, inputs, runs, warmup)))
        finally:
            client.close()
    return records


def measure_dashboard(port: int, token: str, work: Workload, scale: str, runs: int, warmup: int):
    """The dashboard's pages, signed in, each over one keep-alive connection."""
    typical = work.profiles[0]
    client = Client(port)
    records = []
    try:
        client.sign_in(token)
        for name, pattern in DASHBOARD_PAGES.items():
            path = pattern.format(busiest=work.busiest, typical=typical)
            try:
                client.call("GET", path)
            except RuntimeError as error:
                if " 404 " in str(error):  # a page this version does not have
                    continue
                raise
            samples = sample(lambda _, p=path: client.call("GET", p), [None], runs, warmup)
            records.append(timed(name, scale, samples, path=path))
    finally:
        client.close()
    return records


def _counted(document: dict[str, Any]) -> int:
    """Records in an export: people, their notes, contact history, tags, lists, stage history."""
    total = 0
    for person in document["people"]:
        total += 1
        for key in ("notes", "interactions", "stage_history", "tags", "lists", "earlier_handles"):
            total += len(person.get(key) or [])
    return total


def measure_transfer(port: int, token: str, scale: str, runs: int, import_people: int):
    """GET /api/export of the whole database, then POST /api/import of `import_people` people
    from it under new handles and ids (so each run really inserts)."""
    client = Client(port, token)
    try:
        body = b""

        def export(_: Any) -> None:
            nonlocal body
            body = client.call("GET", "/api/export")

        samples = sample(export, [None], runs, 1)
        document = json.loads(body)
        records = _counted(document)
        export_record = timed("export", scale, samples, records=records, bytes=len(body))
        export_record.extra["throughput"] = round(records / (export_record.p50 / 1000))

        chosen = document["people"][:: max(1, len(document["people"]) // import_people)]
        chosen = chosen[:import_people]
        bodies = []
        for run in range(runs + 1):
            people = copy.deepcopy(chosen)
            for k, person in enumerate(people):
                person["handle"] = f"imp{run}_{k}"
                person["x_id"] = str(900_000_000 + run * 1_000_000 + k)
                person["earlier_handles"] = []
            bodies.append(json.dumps({**document, "people": people}).encode())
        del document, body
        imported = _counted({"people": chosen})
        headers = {"Content-Type": "application/json"}
        samples = sample(lambda b: client.call("POST", "/api/import", b, headers), bodies, runs, 1)
        import_record = timed("import", scale, samples, records=imported, people=len(chosen))
        import_record.extra["throughput"] = round(imported / (import_record.p50 / 1000))
        return [export_record, import_record]
    finally:
        client.close()


ARCHIVE_SIZES = {  # posts, DMs, following, followers, likes, lists of each kind
    "full": {"tweets": 50_000, "dms": 5_000, "following": 10_000, "followers": 2_000,
             "likes": 100_000, "lists": 5},
    "small": {"tweets": 2_500, "dms": 250, "following": 500, "followers": 100,
              "likes": 5_000, "lists": 2},
}  # fmt: skip


def measure_archive(scale: str, runs: int) -> Record:
    """`import_archive` of a generated X archive (tests/archive_fixtures.py, the format X
    ships) into an empty database, `runs` times, each into a fresh data folder."""
    from rapport import create_app
    from rapport.db import close_database, database
    from rapport.x.archive_import import import_archive
    from tests.archive_fixtures import generated_archive

    sizes = ARCHIVE_SIZES[scale]
    records = sum(sizes.values()) - sizes["lists"] + 3 * sizes["lists"]
    samples = []
    with tempfile.TemporaryDirectory() as folder:
        archive = generated_archive(Path(folder) / "archive", **sizes)
        for run in range(runs):
            create_app({"HOME": Path(folder) / f"home{run}", "TOKEN": "bench", "PORT": 7277})
            with database.connection_context():
                started = time.perf_counter_ns()
                import_archive(archive)
                samples.append(time.perf_counter_ns() - started)
            close_database()
    record = timed("archive import", scale, samples, records=records)
    record.extra["throughput"] = round(records / (record.p50 / 1000))
    return record
