"""Export and import: all of the user's data as one versioned JSON document, and merging such a
document back into a database, a fresh one or one with data of its own.

The document names everything by natural keys (X user ids, handles, slugs, dedupe keys, times),
never by the database's integer ids, and lists everything in a fixed order, so two exports of the
same data are identical but for `exported_at`. Importing merges and is idempotent: what the
database already holds is recognised and not added again. The whole import runs in one write
transaction and reads what it matches against in a few bulk queries, so it stays fast for large
histories. docs/export-format.md describes the document and the merge rules.

The bulk helpers here (`insert_rows`, `refresh_summaries`, `refresh_engine`, `add_pending_likes`,
`record_x_lists`) are shared with the X archive import.
"""

from __future__ import annotations

import json
import string
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from peewee import Field, Model, chunked

from .. import __version__
from ..db import database, write_transaction
from ..migrations import schema_version
from ..models import (
    FLAG_FIELDS,
    PROFILE_FIELDS,
    TEXT_PROFILE_FIELDS,
    FollowUp,
    Interaction,
    ListMember,
    Note,
    PendingLike,
    Person,
    PersonHandle,
    PersonList,
    PersonTag,
    Stage,
    StageChange,
    Tag,
    XListRef,
    utcnow,
)
from ..problems import ApiError
from ..schemas import (
    EXPORT_FORMAT,
    EXPORT_FORMAT_VERSION,
    X_LIST_RELATIONS,
    ExportDocumentSchema,
    flat_messages,
)
from . import settings, suggestions
from .tags import MAX_TAG_LENGTH

PERSON_TIMES = ("first_seen", "last_seen", "created_at", "updated_at")
# When they were first seen following the user, and the newest post of theirs seen (null if not).
ENGINE_TIMES = ("follows_you_since", "last_post_seen_at")
PERSON_FIELDS = (
    "x_id",
    "handle",
    *PROFILE_FIELDS,
    "stage",
    *FLAG_FIELDS,
    *PERSON_TIMES,
    *ENGINE_TIMES,
)
# The person row's columns behind the document's `dismissed_suggestion`.
DISMISSED_COLUMNS = ("dismissed_stage", "dismissed_at")
PERSON_COLUMNS = (*PERSON_FIELDS, *DISMISSED_COLUMNS)
# Seen on X: the newer observation (later `last_seen`) wins; an unknown (null) never hides a value.
NULLABLE_PROFILE_FIELDS = frozenset(PROFILE_FIELDS) - TEXT_PROFILE_FIELDS
# Set by the user: the newer edit (later `updated_at`) wins.
OWN_FIELDS = ("stage", *FLAG_FIELDS)
STAGE_FIELDS = ("slug", "name", "position", "description", "next_step")
# An interaction's own fields (besides its person), as the document and the database hold them.
INTERACTION_FIELDS = (
    "kind",
    "direction",
    "happened_at",
    "tweet_url",
    "text",
    "source",
    "dedupe_key",
    "created_at",
)
LIST_FIELDS = (
    "slug",
    "name",
    "description",
    "automatic",
    "builtin",
    "x_list_id",
    "cadence_days",
    "created_at",
    "updated_at",
    "x_owned",
    "x_synced_at",
    "x_member_count",
)
# The list fields an older document (before version 3) lacks: the database keeps what it has.
LIST_X_FIELDS = ("x_owned", "x_synced_at", "x_member_count")
PENDING_LIKE_FIELDS = ("tweet_id", "text", "url", "recorded_at")
X_LIST_FIELDS = ("x_list_id", "url", "relation", "recorded_at")
# The dedupe key of an outbound like of a post (see `interactions.dedupe_key`).
LIKE_KEY = "tweet:{}:like:outbound"
SUMMARY_KEYS = (
    "people_created",
    "people_updated",
    "stages_created",
    "stages_updated",
    "lists_created",
    "lists_updated",
    "earlier_handles_added",
    "tags_added",
    "list_memberships_added",
    "notes_added",
    "interactions_added",
    "stage_changes_added",
    "follow_ups_updated",
    "settings_updated",
    "pending_likes_added",
    "x_lists_added",
    "x_lists_updated",
)

# Rows per batch of a bulk insert, and ids per `IN (...)` (under SQLite's limit on variables).
BATCH = 500
ID_CHUNK = 500

_ASCII_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def fold(text: str) -> str:
    """`text` compared as SQLite's NOCASE does (ASCII letters only): how handles and tags match."""
    return text.translate(_ASCII_FOLD)


def iso(value: datetime | str) -> str:
    """A stored time as ISO 8601 UTC with microseconds and a 'Z' (lossless both ways)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


# ---- export -------------------------------------------------------------------------------------


EXPORT_CHUNK = 500  # people read and written at a time by the streamed export


def export_document() -> dict[str, Any]:
    """Everything in the database as one JSON-ready document, read in one consistent snapshot."""
    with database.atomic():
        head, tail = _export_parts()
        people = list(iter_export_people())
    return {**head, "people": people, **tail}


def export_chunks(dumps: Callable[[Any], str] = json.dumps) -> Iterator[str]:
    """The export document as JSON text, a few hundred people at a time, so exporting 100,000
    people never holds them all in memory; `dumps` serialises each value, and each person is on a
    line of their own. The document is the one `export_document` gives, read in one consistent
    snapshot."""
    with database.atomic():
        head, tail = _export_parts()
        yield "{" + "".join(f"{dumps(key)}: {dumps(value)}, " for key, value in head.items())
        yield '"people": ['
        for index, person in enumerate(iter_export_people()):
            yield ("," if index else "") + "\n" + dumps(person)
        yield "\n]" + "".join(f", {dumps(key)}: {dumps(value)}" for key, value in tail.items())
        yield "}"


def _export_parts() -> tuple[dict[str, Any], dict[str, Any]]:
    """What comes before the people in the document, and what comes after them."""
    stages = [
        dict(zip(STAGE_FIELDS, row, strict=True))
        for row in Stage.select(*_columns(Stage, STAGE_FIELDS))
        .order_by(Stage.position, Stage.slug)
        .tuples()
    ]
    lists = []
    for row in PersonList.select(*_columns(PersonList, LIST_FIELDS)).tuples():
        item = dict(zip(LIST_FIELDS, row, strict=True))
        lists.append(item)
    lists.sort(key=lambda item: (item["created_at"], item["slug"]))
    for item in lists:
        item["created_at"] = iso(item["created_at"])
        item["updated_at"] = iso(item["updated_at"])
        item["x_synced_at"] = _iso_or_none(item["x_synced_at"])
    head = {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "schema_version": schema_version(database),
        "exported_at": iso(utcnow()),
        "app_version": __version__,
        "settings": dict(sorted(settings.all_settings().items())),
        "stages": stages,
        "lists": lists,
    }
    tail = {
        "pending_likes": _export_by_id(PendingLike, PENDING_LIKE_FIELDS),
        "x_lists": _export_by_id(XListRef, X_LIST_FIELDS),
    }
    return head, tail


def _export_by_id(model: type[Model], names: Sequence[str]) -> list[dict[str, Any]]:
    """The rows of a table keyed by an X id (its first field), in numeric order of that id, with
    `recorded_at` as ISO 8601."""
    rows = [
        dict(zip(names, row, strict=True)) for row in model.select(*_columns(model, names)).tuples()
    ]
    rows.sort(key=lambda item: (len(item[names[0]]), item[names[0]]))
    for item in rows:
        item["recorded_at"] = iso(item["recorded_at"])
    return rows


def _columns(model: type[Model], names: Sequence[str]) -> list[Field]:
    return [getattr(model, name) for name in names]


def iter_export_people() -> Iterator[dict[str, Any]]:
    """Each person of the export, in the document's order (see `_person_order`), built a few
    hundred at a time."""
    first: list[tuple[tuple, int]] = []
    last: list[int] = []  # neither handle nor X id: ordered by their whole record, at the end
    for person_id, handle, x_id in Person.select(Person.id, Person.handle, Person.x_id).tuples():
        if handle or x_id:
            first.append((_person_order({"handle": handle, "x_id": x_id}), person_id))
        else:
            last.append(person_id)
    first.sort()
    for chunk in chunked([person_id for _, person_id in first], EXPORT_CHUNK):
        built = _export_people(chunk)
        yield from (built[person_id] for person_id in chunk)
    yield from sorted(_export_people(last).values(), key=_person_order)


def _export_people(ids: list[int]) -> dict[int, dict[str, Any]]:
    """The export record of each of the people `ids`, by id."""
    people: dict[int, dict[str, Any]] = {}
    if not ids:
        return people
    for person_id, *values in (
        Person.select(Person.id, *_columns(Person, PERSON_COLUMNS))
        .where(Person.id.in_(ids))
        .tuples()
        .iterator()
    ):
        item = dict(zip(PERSON_COLUMNS, values, strict=True))
        for name in PERSON_TIMES:
            item[name] = iso(item[name])
        for name in ENGINE_TIMES:
            item[name] = _iso_or_none(item[name])
        stage, at = item.pop("dismissed_stage"), item.pop("dismissed_at")
        # A dismissal without the date of its evidence hides nothing (see `suggestions`).
        item["dismissed_suggestion"] = {"stage": stage, "at": iso(at)} if stage and at else None
        item["follow_up"] = None
        people[person_id] = item
    for person_id, snoozed_until, done_at in (
        FollowUp.select(FollowUp.person, FollowUp.snoozed_until, FollowUp.done_at)
        .where(FollowUp.person.in_(ids))
        .tuples()
        .iterator()
    ):
        if snoozed_until is not None or done_at is not None:
            people[person_id]["follow_up"] = {
                "snoozed_until": _iso_or_none(snoozed_until),
                "done_at": _iso_or_none(done_at),
            }

    def attach(name: str, rows: Iterable[tuple], order: Any, build: Any) -> None:
        grouped: dict[int, list[tuple]] = defaultdict(list)
        for person_id, *values in rows:
            grouped[person_id].append(tuple(values))
        for person_id, item in people.items():
            found = grouped.get(person_id, [])
            found.sort(key=order)
            item[name] = [build(*values) for values in found]

    attach(
        "earlier_handles",
        PersonHandle.select(PersonHandle.person, PersonHandle.handle, PersonHandle.replaced_at)
        .where(PersonHandle.person.in_(ids))
        .tuples()
        .iterator(),
        lambda v: (v[1], fold(v[0]), v[0]),
        lambda handle, replaced_at: {"handle": handle, "replaced_at": iso(replaced_at)},
    )
    attach(
        "tags",
        PersonTag.select(PersonTag.person, Tag.name)
        .join(Tag)
        .where(PersonTag.person.in_(ids))
        .tuples()
        .iterator(),
        lambda v: (fold(v[0]), v[0]),
        lambda name: name,
    )
    attach(
        "lists",
        ListMember.select(ListMember.person, PersonList.slug, ListMember.added_at)
        .join(PersonList)
        .where(ListMember.person.in_(ids))
        .tuples()
        .iterator(),
        lambda v: (v[1], v[0]),
        lambda slug, added_at: {"slug": slug, "added_at": iso(added_at)},
    )
    attach(
        "notes",
        Note.select(Note.person, Note.body, Note.created_at, Note.updated_at)
        .where(Note.person.in_(ids))
        .tuples()
        .iterator(),
        lambda v: (v[1], v[0], v[2]),
        lambda body, created_at, updated_at: {
            "body": body,
            "created_at": iso(created_at),
            "updated_at": iso(updated_at),
        },
    )
    attach(
        "interactions",
        Interaction.select(
            Interaction.person,
            Interaction.kind,
            Interaction.direction,
            Interaction.happened_at,
            Interaction.tweet_url,
            Interaction.text,
            Interaction.source,
            Interaction.dedupe_key,
            Interaction.created_at,
        )
        .where(Interaction.person.in_(ids))
        .tuples()
        .iterator(),
        lambda v: (v[2], v[6]),
        lambda kind, direction, happened_at, tweet_url, text, source, key, created_at: {
            "kind": kind,
            "direction": direction,
            "happened_at": iso(happened_at),
            "tweet_url": tweet_url,
            "text": text,
            "source": source,
            "dedupe_key": key,
            "created_at": iso(created_at),
        },
    )
    attach(
        "stage_history",
        StageChange.select(
            StageChange.person,
            StageChange.from_stage,
            StageChange.to_stage,
            StageChange.changed_at,
            StageChange.cause,
            StageChange.source,
        )
        .where(StageChange.person.in_(ids))
        .tuples()
        .iterator(),
        lambda v: (v[2], v[1], v[0] is not None, v[0] or "", v[3], v[4]),
        lambda from_stage, to_stage, changed_at, cause, source: {
            "from_stage": from_stage,
            "to_stage": to_stage,
            "changed_at": iso(changed_at),
            "cause": cause,
            "source": source,
        },
    )
    return people


def _iso_or_none(value: datetime | str | None) -> str | None:
    return None if value is None else iso(value)


def _person_order(item: dict[str, Any]) -> tuple:
    """People by handle, then those without one by X user id (numerically), then the rest."""
    if item["handle"]:
        return (0, fold(item["handle"]), item["handle"])
    if item["x_id"]:
        return (1, len(item["x_id"]), item["x_id"])
    return (2, json.dumps(item, sort_keys=True, ensure_ascii=False))


# ---- validation ---------------------------------------------------------------------------------


def _invalid(message: str, fields: dict[str, list[str]]) -> ApiError:
    return ApiError(422, "validation_error", message, fields)


def _problems(fields: dict[str, list[str]]) -> ApiError:
    names = list(fields)
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return _invalid(f"The export is not valid: check {shown}.", fields)


def validate_document(document: Any) -> dict[str, Any]:
    """The document loaded (times as naive UTC datetimes), or an ApiError naming every bad field
    by its dotted path (`people.3.interactions.0.kind`)."""
    if not isinstance(document, dict):
        raise _invalid(
            "An export is a JSON object; this is not one.",
            {"_schema": ["Expected a JSON object."]},
        )
    given = document.get("format")
    if given != EXPORT_FORMAT:
        raise _invalid(
            f"This is not a Rapport export (its format is {given!r}, not {EXPORT_FORMAT!r}).",
            {"format": [f"Must be {EXPORT_FORMAT!r}."]},
        )
    version = document.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _invalid(
            "The export has no valid format_version.",
            {"format_version": ["Must be a whole number from 1."]},
        )
    if version > EXPORT_FORMAT_VERSION:
        raise _invalid(
            f"This export has format version {version}, newer than this Rapport reads "
            f"(up to {EXPORT_FORMAT_VERSION}). Upgrade Rapport to import it.",
            {"format_version": [f"At most {EXPORT_FORMAT_VERSION} is supported."]},
        )
    try:
        data = ExportDocumentSchema().load(document)
    except ValidationError as error:
        raise _problems(flat_messages(error.messages)) from None
    errors = _duplicates(data)
    if errors:
        raise _problems(errors)
    return data


def _duplicates(data: dict[str, Any]) -> dict[str, list[str]]:
    """What a document cannot hold twice: a stage or list slug, a person's X id or handle, a
    pending like's post, an X list."""
    errors: dict[str, list[str]] = {}
    for section, key in (
        ("stages", "slug"),
        ("lists", "slug"),
        ("pending_likes", "tweet_id"),
        ("x_lists", "x_list_id"),
    ):
        first: dict[str, int] = {}
        for index, item in enumerate(data[section]):
            if item[key] in first:
                errors[f"{section}.{index}.{key}"] = [f"Also used by {section}.{first[item[key]]}."]
            first.setdefault(item[key], index)
    ids: dict[str, int] = {}
    handles: dict[str, int] = {}
    for index, person in enumerate(data["people"]):
        if person["x_id"]:
            if person["x_id"] in ids:
                errors[f"people.{index}.x_id"] = [f"Also used by people.{ids[person['x_id']]}."]
            ids.setdefault(person["x_id"], index)
        if person["handle"]:
            key = fold(person["handle"])
            if key in handles:
                errors[f"people.{index}.handle"] = [f"Also used by people.{handles[key]}."]
            handles.setdefault(key, index)
        for position, name in enumerate(person["tags"]):
            if not 1 <= len(" ".join(name.split())) <= MAX_TAG_LENGTH:
                errors[f"people.{index}.tags.{position}"] = [
                    f"A tag has 1 to {MAX_TAG_LENGTH} characters."
                ]
    return errors


# ---- import -------------------------------------------------------------------------------------


def import_document(document: Any) -> dict[str, int]:
    """Merge an export into the database in one transaction; return what was added or changed.

    Importing the same document again adds nothing (every count is 0). A document that does not
    validate, or refers to a stage or list that exists neither in it nor in the database, changes
    nothing and raises an ApiError naming the fields.
    """
    data = validate_document(document)
    with write_transaction():
        return _Merge(data).run()


def refresh_engine(person_ids: list[int]) -> None:
    """Bring what the relationship engine keeps on the people imported up to date: when those who
    follow the user were first seen doing so (their last-seen time when neither the document nor
    the database knew), and their stage suggestions.

    Auto-advance applies a suggestion when new evidence arrives, not one that was already waiting:
    with it on, the suggestions are recomputed without being applied, and then only those the
    import changed are applied. So importing a document again (or into the database it came from)
    moves no one.
    """
    ids = sorted(set(person_ids))
    for chunk in chunked(ids, ID_CHUNK):
        marks = ", ".join("?" * len(chunk))
        database.execute_sql(
            "UPDATE person SET follows_you_since = CASE WHEN follows_you = 1 "
            "THEN COALESCE(follows_you_since, last_seen) END "
            f"WHERE id IN ({marks})",
            chunk,
        )
    if not settings.get("auto_advance"):
        suggestions.refresh_many(ids, apply=False)
        return
    before = _suggested(ids)
    suggestions.refresh_many(ids, apply=False)
    for person_id, found in _suggested(ids).items():
        if found[0] is not None and found != before.get(person_id):
            suggestions.refresh(person_id)  # applies it


def _suggested(ids: list[int]) -> dict[int, tuple[str | None, datetime | None]]:
    """Each person's stored suggestion: {id: (stage, date of the evidence)}."""
    found: dict[int, tuple[str | None, datetime | None]] = {}
    for chunk in chunked(ids, ID_CHUNK):
        query = Person.select(Person.id, Person.suggested_stage, Person.suggestion_at).where(
            Person.id.in_(chunk)
        )
        found.update((person_id, (stage, at)) for person_id, stage, at in query.tuples())
    return found


def insert_rows(
    model: type[Model], names: Sequence[str], rows: list[tuple], *, skip_repeats: bool = False
) -> int:
    """Insert `rows` (tuples of the fields `names`) with one prepared statement, a few hundred
    rows at a time; with `skip_repeats`, rows that would repeat a unique key are left out.
    Returns how many rows were inserted."""
    if not rows:
        return 0
    fields = _columns(model, names)
    sql = 'INSERT {}INTO "{}" ({}) VALUES ({})'.format(
        "OR IGNORE " if skip_repeats else "",
        model._meta.table_name,
        ", ".join(f'"{field.column_name}"' for field in fields),
        ", ".join("?" * len(fields)),
    )
    convert = [field.db_value for field in fields]
    cursor = database.cursor()
    inserted = 0
    for batch in chunked(rows, BATCH):
        cursor.executemany(
            sql,
            [[to_db(value) for to_db, value in zip(convert, row, strict=True)] for row in batch],
        )
        inserted += cursor.rowcount
    return inserted


def _select_for(ids: Iterable[int], select: Callable[[list[int]], Iterable[tuple]]) -> set[tuple]:
    """The rows `select(chunk)` gives for `ids`, asked for a few hundred ids at a time."""
    found: set[tuple] = set()
    for chunk in chunked(sorted(set(ids)), ID_CHUNK):
        found.update(select(chunk))
    return found


SUMMARY_SQL = """
UPDATE person SET
  last_interaction_at = (SELECT i.happened_at FROM interaction i WHERE i.person_id = person.id
                         ORDER BY i.happened_at DESC, i.id DESC LIMIT 1),
  last_interaction_kind = (SELECT i.kind FROM interaction i WHERE i.person_id = person.id
                           ORDER BY i.happened_at DESC, i.id DESC LIMIT 1),
  last_outbound_at = (SELECT MAX(i.happened_at) FROM interaction i
                      WHERE i.person_id = person.id AND i.direction = 'outbound')
WHERE id IN ({marks})
"""


def refresh_summaries(person_ids: Iterable[int]) -> None:
    """`interactions.refresh_summary` for many people at once, a few hundred per statement."""
    for chunk in chunked(sorted(set(person_ids)), ID_CHUNK):
        database.execute_sql(SUMMARY_SQL.format(marks=", ".join("?" * len(chunk))), chunk)


def liked_tweet_ids() -> set[str]:
    """The posts the user's recorded outbound likes are of (by id), read in one scan."""
    prefix, suffix = LIKE_KEY.split("{}")
    query = Interaction.select(Interaction.dedupe_key).where(
        (Interaction.kind == "like") & (Interaction.direction == "outbound")
    )
    return {
        key[len(prefix) : -len(suffix)]
        for (key,) in query.tuples().iterator()
        if key.startswith(prefix) and key.endswith(suffix)
    }


def add_pending_likes(likes: Sequence[tuple[str, str, str, datetime]]) -> int:
    """Keep liked posts, as (tweet id, text, url, recorded at), as pending likes unless pending
    already or the like is recorded for someone; returns how many were added."""
    if not likes:
        return 0
    liked = liked_tweet_ids()
    return insert_rows(
        PendingLike,
        PENDING_LIKE_FIELDS,
        [like for like in likes if like[0] not in liked],
        skip_repeats=True,
    )


def record_x_lists(refs: Mapping[str, tuple[str, str, datetime]]) -> tuple[set[str], set[str]]:
    """Record X lists, {x_list_id: (url, relation, recorded at)}: an unknown one is added, a known
    one takes a stronger relation (see `X_LIST_RELATIONS`) with its URL and time. Returns the ids
    (added, updated)."""
    known: dict[str, str] = {}
    for chunk in chunked(sorted(refs), ID_CHUNK):
        query = XListRef.select(XListRef.x_list_id, XListRef.relation)
        known.update(query.where(XListRef.x_list_id.in_(chunk)).tuples())
    rank = X_LIST_RELATIONS.index
    added = {x_list_id for x_list_id in refs if x_list_id not in known}
    updated = {
        x_list_id
        for x_list_id, (_, relation, _) in refs.items()
        if x_list_id in known and rank(relation) < rank(known[x_list_id])
    }
    insert_rows(
        XListRef, X_LIST_FIELDS, [(x_list_id, *refs[x_list_id]) for x_list_id in sorted(added)]
    )
    for x_list_id in sorted(updated):
        url, relation, recorded_at = refs[x_list_id]
        XListRef.update(relation=relation, url=url, recorded_at=recorded_at).where(
            XListRef.x_list_id == x_list_id
        ).execute()
    return added, updated


def _later(*times: datetime | None) -> datetime | None:
    """The latest of the known times (None if none is known)."""
    return max((at for at in times if at is not None), default=None)


def _follows_since(follows_you: bool | None, *sides: dict[str, Any]) -> datetime | None:
    """When someone was first seen following the user: the earliest time known by a side (the
    document's person or the database's) that saw them following; None unless they follow now."""
    if not follows_you:
        return None
    return min(
        (
            side["follows_you_since"]
            for side in sides
            if side["follows_you"] and side["follows_you_since"] is not None
        ),
        default=None,
    )


class _Merge:
    """One import: match the document's people to the database's, merge them, write in bulk."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.people: list[dict[str, Any]] = data["people"]
        self.summary = dict.fromkeys(SUMMARY_KEYS, 0)

    def run(self) -> dict[str, int]:
        self._check_references()
        self._merge_stages()
        list_ids = self._merge_lists()
        self._load_people()
        targets = self._match()
        matched = [person_id for person_id in targets if person_id is not None]
        self.rows = self._rows(matched)
        records, gave_up = self._merge_people(targets)
        released = self._settle_handles(targets, records, gave_up)
        self._write_people(targets, records, released)
        self._merge_earlier_handles(targets, records, gave_up, released)
        ids = [record["id"] for record in records]
        self._merge_tags(ids, matched)
        self._merge_memberships(ids, matched, list_ids)
        self._merge_notes(ids, matched)
        self._merge_stage_history(ids, matched)
        self._merge_interactions(ids)
        self._merge_follow_ups(ids, matched)
        self._merge_x_leftovers()  # after the interactions, which may record a like
        # The suggestions are recomputed under the preferences the database had: those of the
        # document apply from now on (a restore into an empty database moves no one).
        refresh_engine(ids)
        self._merge_settings()
        return self.summary

    # -- references, stages, lists

    def _check_references(self) -> None:
        """Stages and lists the people name must exist; an X list is linked to one list only."""
        errors: dict[str, list[str]] = {}
        stages = {slug for (slug,) in Stage.select(Stage.slug).tuples()}
        stages.update(item["slug"] for item in self.data["stages"])
        current = dict(PersonList.select(PersonList.slug, PersonList.x_list_id).tuples())
        slugs = set(current) | {item["slug"] for item in self.data["lists"]}
        for index, person in enumerate(self.people):
            if person["stage"] not in stages:
                errors[f"people.{index}.stage"] = [
                    f"Unknown stage {person['stage']!r}: it is neither in the export's stages "
                    "nor in the database."
                ]
            for position, membership in enumerate(person["lists"]):
                if membership["slug"] not in slugs:
                    errors[f"people.{index}.lists.{position}.slug"] = [
                        f"Unknown list {membership['slug']!r}: it is neither in the export's "
                        "lists nor in the database."
                    ]
        linked = {**current, **{item["slug"]: item["x_list_id"] for item in self.data["lists"]}}
        holders: dict[str, list[str]] = defaultdict(list)
        for slug, x_list_id in linked.items():
            if x_list_id:
                holders[x_list_id].append(slug)
        for index, item in enumerate(self.data["lists"]):
            others = [
                slug for slug in holders.get(item["x_list_id"] or "", []) if slug != item["slug"]
            ]
            if others:
                errors[f"lists.{index}.x_list_id"] = [
                    f"The list {others[0]!r} is linked to this X list too."
                ]
        if errors:
            raise _problems(errors)

    def _merge_stages(self) -> None:
        existing = {stage.slug: stage for stage in Stage.select()}
        for item in self.data["stages"]:
            found = existing.get(item["slug"])
            if found is None:
                Stage.insert({getattr(Stage, name): item[name] for name in STAGE_FIELDS}).execute()
                self.summary["stages_created"] += 1
                continue
            changes = {n: item[n] for n in STAGE_FIELDS[1:] if getattr(found, n) != item[n]}
            if changes:
                Stage.update(**changes).where(Stage.slug == found.slug).execute()
                self.summary["stages_updated"] += 1

    def _merge_lists(self) -> dict[str, int]:
        """Create the missing lists, bring the others to the document's settings; {slug: id}."""
        existing = {item.slug: item for item in PersonList.select()}
        incoming = {item["slug"]: item for item in self.data["lists"]}
        moving = [
            item.id
            for slug, item in existing.items()
            if slug in incoming and item.x_list_id and item.x_list_id != incoming[slug]["x_list_id"]
        ]
        if moving:  # unlink the X lists that move to another list before linking them anew
            PersonList.update(x_list_id=None).where(PersonList.id.in_(moving)).execute()
        for item in self.data["lists"]:
            found = existing.get(item["slug"])
            given = [name for name in LIST_FIELDS if name in item]  # older documents lack some
            if found is None:
                PersonList.insert(
                    {getattr(PersonList, name): item[name] for name in given}
                ).execute()
                self.summary["lists_created"] += 1
                continue
            changes = {n: item[n] for n in given[1:] if getattr(found, n) != item[n]}
            if changes:
                PersonList.update(**changes).where(PersonList.id == found.id).execute()
                self.summary["lists_updated"] += 1
        return dict(PersonList.select(PersonList.slug, PersonList.id).tuples())

    # -- people: who is who

    def _load_people(self) -> None:
        """The identity of everyone in the database, and every earlier handle."""
        self.by_x_id: dict[str, int] = {}
        self.by_handle: dict[str, int] = {}
        self.x_ids: dict[int, str | None] = {}
        self.handles: dict[int, str | None] = {}
        self.last_seen: dict[int, datetime] = {}
        query = Person.select(Person.id, Person.x_id, Person.handle, Person.last_seen).tuples()
        for person_id, x_id, handle, last_seen in query.iterator():
            self.x_ids[person_id] = x_id
            self.handles[person_id] = handle
            self.last_seen[person_id] = last_seen
            if x_id:
                self.by_x_id[x_id] = person_id
            if handle:
                self.by_handle[fold(handle)] = person_id
        self.next_id = max(self.x_ids.keys(), default=0) + 1  # ids of new people count on
        self.gave_up: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
        self.earlier: dict[int, set[str]] = defaultdict(set)
        query = PersonHandle.select(
            PersonHandle.person, PersonHandle.handle, PersonHandle.replaced_at
        ).tuples()
        for person_id, handle, replaced_at in query.iterator():
            self.gave_up[fold(handle)].append((replaced_at, person_id))
            self.earlier[person_id].add(fold(handle))
        for holders in self.gave_up.values():
            holders.sort(reverse=True)

    def _match(self) -> list[int | None]:
        """The database person each document person is (None for someone new): by X user id,
        else by handle, else (without an X user id) by a handle they gave up, most recent first,
        as `people.upsert_snapshot` matches. Someone with another X user id is never a match, and
        each database person matches one document person at most."""
        targets: list[int | None] = [None] * len(self.people)
        taken: set[int] = set()
        self.by_earlier: set[int] = set()  # the document people matched by a handle given up

        def take(index: int, person_id: int | None) -> bool:
            if person_id is None or person_id in taken:
                return False
            x_id = self.people[index]["x_id"]
            if x_id and self.x_ids[person_id] not in (None, x_id):
                return False
            targets[index] = person_id
            taken.add(person_id)
            return True

        for index, person in enumerate(self.people):
            if person["x_id"]:
                take(index, self.by_x_id.get(person["x_id"]))
        for index, person in enumerate(self.people):
            if targets[index] is None and person["handle"]:
                take(index, self.by_handle.get(fold(person["handle"])))
        for index, person in enumerate(self.people):
            if targets[index] is None and person["handle"] and not person["x_id"]:
                for _, person_id in self.gave_up.get(fold(person["handle"]), []):
                    if take(index, person_id):
                        self.by_earlier.add(index)
                        break
        for index, person in enumerate(self.people):
            if targets[index] is None and not person["x_id"] and not person["handle"]:
                # Known by earlier handles only: someone likewise without an X user id or a
                # handle who gave up one of them.
                candidates = sorted(
                    (
                        candidate
                        for earlier in person["earlier_handles"]
                        for candidate in self.gave_up.get(fold(earlier["handle"]), [])
                        if self.x_ids[candidate[1]] is None and self.handles[candidate[1]] is None
                    ),
                    reverse=True,
                )
                for _, person_id in candidates:
                    if take(index, person_id):
                        self.by_earlier.add(index)
                        break
        return targets

    def _rows(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        rows: dict[int, dict[str, Any]] = {}
        columns = [Person.id, *_columns(Person, PERSON_COLUMNS)]
        for chunk in chunked(sorted(set(ids)), ID_CHUNK):
            for person_id, *values in Person.select(*columns).where(Person.id.in_(chunk)).tuples():
                rows[person_id] = {
                    "id": person_id,
                    **dict(zip(PERSON_COLUMNS, values, strict=True)),
                }
        return rows

    def _merge_people(
        self, targets: list[int | None]
    ) -> tuple[list[dict[str, Any]], list[tuple[int, str, datetime]]]:
        """Each document person's row after the merge (with its id, new or not), and the handles
        the merge takes from people: (person id, handle, when), to keep as earlier handles."""
        records: list[dict[str, Any]] = []
        gave_up: list[tuple[int, str, datetime]] = []
        for index, (person, person_id) in enumerate(zip(self.people, targets, strict=True)):
            given = person["dismissed_suggestion"]
            dismissed = (
                {"dismissed_stage": given["stage"], "dismissed_at": given["at"]} if given else {}
            )
            if person_id is None:
                record = {"id": self.next_id, **{n: person[n] for n in PERSON_FIELDS}}
                record["follows_you_since"] = _follows_since(record["follows_you"], person)
                record.update(dict.fromkeys(DISMISSED_COLUMNS), **dismissed)
                records.append(record)
                self.next_id += 1
                continue
            old = self.rows[person_id]
            record = dict(old)
            if person["x_id"] and not old["x_id"]:
                record["x_id"] = person["x_id"]
            seen_later = person["last_seen"] > old["last_seen"]
            if seen_later:
                for name in PROFILE_FIELDS:
                    if person[name] is not None or name not in NULLABLE_PROFILE_FIELDS:
                        record[name] = person[name]
            if person["updated_at"] > old["updated_at"]:
                for name in OWN_FIELDS:
                    record[name] = person[name]
            record["first_seen"] = min(old["first_seen"], person["first_seen"])
            record["last_seen"] = max(old["last_seen"], person["last_seen"])
            record["created_at"] = min(old["created_at"], person["created_at"])
            record["updated_at"] = max(old["updated_at"], person["updated_at"])
            record["follows_you_since"] = _follows_since(record["follows_you"], old, person)
            record["last_post_seen_at"] = _later(
                old["last_post_seen_at"], person["last_post_seen_at"]
            )
            if dismissed and (
                old["dismissed_at"] is None or dismissed["dismissed_at"] > old["dismissed_at"]
            ):  # the dismissal of the newer evidence wins
                record.update(dismissed)
            newer, older = (person["handle"], old["handle"])
            if not seen_later or index in self.by_earlier:
                # The handle seen on X last wins, but someone found by a handle they have since
                # left keeps their current one.
                newer, older = older, newer
            record["handle"] = newer or older
            if newer and older and fold(newer) != fold(older):
                gave_up.append((person_id, older, record["last_seen"]))
            records.append(record)
        return records, gave_up

    def _settle_handles(
        self,
        targets: list[int | None],
        records: list[dict[str, Any]],
        gave_up: list[tuple[int, str, datetime]],
    ) -> dict[int, tuple[str, datetime]]:
        """Give a handle that two people claim to the one seen on X last; the other keeps it as
        an earlier handle. Returns the people outside the document who lose their handle so:
        {id: (handle, when)}."""
        matched = {person_id for person_id in targets if person_id is not None}
        claims: dict[str, list[int]] = defaultdict(list)
        for index, record in enumerate(records):
            if record["handle"]:
                claims[fold(record["handle"])].append(index)
        released: dict[int, tuple[str, datetime]] = {}
        for key, indexes in claims.items():
            holder = self.by_handle.get(key)
            contenders: list[tuple[tuple[datetime, bool, int], int | None]] = [
                ((records[i]["last_seen"], holder is not None and targets[i] == holder, -i), i)
                for i in indexes
            ]
            if holder is not None and holder not in matched:
                contenders.append(((self.last_seen[holder], True, 1), None))
            if len(contenders) < 2:
                continue
            contenders.sort(key=lambda contender: contender[0], reverse=True)
            when = contenders[0][0][0]
            for _, index in contenders[1:]:
                if index is None:
                    released[holder] = (self.handles[holder], when)
                else:
                    gave_up.append((records[index]["id"], records[index]["handle"], when))
                    records[index]["handle"] = None
        return released

    def _write_people(
        self,
        targets: list[int | None],
        records: list[dict[str, Any]],
        released: dict[int, tuple[str, datetime]],
    ) -> None:
        new_rows: list[tuple] = []
        changed: list[tuple[int, dict[str, Any]]] = []
        moving: list[int] = list(released)
        for person_id, record in zip(targets, records, strict=True):
            if person_id is None:
                new_rows.append(tuple(record[name] for name in ("id", *PERSON_COLUMNS)))
                continue
            old = self.rows[person_id]
            changes = {name: record[name] for name in PERSON_COLUMNS if record[name] != old[name]}
            if changes:
                changed.append((person_id, changes))
                if "handle" in changes:
                    moving.append(person_id)
        for chunk in chunked(moving, ID_CHUNK):  # free the handles that move before reusing them
            Person.update(handle=None).where(Person.id.in_(chunk)).execute()
        insert_rows(Person, ("id", *PERSON_COLUMNS), new_rows)
        for person_id, changes in changed:
            Person.update(**changes).where(Person.id == person_id).execute()
        self.summary["people_created"] = len(new_rows)
        self.summary["people_updated"] = len(changed) + len(released)

    # -- what people have

    def _merge_earlier_handles(
        self,
        targets: list[int | None],
        records: list[dict[str, Any]],
        gave_up: list[tuple[int, str, datetime]],
        released: dict[int, tuple[str, datetime]],
    ) -> None:
        handle_of = {record["id"]: record["handle"] for record in records}
        for person_id, record in zip(targets, records, strict=True):
            handle = record["handle"]
            if person_id is not None and handle and fold(handle) in self.earlier[person_id]:
                # They have this handle again: it is no longer an earlier one.
                PersonHandle.delete().where(
                    (PersonHandle.person == person_id) & (PersonHandle.handle == handle)
                ).execute()
                self.earlier[person_id].discard(fold(handle))
        rows: list[tuple] = []

        def add(person_id: int, handle: str, replaced_at: datetime) -> None:
            current = handle_of.get(person_id)
            key = fold(handle)
            if (current and fold(current) == key) or key in self.earlier[person_id]:
                return
            self.earlier[person_id].add(key)
            rows.append((person_id, handle, replaced_at))

        for person, record in zip(self.people, records, strict=True):
            for earlier in person["earlier_handles"]:
                add(record["id"], earlier["handle"], earlier["replaced_at"])
        for person_id, handle, replaced_at in gave_up:
            add(person_id, handle, replaced_at)
        for person_id, (handle, replaced_at) in released.items():
            add(person_id, handle, replaced_at)
        self.summary["earlier_handles_added"] = insert_rows(
            PersonHandle, ("person", "handle", "replaced_at"), rows
        )

    def _merge_tags(self, ids: list[int], matched: list[int]) -> None:
        tag_ids = {fold(name): tag_id for tag_id, name in Tag.select(Tag.id, Tag.name).tuples()}
        existing = _select_for(
            matched,
            lambda chunk: (
                PersonTag.select(PersonTag.person, PersonTag.tag)
                .where(PersonTag.person.in_(chunk))
                .tuples()
            ),
        )
        rows: list[tuple] = []
        for person, person_id in zip(self.people, ids, strict=True):
            for given in person["tags"]:
                name = " ".join(given.split())
                tag_id = tag_ids.get(fold(name))
                if tag_id is None:
                    tag_id = tag_ids[fold(name)] = Tag.insert(name=name).execute()
                if (person_id, tag_id) not in existing:
                    existing.add((person_id, tag_id))
                    rows.append((person_id, tag_id))
        self.summary["tags_added"] = insert_rows(PersonTag, ("person", "tag"), rows)

    def _merge_memberships(
        self, ids: list[int], matched: list[int], list_ids: dict[str, int]
    ) -> None:
        existing = _select_for(
            matched,
            lambda chunk: (
                ListMember.select(ListMember.list, ListMember.person)
                .where(ListMember.person.in_(chunk))
                .tuples()
            ),
        )
        rows: list[tuple] = []
        for person, person_id in zip(self.people, ids, strict=True):
            for membership in person["lists"]:
                key = (list_ids[membership["slug"]], person_id)
                if key not in existing:
                    existing.add(key)
                    rows.append((*key, membership["added_at"]))
        self.summary["list_memberships_added"] = insert_rows(
            ListMember, ("list", "person", "added_at"), rows
        )

    def _merge_notes(self, ids: list[int], matched: list[int]) -> None:
        existing = _select_for(
            matched,
            lambda chunk: (
                Note.select(Note.person, Note.created_at, Note.body)
                .where(Note.person.in_(chunk))
                .tuples()
            ),
        )
        rows: list[tuple] = []
        for person, person_id in zip(self.people, ids, strict=True):
            for note in person["notes"]:
                key = (person_id, note["created_at"], note["body"])
                if key not in existing:
                    existing.add(key)
                    rows.append((person_id, note["body"], note["created_at"], note["updated_at"]))
        self.summary["notes_added"] = insert_rows(
            Note, ("person", "body", "created_at", "updated_at"), rows
        )

    def _merge_stage_history(self, ids: list[int], matched: list[int]) -> None:
        existing = _select_for(
            matched,
            lambda chunk: (
                StageChange.select(
                    StageChange.person,
                    StageChange.changed_at,
                    StageChange.to_stage,
                    StageChange.from_stage,
                )
                .where(StageChange.person.in_(chunk))
                .tuples()
            ),
        )
        rows: list[tuple] = []
        for person, person_id in zip(self.people, ids, strict=True):
            for change in person["stage_history"]:
                key = (person_id, change["changed_at"], change["to_stage"], change["from_stage"])
                if key not in existing:
                    existing.add(key)
                    rows.append(
                        (
                            person_id,
                            change["from_stage"],
                            change["to_stage"],
                            change["changed_at"],
                            change["cause"],
                            change["source"],
                        )
                    )
        self.summary["stage_changes_added"] = insert_rows(
            StageChange,
            ("person", "from_stage", "to_stage", "changed_at", "cause", "source"),
            rows,
        )

    def _merge_interactions(self, ids: list[int]) -> None:
        """Add the interactions whose dedupe key is new (to anyone), then bring the last
        interaction of everyone who has some in the document up to date."""
        names = INTERACTION_FIELDS
        rows = [
            (person_id, *(interaction[name] for name in names))
            for person, person_id in zip(self.people, ids, strict=True)
            for interaction in person["interactions"]
        ]
        self.summary["interactions_added"] = insert_rows(
            Interaction, ("person", *names), rows, skip_repeats=True
        )
        refresh_summaries(
            person_id
            for person, person_id in zip(self.people, ids, strict=True)
            if person["interactions"]
        )

    # -- follow-ups and preferences

    def _merge_follow_ups(self, ids: list[int], matched: list[int]) -> None:
        """The later `done_at` and the later snooze win, but a snooze that ends before that done is
        dropped: marking a follow-up done ends the snooze, and a snooze that ended before the done
        was made before it."""
        existing = {
            person_id: (snoozed_until, done_at)
            for person_id, snoozed_until, done_at in _select_for(
                matched,
                lambda chunk: (
                    FollowUp.select(FollowUp.person, FollowUp.snoozed_until, FollowUp.done_at)
                    .where(FollowUp.person.in_(chunk))
                    .tuples()
                ),
            )
        }
        rows: list[tuple] = []
        updated = 0
        for person, person_id in zip(self.people, ids, strict=True):
            given = person["follow_up"]
            if not given:
                continue
            old = existing.get(person_id, (None, None))
            snoozed_until = _later(old[0], given["snoozed_until"])
            done_at = _later(old[1], given["done_at"])
            if snoozed_until is not None and done_at is not None and snoozed_until <= done_at:
                snoozed_until = None
            if (snoozed_until, done_at) == old:
                continue
            if person_id in existing:
                FollowUp.update(snoozed_until=snoozed_until, done_at=done_at).where(
                    FollowUp.person == person_id
                ).execute()
                updated += 1
            else:
                rows.append((person_id, snoozed_until, done_at))
        self.summary["follow_ups_updated"] = updated + insert_rows(
            FollowUp, ("person", "snoozed_until", "done_at"), rows
        )

    def _merge_settings(self) -> None:
        """Each preference the document gives replaces the stored one; the others stay."""
        current = settings.all_settings()
        changed = {
            name: value
            for name, value in self.data["settings"].items()
            if name not in current or current[name] != value
        }
        if changed:
            settings.update(changed)
        self.summary["settings_updated"] = len(changed)

    # -- what the X archive left: liked posts whose author is unknown, X lists named by URL

    def _merge_x_leftovers(self) -> None:
        """Add the pending likes (but not one whose like is recorded by now) and the X lists."""
        self.summary["pending_likes_added"] = add_pending_likes(
            [
                tuple(like[name] for name in PENDING_LIKE_FIELDS)
                for like in self.data["pending_likes"]
            ]
        )
        added, updated = record_x_lists(
            {
                ref["x_list_id"]: tuple(ref[name] for name in X_LIST_FIELDS[1:])
                for ref in self.data["x_lists"]
            }
        )
        self.summary["x_lists_added"], self.summary["x_lists_updated"] = len(added), len(updated)
