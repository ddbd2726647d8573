"""The Import & export page: the JSON export (the API's document) and the people CSV (streamed,
safe in a spreadsheet) as downloads; a JSON export imported from the page with its summary or
its field errors; the X archive uploaded and imported in the background, one at a time, with
its progress, summary or error in the sync log; and the session, CSRF and size checks."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from rapport import create_app
from rapport.db import close_database, database
from rapport.models import Person, SyncRun, utcnow
from rapport.services import people_csv
from rapport.x import archive_import

from .archive_fixtures import upload_archive
from .conftest import ApiClient
from .dashboard_support import Browser, flashes, location, text
from .helpers import TOKEN, add_person

JSON = {"Accept": "application/json"}


@pytest.fixture
def signed(app: Flask) -> Browser:
    browser = Browser(app)
    browser.sign_in()
    return browser


def people_count() -> int:
    with database.connection_context():
        return Person.select().count()


def runs() -> list[SyncRun]:
    with database.connection_context():
        return list(SyncRun.select().order_by(SyncRun.id))


def leftovers(home: Path) -> list[Path]:
    return sorted(home.glob("archive-upload-*"))


def damaged_archive(folder: Path) -> Path:
    """The same archive with its tweets file cut off in the middle."""
    upload_archive(folder)
    (folder / "data" / "tweets.js").write_text(
        'window.YTD.tweets.part0 = [ {"tweet": {"id_str": "1",', encoding="utf-8"
    )
    target = folder.with_name("damaged.zip")
    with zipfile.ZipFile(target, "w") as bundle:
        for file in sorted((folder / "data").iterdir()):
            bundle.write(file, f"data/{file.name}")
    return target


def upload(browser: Browser, path: Path, *, name: str | None = None, **kwargs: Any) -> Any:
    with path.open("rb") as fh:
        data = {"archive": (io.BytesIO(fh.read()), name or path.name)}
    return browser.post("/transfer/archive", data, **kwargs)


def wait_for(browser: Browser, url: str, timeout: float = 30.0) -> dict:
    """Poll the status route, as the page does, until the run is over."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = browser.get(url)
        assert answer.status_code == 200, text(answer)
        run = answer.get_json()
        if run["status"] != "running":
            return run
        time.sleep(0.05)
    raise AssertionError(f"the import at {url} did not finish")


# ---- the page -----------------------------------------------------------------------------------


def test_the_page_offers_export_import_and_the_archive(signed: Browser) -> None:
    response = signed.get("/transfer")
    assert response.status_code == 200
    page = text(response)
    assert 'aria-current="page">Import &amp; export</a>' in page
    assert '<h2 id="export-title">Export</h2>' in page
    assert 'href="/transfer/export.json"' in page and 'href="/transfer/people.csv"' in page
    assert '<label for="import-file">Export file (.json)</label>' in page
    assert '<label for="archive-file">X archive (.zip)</label>' in page
    assert 'enctype="multipart/form-data"' in page
    assert page.count('name="csrf_token"') >= 3
    assert 'data-max-bytes="512000000"' in page and "Up to 512 MB." in page
    assert '<script src="/assets/transfer.js" defer></script>' in page
    assert "<script>" not in page and " style=" not in page
    # No import yet: the run panel waits, hidden.
    assert re.search(r'<div class="transfer-run" id="archive-run" data-archive-run\s+hidden>', page)


# ---- export -------------------------------------------------------------------------------------


def test_the_json_export_is_the_api_export(client, signed: Browser) -> None:
    add_person(client, "ada", display_name="Ada Lovelace", followers_count=23_400)
    client.put("/api/people/ada/tags/design")
    client.post("/api/people/ada/notes", json={"body": "Met at the meetup"})
    client.post("/api/people/ada/interactions", json={"kind": "reply"})
    response = signed.get("/transfer/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    day = utcnow().strftime("%Y%m%d")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="rapport-export-{day}.json"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    mine = response.get_json()
    theirs = client.get("/api/export").get_json()
    assert mine.pop("exported_at") and theirs.pop("exported_at")
    assert mine == theirs
    assert [p["handle"] for p in mine["people"]] == ["ada"]


def read_csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8"), newline="")))


def test_the_people_csv_has_a_row_per_person(client, signed: Browser) -> None:
    add_person(
        client,
        "ada",
        x_id="101",
        display_name="Ada Lovelace, Countess",
        followers_count=23_400,
        follows_you=True,
        you_follow=False,
        stage="conversing",
    )
    add_person(client, "zoe_b", display_name="Zoë „B“")
    client.put("/api/people/ada/tags/Design")
    client.put("/api/people/ada/tags/analytics")
    client.put("/api/lists/watchlist/members/ada")
    client.post("/api/people/ada/interactions", json={"kind": "reply", "direction": "inbound"})
    response = signed.get("/transfer/people.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    day = utcnow().strftime("%Y%m%d")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="rapport-people-{day}.csv"'
    )
    table = read_csv(response)
    assert table[0] == list(people_csv.COLUMNS)
    assert len(table) == 3
    ada = dict(zip(table[0], table[1], strict=True))
    added_at = ada.pop("added_at")
    last_at = ada.pop("last_interaction_at")
    assert ada == {
        "handle": "ada",
        "x_id": "101",
        "display_name": "Ada Lovelace, Countess",
        "stage": "conversing",
        "tier": "micro",
        "followers": "23400",
        "you_follow": "no",
        "follows_you": "yes",
        "lists": "watchlist",
        "tags": "analytics; Design",
        "last_interaction_kind": "reply",
    }
    for moment in (added_at, last_at):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", moment), moment
    zoe = dict(zip(table[0], table[2], strict=True))
    assert zoe["display_name"] == "Zoë „B“"  # UTF-8 kept
    assert zoe["x_id"] == zoe["tier"] == zoe["followers"] == zoe["lists"] == ""
    assert zoe["last_interaction_at"] == zoe["last_interaction_kind"] == ""
    assert zoe["you_follow"] == zoe["follows_you"] == ""  # not known


def test_the_people_csv_keeps_formulas_as_text(client, signed: Browser) -> None:
    names = {
        "f_eq": '=HYPERLINK("http://evil.example","click")',
        "f_plus": "+1-555-0100",
        "f_minus": "-2+3",
        "f_at": "@SUM(A1:A2)",
        "f_plain": "a=b",
    }
    for handle, name in names.items():
        add_person(client, handle, display_name=name)
    client.put("/api/people/f_plain/tags/=cmd")
    rows = {row[0]: row for row in read_csv(signed.get("/transfer/people.csv"))[1:]}
    shown = {handle: rows[handle][2] for handle in names}
    assert shown == {
        "f_eq": '\'=HYPERLINK("http://evil.example","click")',
        "f_plus": "'+1-555-0100",
        "f_minus": "'-2+3",
        "f_at": "'@SUM(A1:A2)",
        "f_plain": "a=b",
    }
    assert rows["f_plain"][9] == "'=cmd"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("", ""),
        (None, ""),
        (True, "yes"),
        (False, "no"),
        (1234, "1234"),
        (datetime(2026, 1, 2, 3, 4, 5, 678), "2026-01-02T03:04:05Z"),
    ],
)
def test_cells_are_made_safe(value: Any, cell: str) -> None:
    assert people_csv.safe_cell(value) == cell


def test_the_people_csv_is_streamed_in_pieces(app: Flask, client, signed: Browser) -> None:
    for n in range(5):
        add_person(client, f"piece_{n}")
    with app.app_context(), database.connection_context():
        pieces = list(people_csv.stream(app.config["TIER_THRESHOLDS"], chunk=2))
    assert len(pieces) == 1 + 3  # the header, then 2 + 2 + 1 people
    assert pieces[0] == ",".join(people_csv.COLUMNS) + "\r\n"
    response = signed.get("/transfer/people.csv")
    assert response.is_streamed
    assert "Content-Length" not in response.headers
    assert response.get_data(as_text=True) == "".join(pieces)


# ---- importing a Rapport export -----------------------------------------------------------------


def export_file(document: dict, name: str = "rapport-export.json") -> dict:
    return {"document": (io.BytesIO(json.dumps(document).encode("utf-8")), name)}


def test_a_json_export_is_merged_with_a_summary(client, signed: Browser) -> None:
    add_person(client, "ada", display_name="Ada")
    document = client.get("/api/export").get_json()
    grace = dict(document["people"][0], handle="grace", x_id=None, display_name="Grace")
    grace["notes"] = [
        {
            "body": "Wrote COBOL",
            "created_at": grace["created_at"],
            "updated_at": grace["created_at"],
        }
    ]
    document["people"].append(grace)
    response = signed.post("/transfer/import", export_file(document))
    assert response.status_code == 200
    page = text(response)
    result = page.split('id="import-result"', 1)[1].split("</div>", 1)[0]
    assert "<strong>rapport-export.json</strong> is imported." in result
    assert "<dt>People created</dt><dd>1</dd>" in result
    assert "<dt>Notes added</dt><dd>1</dd>" in result
    assert 'role="status"' in page.split('id="import-result"', 1)[0].rsplit("<div", 1)[1]
    assert client.get("/api/people/grace").get_json()["display_name"] == "Grace"
    # Again: nothing new.
    again = text(signed.post("/transfer/import", export_file(document)))
    assert "Nothing was new: everything in it was here already." in again
    assert people_count() == 2


def test_a_bad_export_names_the_fields_and_changes_nothing(client, signed: Browser) -> None:
    add_person(client, "ada", display_name="Ada")
    document = client.get("/api/export").get_json()
    good = dict(document["people"][0], handle="newcomer", x_id=None)
    bad = dict(document["people"][0], handle="broken", x_id=None)
    bad["interactions"] = [
        {
            "kind": "shouted",
            "direction": "outbound",
            "happened_at": bad["created_at"],
            "tweet_url": "",
            "text": "",
            "source": "manual",
            "dedupe_key": None,
            "created_at": bad["created_at"],
        }
    ]
    document["people"] += [good, bad]
    before = client.get("/api/export").get_json()
    response = signed.post("/transfer/import", export_file(document, "mine.json"))
    assert response.status_code == 422
    page = text(response)
    result = page.split('id="import-result"', 1)[1].split("</div>", 1)[0]
    assert "<strong>mine.json</strong>: The export is not valid: check people.2" in result
    assert "Nothing was imported." in result
    assert "<li><code>people.2.interactions.0.kind</code>:" in result
    assert 'role="alert"' in page
    after = client.get("/api/export").get_json()
    assert before.pop("exported_at") and after.pop("exported_at")
    assert after == before
    assert client.get("/api/people/newcomer").status_code == 404


def test_a_file_that_is_not_json_is_refused(signed: Browser) -> None:
    data = {"document": (io.BytesIO(b"\xff\xfe not json"), "photo.json")}
    response = signed.post("/transfer/import", data)
    assert response.status_code == 400
    assert "<strong>photo.json</strong>: photo.json is not a Rapport export" in text(response)
    response = signed.post("/transfer/import", {"document": (io.BytesIO(b"[1, 2]"), "x.json")})
    assert response.status_code == 422
    assert "An export is a JSON object; this is not one." in text(response)
    response = signed.post("/transfer/import", {})
    assert response.status_code == 400
    assert "Choose a Rapport export file (a .json file) first." in text(response)


# ---- the X archive ------------------------------------------------------------------------------


def test_an_archive_is_imported_in_the_background(
    app: Flask, client, signed: Browser, tmp_path: Path
) -> None:
    response = upload(signed, upload_archive(tmp_path / "archive"), headers=JSON)
    assert response.status_code == 202, text(response)
    started = response.get_json()
    assert started["file"] == "archive.zip"
    assert started["status_url"] == f"/transfer/archive/{started['id']}"
    run = wait_for(signed, started["status_url"])
    assert run["status"] == "done", run
    assert run["error"] == ""
    assert run["message"] == "The archive is imported."
    assert run["progress"]["done"] == run["progress"]["total"] > 0
    summary = run["summary"]
    assert summary["people_created"] == 5  # user_1, user_2, user_5, user_6, user_7
    assert summary["reply_added"] == 1 and summary["mention_added"] == 1
    assert summary["dm_added"] == 2
    assert ["Replies added", 1] in run["lines"]
    assert ["Direct messages added", 2] in run["lines"]
    assert run["finished_at"] and run["started_at"]
    # The sync log holds the run.
    [row] = runs()
    assert (row.kind, row.status, row.scope) == ("archive", "done", "archive.zip")
    assert json.loads(row.summary) == summary
    assert row.finished_at is not None
    # Imported, and the temporary file is gone.
    ada = client.get("/api/people/user_1").get_json()
    assert ada["last_interaction"]["kind"] == "reply"
    assert leftovers(app.config["HOME"]) == []
    # The page shows the last import.
    page = text(signed.get("/transfer"))
    panel = page.split('id="archive-run"', 1)[1].split("</section>", 1)[0]
    assert 'data-status="done"' in panel
    assert "Last import: archive.zip" in panel and "The archive is imported." in panel
    assert "<dt>Replies added</dt><dd>1</dd>" in panel


def test_without_script_the_form_posts_and_the_page_shows_the_run(
    signed: Browser, tmp_path: Path
) -> None:
    response = upload(signed, upload_archive(tmp_path / "archive"), name="my-x-archive.zip")
    assert response.status_code == 303
    assert location(response) == "/transfer#archive"
    assert flashes(signed)[-1] == ("ok", "my-x-archive.zip is uploaded; Rapport is importing it.")
    run_id = runs()[-1].id
    wait_for(signed, f"/transfer/archive/{run_id}")
    page = text(signed.get("/transfer"))
    assert "Last import: my-x-archive.zip" in page


def test_a_damaged_archive_fails_and_imports_nothing(
    app: Flask, signed: Browser, tmp_path: Path
) -> None:
    response = upload(signed, damaged_archive(tmp_path / "archive"), headers=JSON)
    assert response.status_code == 202
    run = wait_for(signed, response.get_json()["status_url"])
    assert run["status"] == "failed"
    assert run["error"].startswith("data/tweets.js is damaged: it is not valid JSON")
    assert run["error"].endswith("Nothing was imported.")
    assert run["message"] == run["error"] and run["summary"] == {} and run["lines"] == []
    assert runs()[-1].status == "failed"
    assert people_count() == 0
    assert leftovers(app.config["HOME"]) == []
    page = text(signed.get("/transfer"))
    assert "data/tweets.js is damaged" in page and "transfer-failed" in page


def test_a_file_that_is_not_a_zip_fails_in_plain_words(
    app: Flask, signed: Browser, tmp_path: Path
) -> None:
    junk = tmp_path / "holiday.zip"
    junk.write_bytes(b"these are not the bytes of a zip file")
    run = wait_for(signed, upload(signed, junk, headers=JSON).get_json()["status_url"])
    assert run["status"] == "failed"
    assert run["error"].startswith("holiday.zip is not a zip file")
    assert str(app.config["HOME"]) not in run["error"]  # not the temporary file's path
    assert people_count() == 0


def test_an_unexpected_error_fails_the_run(
    signed: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path, *, progress=None):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(archive_import, "import_archive", broken)
    run = wait_for(
        signed,
        upload(signed, upload_archive(tmp_path / "a"), headers=JSON).get_json()["status_url"],
    )
    assert run["status"] == "failed"
    assert run["error"].startswith("The import stopped on an unexpected error")
    assert "disk on fire" not in run["error"]


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """An importer that reports some progress, then waits until the test lets it go."""
    go = threading.Event()

    def slow(path, *, progress=None):
        assert Path(path).is_file()
        progress("tweets", 5, 10)
        assert go.wait(20)
        progress("writing", 1, 1)
        return {"people_created": 0}

    monkeypatch.setattr(archive_import, "import_archive", slow)
    yield go
    go.set()


def test_one_import_at_a_time_with_progress(
    app: Flask, signed: Browser, tmp_path: Path, held: threading.Event
) -> None:
    archive = upload_archive(tmp_path / "archive")
    first = upload(signed, archive, headers=JSON)
    assert first.status_code == 202
    url = first.get_json()["status_url"]
    deadline = time.monotonic() + 10
    while signed.get(url).get_json()["progress"]["step"] != "tweets":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    run = signed.get(url).get_json()
    assert run["status"] == "running"
    assert run["progress"] == {"step": "tweets", "done": 5, "total": 10}
    assert run["message"] == "Tweets: 50%"
    # The upload waits in the data folder while the import runs.
    assert len(leftovers(app.config["HOME"])) == 1
    # A second upload meanwhile is refused, with JSON or as a page.
    second = upload(signed, archive, headers=JSON)
    assert second.status_code == 409
    assert second.get_json() == {
        "error": "An archive import is running already. Wait until it finishes, then upload again."
    }
    refused = upload(signed, archive)
    assert refused.status_code == 303
    assert flashes(signed)[-1][0] == "error"
    page = text(signed.get("/transfer"))
    assert 'data-status="running"' in page and "Check progress" in page
    assert len(runs()) == 1
    held.set()
    assert wait_for(signed, url)["status"] == "done"
    assert leftovers(app.config["HOME"]) == []
    # ...and then the next one may start.
    third = upload(signed, archive, headers=JSON)
    assert third.status_code == 202
    assert wait_for(signed, third.get_json()["status_url"])["status"] == "done"


def test_an_importer_without_progress_still_runs(
    signed: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Path] = []

    def plain(path):
        seen.append(Path(path))
        return {"people_created": 2}

    monkeypatch.setattr(archive_import, "import_archive", plain)
    response = upload(signed, upload_archive(tmp_path / "archive"), headers=JSON)
    run = wait_for(signed, response.get_json()["status_url"])
    assert run["status"] == "done"
    assert run["summary"] == {"people_created": 2}
    assert run["progress"] == {"step": "finished", "done": 1, "total": 1}
    assert len(seen) == 1 and seen[0].name.startswith("archive-upload-")


def test_a_run_cut_short_by_a_restart_is_marked_failed(signed: Browser) -> None:
    with database.connection_context():
        run = SyncRun.create(kind="archive", status="running", scope="old.zip")
    answer = signed.get(f"/transfer/archive/{run.id}").get_json()
    assert answer["status"] == "failed"
    assert answer["error"].startswith("The server stopped before this import finished.")
    assert runs()[-1].status == "failed"
    assert signed.get("/transfer/archive/999").status_code == 404


def test_an_upload_without_a_file_is_refused(signed: Browser) -> None:
    response = signed.post("/transfer/archive", {}, headers=JSON)
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "Choose your X archive (the .zip file X sent you) first."
    }
    assert runs() == []


# ---- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/transfer", "/transfer/export.json", "/transfer/people.csv", "/transfer/archive/1"],
)
def test_not_signed_in_goes_to_sign_in(app: Flask, path: str) -> None:
    response = Browser(app).get(path)
    assert response.status_code == 302
    assert location(response).startswith("/signin?next=")


def test_writes_need_a_session(app: Flask, tmp_path: Path) -> None:
    stranger = Browser(app)
    response = upload(stranger, upload_archive(tmp_path / "archive"))
    assert response.status_code == 303
    assert location(response) == "/signin"
    assert flashes(stranger)[-1] == ("error", "Your session has ended. Sign in again.")
    response = stranger.post("/transfer/import", export_file({"format": "rapport"}))
    assert response.status_code == 303
    assert location(response) == "/signin"
    assert runs() == []


@pytest.mark.parametrize("forged", [None, "not-the-token"])
def test_writes_need_the_csrf_token(
    app: Flask, signed: Browser, tmp_path: Path, forged: str | None
) -> None:
    response = upload(signed, upload_archive(tmp_path / "archive"), csrf=forged)
    assert response.status_code == 403
    assert "This form has expired" in text(response)
    response = signed.post("/transfer/import", export_file({"format": "rapport"}), csrf=forged)
    assert response.status_code == 403
    assert runs() == [] and leftovers(app.config["HOME"]) == []


def test_writes_need_the_dashboard_origin(signed: Browser, tmp_path: Path) -> None:
    response = upload(
        signed, upload_archive(tmp_path / "archive"), origin="http://evil.example", headers=JSON
    )
    assert response.status_code == 403
    assert runs() == []


# ---- size ---------------------------------------------------------------------------------------


def sized_app(home: Path, **limits: int) -> Iterator[Flask]:
    application = create_app({"HOME": home, "TOKEN": TOKEN, "PORT": 7277, **limits})
    application.test_client_class = ApiClient
    yield application
    close_database()


def padded(archive: Path, size: int) -> Path:
    """`archive` with a file of random bytes (which the importer ignores) to reach `size`."""
    with zipfile.ZipFile(archive, "a") as bundle:
        bundle.writestr("data/padding.bin", os.urandom(size), zipfile.ZIP_STORED)
    return archive


def test_an_oversize_upload_gets_a_clear_413(home: Path, tmp_path: Path) -> None:
    for app in sized_app(home, MAX_IMPORT_BYTES=30_000, MAX_BODY_BYTES=30_000):
        browser = Browser(app)
        browser.sign_in()
        big = padded(upload_archive(tmp_path / "archive"), 40_000)
        response = upload(browser, big)
        assert response.status_code == 413
        page = text(response)
        assert "<h1>Too large</h1>" in page
        assert "The request body is larger than 30000 bytes." in page
        response = browser.post("/transfer/import", {"document": (big.open("rb"), "big.json")})
        assert response.status_code == 413
        with database.connection_context():
            assert SyncRun.select().count() == 0
        assert leftovers(home) == []


def test_an_archive_larger_than_an_ordinary_body_is_accepted(home: Path, tmp_path: Path) -> None:
    for app in sized_app(home, MAX_IMPORT_BYTES=1_000_000, MAX_BODY_BYTES=20_000):
        browser = Browser(app)
        browser.sign_in()
        big = padded(upload_archive(tmp_path / "archive"), 60_000)
        response = upload(browser, big, headers=JSON)
        assert response.status_code == 202, text(response)
        assert wait_for(browser, response.get_json()["status_url"])["status"] == "done"
