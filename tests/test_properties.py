"""Property tests (Hypothesis) of the parsers and the pure logic: what holds for every input, not
only for the examples the other tests pick.

- X handles and ids (`schemas.Handle`, `schemas.XUserId`): valid ones are accepted and normalised,
  anything else is a field error, never an exception.
- X archive files (`x/archive_reader.py`): the `window.YTD.<name>.partN = ` wrapper is stripped and
  a generated file round-trips; any bytes, manifest or file give records or `ArchiveError`.
- Import documents (`services/transfer.py`, through `POST /api/import`): any JSON is imported or
  refused with a 4xx naming the fields, never a 500.
- The three-way list merge (`x/merge.py`).

Rapport has no Python parser of X's abbreviated counts ("1.2K"): the extension's JavaScript one is
tested under node (tests/extension/).

Every test is derandomized (the same examples on every run) and has a fixed example budget.
"""

from __future__ import annotations

import contextlib
import json
import re
import string
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError

from rapport.schemas import EXPORT_FORMAT, EXPORT_FORMAT_VERSION, Handle, XUserId
from rapport.x.archive_reader import MANIFEST, Archive, ArchiveError, parse_assignment
from rapport.x.merge import merge

FAST = settings(max_examples=200, derandomize=True, database=None, deadline=None)
SLOW = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HANDLE_CHARACTERS = string.ascii_letters + string.digits + "_"
handles = st.text(HANDLE_CHARACTERS, min_size=1, max_size=15)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


class IdentitySchema(Schema):
    handle = Handle()
    x_id = XUserId()


def load_field(name: str, value: Any) -> tuple[Any, list[str] | None]:
    """(the loaded value, None), or (None, the field's error messages)."""
    try:
        return IdentitySchema().load({name: value})[name], None
    except ValidationError as error:
        assert set(error.messages) == {name}, error.messages
        messages = error.messages[name]
        assert messages and all(isinstance(text, str) for text in messages), messages
        return None, messages


# ---- handles and X user ids ---------------------------------------------------------------------


@FAST
@given(
    handle=handles, at=st.booleans(), before=st.sampled_from(["", " ", "\t"]), after=st.text(" ")
)
def test_valid_handles_are_accepted_and_normalised(
    handle: str, at: bool, before: str, after: str
) -> None:
    loaded, problem = load_field("handle", f"{before}{'@' if at else ''}{handle}{after}")
    assert problem is None
    assert loaded == handle


@FAST
@given(value=st.text() | json_values)
def test_anything_else_is_not_a_handle(value: Any) -> None:
    loaded, problem = load_field("handle", value)
    text = value.strip().removeprefix("@") if isinstance(value, str) else None
    valid = text is not None and re.fullmatch(r"[A-Za-z0-9_]{1,15}", text) is not None
    assert (problem is None) == valid, (value, problem)
    if valid:
        assert loaded == text


@FAST
@given(digits=st.text(string.digits, min_size=1, max_size=20), as_int=st.booleans())
def test_valid_x_ids_are_accepted_as_canonical_strings(digits: str, as_int: bool) -> None:
    loaded, problem = load_field("x_id", int(digits) if as_int else f" {digits} ")
    assert problem is None
    assert loaded == str(int(digits))


@FAST
@given(value=st.text() | st.integers() | json_values)
def test_anything_else_is_not_an_x_id(value: Any) -> None:
    loaded, problem = load_field("x_id", value)
    text = str(value).strip() if isinstance(value, str | int) else None
    valid = (
        not isinstance(value, bool)
        and text is not None
        and re.fullmatch(r"[0-9]{1,20}", text) is not None
    )
    assert (problem is None) == valid, (value, problem)
    if valid:
        assert loaded == str(int(text))


# ---- X archive files ----------------------------------------------------------------------------

archive_names = st.text(string.ascii_letters, min_size=1, max_size=12)
records = st.lists(
    st.fixed_dictionaries({"like": st.dictionaries(st.text(max_size=8), json_values)})
)


def wrapped(name: str, part: int, value: Any, *, bom: bool, semicolon: bool) -> str:
    return (
        ("\ufeff" if bom else "")
        + f"window.YTD.{name}.part{part} = "
        + json.dumps(value)
        + (";" if semicolon else "")
        + "\n"
    )


@FAST
@given(
    name=archive_names,
    part=st.integers(0, 99),
    value=json_values,
    bom=st.booleans(),
    semicolon=st.booleans(),
)
def test_archive_wrapper_is_stripped(
    name: str, part: int, value: Any, bom: bool, semicolon: bool
) -> None:
    text = wrapped(name, part, value, bom=bom, semicolon=semicolon)
    assert parse_assignment(text, "data/x.js") == value


@FAST
@given(text=st.text() | st.binary().map(lambda raw: raw.decode("latin-1")))
def test_archive_garbage_is_an_archive_error(text: str) -> None:
    try:
        value = parse_assignment(text, "data/x.js")
    except ArchiveError as error:
        assert "data/x.js" in str(error)
    else:  # only plain JSON, or an assignment of it, parses
        body = text.lstrip("\ufeff").strip()
        if not body.startswith(("[", "{")):
            body = body.partition("=")[2].strip().removesuffix(";")
        assert value == json.loads(body)


def _folder_archive(parent: Path, files: dict[str, bytes]) -> Path:
    """A new folder under `parent` (one per example) holding `files`."""
    root = Path(tempfile.mkdtemp(dir=parent))
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root


def _read_everything(path: Path) -> int:
    """Open the archive and read every like record; returns how many there were."""
    with Archive(path) as archive:
        return sum(1 for _ in archive.records("like", "like"))


@SLOW
@given(content=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_data_file_gives_records_or_an_archive_error(tmp_path: Path, content: bytes) -> None:
    root = _folder_archive(tmp_path, {"data/like.js": content})
    with contextlib.suppress(ArchiveError):
        _read_everything(root)


@SLOW
@given(manifest=json_values, listed=st.lists(st.text(max_size=12), max_size=3))
def test_any_manifest_gives_records_or_an_archive_error(
    tmp_path: Path, manifest: Any, listed: list[str]
) -> None:
    """The manifest's shape is X's, not ours: every odd shape is an ArchiveError at worst."""
    shapes = [
        manifest,
        {"dataTypes": manifest},
        {"dataTypes": {"like": manifest}},
        {"dataTypes": {"like": {"files": manifest}}},
        {"dataTypes": {"like": {"files": [{"fileName": name} for name in listed]}}},
    ]
    for shape in shapes:
        files = {
            MANIFEST: f"window.__THAR_CONFIG = {json.dumps(shape)}".encode(),
            "data/like.js": wrapped("like", 0, [], bom=False, semicolon=False).encode(),
        }
        with contextlib.suppress(ArchiveError):
            _read_everything(_folder_archive(tmp_path, files))


@SLOW
@given(content=st.binary(max_size=500))
def test_any_zip_file_gives_records_or_an_archive_error(tmp_path: Path, content: bytes) -> None:
    path = Path(tempfile.mkdtemp(dir=tmp_path)) / "archive.zip"
    path.write_bytes(content)
    with contextlib.suppress(ArchiveError):
        _read_everything(path)


@SLOW
@given(parts=st.lists(records, min_size=1, max_size=3), zipped=st.booleans())
def test_generated_archive_round_trips(
    tmp_path: Path, parts: list[list[dict]], zipped: bool
) -> None:
    files = {
        f"data/like-part{index + 1}.js": wrapped("like", index, part, bom=False, semicolon=False)
        for index, part in enumerate(parts)
    }
    if zipped:
        path = Path(tempfile.mkdtemp(dir=tmp_path)) / "twitter-archive.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for name, text in files.items():
                archive.writestr(f"twitter-2026/{name}", text)
    else:
        path = _folder_archive(tmp_path, {name: text.encode() for name, text in files.items()})
    with Archive(path) as archive:
        read = [record for _, _, record in archive.records("like", "like")]
    assert read == [item["like"] for part in parts for item in part]


# ---- import documents ---------------------------------------------------------------------------

PERSON_KEYS = ["handle", "x_id", "display_name", "stage", "tags", "lists", "notes", "created_at"]
near_people = st.dictionaries(st.sampled_from(PERSON_KEYS) | st.text(max_size=6), json_values)
documents = json_values | st.fixed_dictionaries(
    {
        "format": st.just(EXPORT_FORMAT) | st.text(max_size=5),
        "format_version": st.integers(-1, EXPORT_FORMAT_VERSION + 1) | json_values,
    },
    optional={
        "people": st.lists(near_people, max_size=3) | json_values,
        "stages": st.lists(st.dictionaries(st.text(max_size=6), json_values), max_size=2),
        "lists": json_values,
        "settings": json_values,
    },
)


@SLOW
@given(document=documents)
def test_any_import_document_is_imported_or_refused_by_field(client: Any, document: Any) -> None:
    response = client.post("/api/import", json=document)
    assert response.status_code < 500, response.get_data()[:500]
    body = response.get_json()
    if response.status_code == 200:
        assert all(isinstance(count, int) for count in body.values()), body
        return
    # `null` reads as no body at all (400); any other JSON is a document to validate (422).
    assert response.status_code == (400 if document is None else 422), body
    error = body["error"]
    assert error["message"]
    if response.status_code == 422:
        assert error["fields"], body
        assert all(isinstance(name, str) and texts for name, texts in error["fields"].items())


# ---- the three-way list merge -------------------------------------------------------------------

ids = st.frozensets(st.sampled_from([str(n) for n in range(12)]))


@FAST
@given(local=ids, remote=ids, base=ids)
def test_merge_keeps_additions_and_applies_removals(
    local: frozenset[str], remote: frozenset[str], base: frozenset[str]
) -> None:
    result = merge(local, remote, base)
    assert result.members <= local | remote  # nothing invented
    assert (local | remote) - base <= result.members  # additions on either side, never-synced
    assert not (base - local) & result.members  # removed here since the last sync
    assert not (base - remote) & result.members  # removed on X since the last sync
    assert local & remote <= result.members  # both sides agree
    # The changes take each side exactly to the result.
    assert (local | result.add_locally) - result.remove_locally == result.members
    assert (remote | result.add_on_x) - result.remove_on_x == result.members
    assert not result.add_locally & result.remove_locally
    assert not result.add_on_x & result.remove_on_x


@FAST
@given(local=ids, remote=ids, base=ids)
def test_merge_is_idempotent_and_symmetric(
    local: frozenset[str], remote: frozenset[str], base: frozenset[str]
) -> None:
    result = merge(local, remote, base)
    again = merge(result.members, result.members, base)
    assert again.members == result.members and again.changes == 0
    settled = merge(result.members, result.members, result.members)
    assert settled.changes == 0
    mirrored = merge(remote, local, base)
    assert mirrored.members == result.members
    assert (mirrored.add_locally, mirrored.remove_locally) == (result.add_on_x, result.remove_on_x)


@FAST
@given(members=ids)
def test_merge_changes_nothing_when_nothing_changed(members: frozenset[str]) -> None:
    result = merge(members, members, members)
    assert result.members == members and result.changes == 0


def test_manifest_data_types_of_another_shape(tmp_path: Path) -> None:
    """Regression (found by the manifest property): `dataTypes` that is not an object raised
    AttributeError; the files are then found by their usual names."""
    for data_types in (True, [], ["like"], "like", 5):
        files = {
            MANIFEST: f"window.__THAR_CONFIG = {json.dumps({'dataTypes': data_types})}".encode(),
            "data/like.js": wrapped(
                "like", 0, [{"like": {"tweetId": "1"}}], bom=True, semicolon=True
            ).encode(),
        }
        assert _read_everything(_folder_archive(tmp_path, files)) == 1
