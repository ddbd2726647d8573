"""The Import & export page in real headless Chromium against a real `rapport serve`: an X archive
uploaded through the page, its upload bar filling and the import's progress polled to the
summary; the JSON and CSV exports downloaded and read; a JSON export imported, and a broken one
refused with its fields named.

The page is photographed at desktop (1280 wide) and phone (390 wide) widths into
build/test-artifacts/dashboard/.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from ..archive_fixtures import upload_archive
from ..helpers import RunningServer
from .harness import Api
from .test_dashboard import Tab, checked_tab


@pytest.fixture
def tab(plain_chromium: Browser, rapport: RunningServer) -> Iterator[Tab]:
    yield from checked_tab(plain_chromium, rapport)


def test_upload_an_archive_and_watch_it_import(
    tab: Tab, api: Api, shots: Path, tmp_path: Path
) -> None:
    page = tab.sign_in_by_link(api, "/transfer")
    expect(page.get_by_role("heading", name="Import & export", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Import & export")).to_have_attribute(
        "aria-current", "page"
    )
    tab.shoot(shots, "transfer")
    tab.shoot_dark(shots, "transfer")
    page.get_by_label("X archive (.zip)").set_input_files(str(upload_archive(tmp_path / "archive")))
    # Submitted with the keyboard: the button is reached with Tab and pressed with Enter.
    page.get_by_label("X archive (.zip)").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Upload and import")).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    page.keyboard.press("Enter")
    # The upload bar fills...
    upload = page.get_by_label("Upload", exact=True)
    expect(page.locator("[data-upload-text]")).to_have_text("Uploaded archive.zip.")
    assert upload.evaluate("bar => bar.value === bar.max && bar.max > 0")
    # ...then the import's progress is polled until its summary shows.
    run = page.locator("#archive-run")
    expect(run.get_by_role("status")).to_have_text("The archive is imported.", timeout=20_000)
    expect(run.get_by_role("heading", level=3)).to_have_text("Last import: archive.zip")
    assert run.get_by_label("Import progress").evaluate("bar => bar.value === bar.max")
    summary = run.locator("dl")
    expect(summary).to_contain_text("Replies added")
    expect(summary).to_contain_text("Direct messages added")
    terms = summary.locator("dt").all_inner_texts()
    values = summary.locator("dd").all_inner_texts()
    shown = dict(zip(terms, values, strict=True))
    assert shown["Replies added"] == "1" and shown["Direct messages added"] == "2"
    expect(page.get_by_role("button", name="Upload and import")).to_be_enabled()
    tab.shoot(shots, "transfer-archive-imported")
    assert api.get("/api/people/user_1")["last_interaction"]["kind"] == "reply"
    assert not list(tab.server.home.glob("archive-upload-*"))
    # After a reload the page still shows the import, without script help.
    page.reload()
    expect(page.locator("#archive-run").get_by_role("status")).to_have_text(
        "The archive is imported."
    )


def test_download_the_exports(tab: Tab, api: Api, tmp_path: Path) -> None:
    api.add_person("xfer_ada", display_name="=HYPERLINK(1)", followers_count=23_400)
    api.call("PUT", "/api/people/xfer_ada/tags/design")
    page = tab.sign_in_by_link(api, "/transfer")
    day = datetime.now(UTC).strftime("%Y%m%d")

    with page.expect_download() as json_download:
        page.get_by_role("link", name="Download everything (JSON)").click()
    download = json_download.value
    assert download.suggested_filename == f"rapport-export-{day}.json"
    document = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    expected = api.get("/api/export")
    assert document.pop("exported_at") and expected.pop("exported_at")
    assert document == expected
    ada = next(p for p in document["people"] if p["handle"] == "xfer_ada")
    assert ada["tags"] == ["design"]

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download people (CSV)").click()
    download = csv_download.value
    assert download.suggested_filename == f"rapport-people-{day}.csv"
    raw = Path(download.path()).read_text(encoding="utf-8")
    table = list(csv.DictReader(io.StringIO(raw, newline="")))
    row = next(r for r in table if r["handle"] == "xfer_ada")
    assert row["display_name"] == "'=HYPERLINK(1)"  # kept as text in a spreadsheet
    assert (row["tier"], row["followers"], row["tags"]) == ("micro", "23400", "design")
    assert {r["handle"] for r in table} >= {"xfer_ada"}
    expect(page).to_have_url(tab.url("/transfer"))  # downloading did not leave the page


def test_import_a_json_export_and_see_what_is_wrong(
    tab: Tab, api: Api, shots: Path, tmp_path: Path
) -> None:
    api.add_person("xfer_grace", display_name="Grace")
    document = api.get("/api/export")
    person = next(p for p in document["people"] if p["handle"] == "xfer_grace")
    newcomer = dict(person, handle="xfer_new", x_id=None, display_name="Newcomer")
    document["people"].append(newcomer)
    good = tmp_path / "good-export.json"
    good.write_text(json.dumps(document), encoding="utf-8")
    broken_person = dict(person, handle="xfer_broken", x_id=None, stage=7)
    document["people"].append(broken_person)
    bad = tmp_path / "bad-export.json"
    bad.write_text(json.dumps(document), encoding="utf-8")

    page = tab.sign_in_by_link(api, "/transfer")
    page.get_by_label("Export file (.json)").set_input_files(str(bad))
    page.get_by_role("button", name="Import", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("bad-export.json: The export is not valid")
    expect(alert).to_contain_text("Nothing was imported.")
    expect(alert.locator("code")).to_contain_text([re.compile(r"^people\.\d+\.stage$")])
    tab.shoot(shots, "transfer-import-refused")
    api.call("GET", "/api/people/xfer_new", expect=(404,))

    page.get_by_label("Export file (.json)").set_input_files(str(good))
    page.get_by_role("button", name="Import", exact=True).click()
    result = page.locator("#import-result")
    expect(result).to_contain_text("good-export.json is imported.")
    expect(result).to_contain_text("People created")
    tab.shoot(shots, "transfer-import-done")
    assert api.get("/api/people/xfer_new")["display_name"] == "Newcomer"
