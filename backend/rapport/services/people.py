"""People: finding them by handle or id, creating and updating them from profile snapshots,
following renames, listing them with filters, and turning them into API answers.

Every create or update brings the person's stage suggestion up to date (whether they follow the
user is evidence); when they are first seen following the user is kept in `follows_you_since`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from peewee import SQL, Cast, ModelSelect, NodeList, Tuple, fn

from ..db import casefold, database, write_transaction
from ..models import (
    FLAG_FIELDS,
    PROFILE_FIELDS,
    TEXT_PROFILE_FIELDS,
    ListMember,
    Person,
    PersonHandle,
    PersonList,
    PersonTag,
    Stage,
    StageChange,
    Tag,
    utcnow,
)
from ..problems import InvalidError, NotFoundError
from ..schemas import HANDLE_RE, X_ID_RE
from . import balance, followups, suggestions, tiers
from .merge import merge_into
from .stages import change_stage, check_stage
from .tags import set_tags, tidy_tag


def _person_where(column: str, value: str) -> Person | None:
    """One person by a unique column, in hand-written SQL: this runs on every request about a
    person, and peewee's query building costs more than SQLite's lookup."""
    for person in Person.raw(f"SELECT * FROM person WHERE {column} = ? LIMIT 1", value):
        return person
    return None


def find(ref: str) -> Person | None:
    """The person a handle (with or without '@'), a former handle or an X user id refers to."""
    ref = ref.strip().removeprefix("@")
    if HANDLE_RE.match(ref):
        person = _person_where("handle", ref)
        if person is not None:
            return person
    if X_ID_RE.match(ref):
        person = _person_where("x_id", ref.lstrip("0") or "0")
        if person is not None:
            return person
    if HANDLE_RE.match(ref):
        return by_earlier_handle(ref)
    return None


def by_earlier_handle(handle: str) -> Person | None:
    """The person who most recently gave up `handle`, if no one holds it now."""
    earlier = (
        PersonHandle.select(PersonHandle.person)
        .where(PersonHandle.handle == handle)
        .order_by(PersonHandle.replaced_at.desc(), PersonHandle.id.desc())
        .first()
    )
    return Person.get_by_id(earlier.person_id) if earlier else None


def get(ref: str) -> Person:
    person = find(ref)
    if person is None:
        raise NotFoundError(f"No one called {ref!r} is tracked.")
    return person


def _release_handle(holder: Person, now: datetime) -> None:
    """`holder` no longer has their handle (someone else has it now): keep it as an earlier one."""
    _remember_handle(holder, holder.handle, now)
    holder.handle = None
    holder.updated_at = now
    holder.save(only=[Person.handle, Person.updated_at])


def _remember_handle(person: Person, handle: str | None, now: datetime) -> None:
    if handle:
        PersonHandle.insert(person=person, handle=handle, replaced_at=now).on_conflict(
            conflict_target=[PersonHandle.person, PersonHandle.handle],
            update={PersonHandle.replaced_at: now},
        ).execute()


def _rename(person: Person, handle: str, now: datetime) -> None:
    """Give `person` the handle `handle`, keeping the old one.

    Someone else holding the handle either is this same account, known by handle only (merged into
    `person`), or has an id of their own and gave the handle up (they keep it as an earlier one).
    """
    if person.handle == handle:
        return
    if person.handle and person.handle.lower() == handle.lower():
        person.handle = handle  # only the letter case changed
        return
    holder = Person.get_or_none((Person.handle == handle) & (Person.id != person.id))
    if holder is not None and holder.x_id is None and person.id is not None:
        # Tracked by this handle before the account's id was known: the same account.
        handle = holder.handle
        merge_into(person, holder, now)
    elif holder is not None:
        _release_handle(holder, now)
    _remember_handle(person, person.handle, now)
    PersonHandle.delete().where(
        (PersonHandle.person == person) & (PersonHandle.handle == handle)
    ).execute()
    person.handle = handle


def _apply_profile(person: Person, data: Mapping[str, Any], now: datetime) -> None:
    """Copy the profile fields present in `data`; a null clears the field."""
    for name in PROFILE_FIELDS:
        if name in data:
            value = data[name]
            setattr(
                person,
                name,
                ("" if name in TEXT_PROFILE_FIELDS else None) if value is None else value,
            )
    note_follows_you(person, now)


def note_follows_you(person: Person, now: datetime) -> None:
    """Keep when they were first seen following the user (cleared while they do not)."""
    if person.follows_you is True:
        if person.follows_you_since is None:
            person.follows_you_since = now
    else:
        person.follows_you_since = None


def upsert_snapshot(
    data: Mapping[str, Any], *, source: str = "manual", now: datetime | None = None
) -> tuple[Person, bool]:
    """Create or update a person from a profile snapshot; match by X user id, else by handle.

    A known id seen with a new handle is a rename: the old handle is kept as an earlier one. A
    handle held by someone with another id means that person gave it up. Returns (person, created).
    """
    now = now or utcnow()
    x_id = data.get("x_id")
    handle = data.get("handle")
    with write_transaction():
        person = Person.get_or_none(Person.x_id == x_id) if x_id else None
        if person is None and handle:
            holder = Person.get_or_none(Person.handle == handle)
            if holder is not None and (not x_id or holder.x_id in (None, x_id)):
                person = holder
            elif holder is None and not x_id:
                person = by_earlier_handle(handle)
                if person is not None:
                    # Known by a handle they have since left: they keep their current one.
                    handle = None
        created = person is None
        if created:
            if handle:
                holder = Person.get_or_none(Person.handle == handle)
                if holder is not None:
                    _release_handle(holder, now)
            person = Person(x_id=x_id, handle=handle, first_seen=now, created_at=now)
            stage = data.get("stage") or "stranger"
            check_stage(stage)
            person.stage = stage
        else:
            if x_id and not person.x_id:
                person.x_id = x_id
            if handle:
                _rename(person, handle, now)
        _apply_profile(person, data, now)
        person.last_seen = now
        person.updated_at = now
        person.save()
        if created:
            StageChange.create(
                person=person,
                from_stage=None,
                to_stage=person.stage_id,
                changed_at=now,
                cause="Started tracking",
                source=source,
            )
        elif data.get("stage") and data["stage"] != person.stage_id:
            change_stage(person, data["stage"], cause="", source=source, now=now)
        suggestions.refresh(person, now=now)
    return person, created


def update(person: Person, data: Mapping[str, Any], *, now: datetime | None = None) -> Person:
    """Apply an edit (snapshot fields, flags, handle, stage, tags) in one transaction."""
    now = now or utcnow()
    with write_transaction():
        person = _reread(person)
        if "x_id" in data and data["x_id"] != person.x_id:
            other = Person.get_or_none((Person.x_id == data["x_id"]) & (Person.id != person.id))
            if other is not None:
                raise InvalidError("x_id", "Another person already has this X user id.")
            person.x_id = data["x_id"]
        if "handle" in data:
            _rename(person, data["handle"], now)
        _apply_profile(person, data, now)
        for name in FLAG_FIELDS:
            if name in data:
                setattr(person, name, data[name])
        person.updated_at = now
        person.save()
        if "stage" in data:
            change_stage(
                person, data["stage"], cause=data.get("stage_cause", ""), source="manual", now=now
            )
        if "tags" in data:
            set_tags(person, data["tags"])
        suggestions.refresh(person, now=now)
    return person


def _reread(person: Person) -> Person:
    """`person` as stored now (inside a write, so no other request changes it meanwhile): the
    copy read before the write began may be stale, and saving it would undo others' changes."""
    fresh = Person.get_or_none(Person.id == person.id)
    if fresh is None:
        raise NotFoundError("That person is no longer tracked.")
    return fresh


def delete(person: Person) -> None:
    with write_transaction():
        person.delete_instance()


# ---- answers ------------------------------------------------------------------------------------


def lists_by_person(ids: Iterable[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    ids = list(ids)
    if ids:
        query = (
            ListMember.select(ListMember.person, PersonList.slug)
            .join(PersonList)
            .where(ListMember.person.in_(ids))
            .order_by(PersonList.id)
            .tuples()
        )
        for person_id, slug in query:
            found[person_id].append(slug)
    return found


def tags_by_person(ids: Iterable[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    ids = list(ids)
    if ids:
        query = (
            PersonTag.select(PersonTag.person, Tag.name)
            .join(Tag)
            .where(PersonTag.person.in_(ids))
            .order_by(Tag.name)
            .tuples()
        )
        for person_id, name in query:
            found[person_id].append(name)
    return found


def earlier_handles_by_person(ids: Iterable[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    ids = list(ids)
    if ids:
        query = (
            PersonHandle.select(PersonHandle.person, PersonHandle.handle)
            .where(PersonHandle.person.in_(ids))
            .order_by(PersonHandle.replaced_at)
            .tuples()
        )
        for person_id, handle in query:
            found[person_id].append(handle)
    return found


def describe_many(
    people: list[Person], thresholds: Mapping[str, int], *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """API answers for several people, with their lists, tags, earlier handles, stage suggestion,
    next step and balance."""
    ids = [p.id for p in people]
    lists = lists_by_person(ids)
    tags = tags_by_person(ids)
    earlier = earlier_handles_by_person(ids)
    balances = balance.balances(ids, now=now)
    stages = {slug: (name, step) for slug, name, step in _stage_texts()}
    return [
        _describe(
            p,
            thresholds,
            lists.get(p.id, []),
            tags.get(p.id, []),
            earlier.get(p.id, []),
            stages,
            balances[p.id],
        )
        for p in people
    ]


def _stage_texts() -> list[tuple[str, str, str]]:
    return list(Stage.select(Stage.slug, Stage.name, Stage.next_step).tuples())


def describe(
    person: Person, thresholds: Mapping[str, int], *, now: datetime | None = None
) -> dict[str, Any]:
    return describe_many([person], thresholds, now=now)[0]


def _describe(
    person: Person,
    thresholds: Mapping[str, int],
    lists: list[str],
    tags: list[str],
    earlier: list[str],
    stages: Mapping[str, tuple[str, str]],
    balance_: dict[str, Any],
) -> dict[str, Any]:
    last = None
    if person.last_interaction_at is not None:
        last = {"kind": person.last_interaction_kind, "at": person.last_interaction_at}
    names = {slug: name for slug, (name, _) in stages.items()}
    return {
        "id": person.id,
        "x_id": person.x_id,
        "handle": person.handle,
        "earlier_handles": earlier,
        "display_name": person.display_name,
        "bio": person.bio,
        "followers_count": person.followers_count,
        "following_count": person.following_count,
        "tier": tiers.tier_for(person.followers_count, thresholds),
        "follows_you": person.follows_you,
        "you_follow": person.you_follow,
        "avatar_url": person.avatar_url,
        "stage": person.stage_id,
        "stage_name": names.get(person.stage_id),
        "next_step": stages.get(person.stage_id, ("", ""))[1] or None,
        "suggestion": suggestions.describe(person, names),
        "balance": balance_,
        "sells_followers": person.sells_followers,
        "never_posts": person.never_posts,
        "no_follow_back": person.no_follow_back,
        "last_interaction": last,
        "last_post_seen_at": person.last_post_seen_at,
        "lists": lists,
        "tags": tags,
        "x_url": x_url(person),
        "first_seen": person.first_seen,
        "last_seen": person.last_seen,
        "created_at": person.created_at,
        "updated_at": person.updated_at,
    }


def x_url(person: Person) -> str | None:
    if person.handle:
        return f"https://x.com/{person.handle}"
    if person.x_id:
        return f"https://x.com/i/user/{person.x_id}"
    return None


# ---- listing ------------------------------------------------------------------------------------

_SORTS = {
    "handle": Person.handle,
    "followers": Person.followers_count,
    "last_interaction": Person.last_interaction_at,
    "created": Person.created_at,
    "updated": Person.updated_at,
    "stage": Stage.position,
}


def _contains(column: Any, needle: str) -> Any:
    """`column` holds `needle` (already case-folded), in any letter case.

    Text that is all ASCII is matched by SQLite's LIKE, which ignores ASCII letter case and runs
    at C speed; only text with other characters goes through Python's case folding. Both agree
    on ASCII text, so a search over 100,000 people stays fast without changing what it finds.
    """
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    like = NodeList((column, SQL("LIKE"), pattern, SQL("ESCAPE '\\'")))
    not_ascii = fn.length(column) != fn.length(Cast(column, "BLOB"))
    return like | (not_ascii & (fn.instr(fn.casefold(column), needle) > 0))


def _chosen(subquery: SQL) -> SQL:
    """The ids `subquery` selects, worked out once, as a subquery again.

    The rules behind these filters read whole tables (the contact history, the list members);
    a page of the table asks for its people in up to three statements (the count and the two
    halves of a keyset walk), and SQLite would work each rule out again for each of them.
    """
    ids = [pid for (pid,) in database.execute_sql(subquery.sql, subquery.params)]
    return SQL("(SELECT value FROM json_each(?))", [json.dumps(ids)])


def _memberships(params: Mapping[str, Any]) -> list[tuple[ModelSelect, bool]]:
    """The ids of the people in the list and of those with the tag `params` name, as queries
    over the membership tables (the tag's letter case is resolved first, over the few tags),
    each with whether it may name a person twice (tags differing only in letter case)."""
    sets = []
    if params.get("list"):
        lists = PersonList.select(PersonList.id).where(PersonList.slug == params["list"])
        sets.append((ListMember.select(ListMember.person).where(ListMember.list.in_(lists)), False))
    if params.get("tag"):
        wanted = casefold(tidy_tag(params["tag"]))
        tags = [t for (t,) in Tag.select(Tag.id).where(fn.casefold(Tag.name) == wanted).tuples()]
        tagged = PersonTag.select(PersonTag.person).where(PersonTag.tag.in_(tags))
        sets.append((tagged, len(tags) > 1))
    return sets


def _row_conditions(
    params: Mapping[str, Any], thresholds: Mapping[str, int], now: datetime | None
) -> list[Any]:
    """The conditions `params` set on a person's own row or history (all but list and tag).

    `due`, `one_sided` and `cleanup` keep those due for a follow-up, those whose balance is
    one-sided and the clean-up candidates, by the rules of `followups`, `balance` and `cleanup`
    (each rule is worked out here, once).
    """
    conditions: list[Any] = []
    if params.get("stage"):
        conditions.append(Person.stage == params["stage"])
    if params.get("tier"):
        # A tier the thresholds leave out has no one in it: the empty range [0, 0).
        low, high = tiers.follower_range(params["tier"], thresholds) or (0, 0)
        if params["tier"] == "none":
            if high is not None:  # with no thresholds at all, everyone is without a tier
                conditions.append(
                    Person.followers_count.is_null() | (Person.followers_count < high)
                )
        else:
            conditions.append(Person.followers_count >= low)
            if high is not None:
                conditions.append(Person.followers_count < high)
    if params.get("q"):
        from . import search_index  # the text search alone uses it

        needle = casefold(params["q"].strip().removeprefix("@"))
        indexed = search_index.condition(Person.id, needle)
        if indexed is None:  # a needle too short for the index, or the index not up to date
            indexed = (
                _contains(Person.handle, needle)
                | _contains(Person.display_name, needle)
                | _contains(Person.bio, needle)
            )
        conditions.append(indexed)
    if params.get("due"):
        conditions.append(Person.id.in_(_chosen(followups.due_people(now=now))))
    if params.get("one_sided"):
        conditions.append(Person.id.in_(_chosen(balance.one_sided_people(now=now))))
    if params.get("cleanup"):
        from . import cleanup  # it lists people with this module's helpers: import when used

        conditions.append(Person.id.in_(_chosen(cleanup.candidate_people(now=now))))
    if params.get("inactive_days") is not None:
        since = (now or utcnow()) - timedelta(days=params["inactive_days"])
        conditions.append(
            Person.last_interaction_at.is_null() | (Person.last_interaction_at < since)
        )
    return conditions


@dataclass(frozen=True)
class Filters:
    """The filters of a people query, worked out once: conditions on the person's row or
    history, and the memberships (list, tag) as queries over their tables."""

    rows: list[Any]
    memberships: list[tuple[ModelSelect, bool]]

    def query(self, *, walk_order: bool = False) -> ModelSelect:
        """The matching people, unordered and without the join to their stage that only the
        sort by stage needs (see `_sorted_on`).

        `walk_order` asks SQLite to find the people in a list or with a tag by walking the sort
        order (see `_walks_the_order`): the unary + keeps it from reading the set first.
        """
        query = Person.select(Person)
        for condition in self.rows:
            query = query.where(condition)
        member_id = NodeList((SQL("+"), Person.id), glue="") if walk_order else Person.id
        for members, _ in self.memberships:
            query = query.where(member_id.in_(members))
        return query

    def count(self) -> int:
        """How many people match.

        A list or a tag alone is counted in its membership table, which holds one row per member
        (its foreign key guarantees the person exists): the person rows are not read at all.
        """
        if len(self.memberships) == 1 and not self.rows:
            members, repeats = self.memberships[0]
            counted = fn.COUNT(fn.DISTINCT(SQL("person_id"))) if repeats else fn.COUNT(SQL("*"))
            return members.select(counted).scalar()
        # COUNT(*) over the query itself (not over it as a subquery) lets SQLite count index
        # entries.
        return self.query().select(fn.COUNT(SQL("*"))).scalar()


def filters(
    params: Mapping[str, Any], thresholds: Mapping[str, int], *, now: datetime | None = None
) -> Filters:
    """The filters in `params` (see PeopleQuerySchema)."""
    return Filters(_row_conditions(params, thresholds, now), _memberships(params))


def filtered(
    params: Mapping[str, Any], thresholds: Mapping[str, int], *, now: datetime | None = None
) -> ModelSelect:
    """The people matching the filters in `params` (see `Filters.query`)."""
    return filters(params, thresholds, now=now).query()


def _walks_the_order(matching: int, wanted: int, population: int) -> bool:
    """Whether a page is found faster by walking the sort order's index, testing each person
    met against a list or tag, than by reading every member and sorting them.

    Sorting reads all `matching` people; the walk meets about `population / matching` people
    for each one it keeps, for the `wanted` ones up to the end of the page.
    """
    return matching > 0 and wanted * population < matching * matching


def search(
    params: Mapping[str, Any], thresholds: Mapping[str, int], *, now: datetime | None = None
) -> dict[str, Any]:
    """One page of people matching the filters in `params` (see PeopleQuerySchema)."""
    page, per_page = params.get("page", 1), params.get("per_page", 50)
    chosen = filters(params, thresholds, now=now)
    total = chosen.count()
    walk = bool(chosen.memberships) and _walks_the_order(total, page * per_page, count_people())
    query = chosen.query(walk_order=walk)
    sort = params.get("sort") or "-last_interaction"
    descending = sort.startswith("-")
    column = _SORTS[sort.lstrip("-")]
    query = _sorted_on(query, column)
    ordering = column.desc(nulls="LAST") if descending else column.asc(nulls="LAST")
    query = query.order_by(ordering, Person.id.desc() if descending else Person.id)
    people = list(query.paginate(page, per_page)) if total else []
    return {
        "items": describe_many(people, thresholds),
        "total": total,
        "page": page,
        "per_page": per_page,
    }


def search_keyset(
    params: Mapping[str, Any],
    thresholds: Mapping[str, int],
    *,
    after: int | None = None,
    before: int | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The page of people just after the person `after` (or just before `before`) in the order
    of `params["sort"]`, filtered like `search`; the first page without either.

    Keyset paging: each page starts from a place in an index instead of counting past the
    earlier pages, so the last page of 100,000 people comes as fast as the first. The answer's
    `next` and `previous` are the ids to page on from (None at either end).
    """
    sort = params.get("sort") or "-last_interaction"
    column = _SORTS[sort.lstrip("-")]
    descending = sort.startswith("-")
    chosen = filters(params, thresholds, now=now)
    base = _sorted_on(chosen.query(), column)
    per_page = params.get("per_page", 50)
    anchor_id = before if before is not None else after
    anchor = None  # the anchor person's sort value and id; someone since deleted: none
    if anchor_id is not None:
        value = _sorted_on(Person.select(column), column).where(Person.id == anchor_id)
        row = value.tuples().first()
        anchor = None if row is None else (row[0], anchor_id)
    forward = before is None or anchor is None
    found = _walk(base, column, descending, anchor, forward, per_page + 1)
    more = len(found) > per_page  # one beyond the page: there is another page that way
    found = found[:per_page]
    if forward:
        has_previous, has_next = anchor is not None, more
    else:
        found.reverse()
        has_previous, has_next = more, True
    return {
        "items": describe_many(found, thresholds),
        "total": chosen.count(),
        "per_page": per_page,
        "previous": found[0].id if found and has_previous else None,
        "next": found[-1].id if found and has_next else None,
    }


def _sorted_on(query: ModelSelect, column: Any) -> ModelSelect:
    """`query` with the join its sort `column` needs (a stage's position is on the stage)."""
    return query.join(Stage) if column is Stage.position else query


def _walk(
    base: ModelSelect,
    column: Any,
    descending: bool,
    anchor: tuple[Any, int] | None,
    forward: bool,
    limit: int,
) -> list[Person]:
    """Up to `limit` people from `base` beyond `anchor` (a sort value and an id), walking the
    sort order forwards or backwards.

    The order has two parts, each read through an index: people with a value, by value and id,
    then people without one (they come last either way), by id.
    """
    down = descending == forward  # walking towards smaller values
    valued = base.where(column.is_null(False))
    unvalued = base.where(column.is_null())
    if anchor is not None and anchor[0] is not None:
        edge = Tuple(column, Person.id) < anchor if down else Tuple(column, Person.id) > anchor
        valued = valued.where(edge)
    if anchor is not None and anchor[0] is None:
        unvalued = unvalued.where(Person.id < anchor[1] if down else Person.id > anchor[1])
        if forward:
            valued = None  # every valued person comes before the anchor
    elif anchor is not None and not forward:
        unvalued = None  # walking back from a valued person never reaches the unvalued
    by_value = (column.desc(), Person.id.desc()) if down else (column.asc(), Person.id.asc())
    by_id = Person.id.desc() if down else Person.id.asc()
    parts = [(valued, by_value), (unvalued, (by_id,))]
    if not forward:
        parts.reverse()
    found: list[Person] = []
    for query, order in parts:
        if query is not None and len(found) < limit:
            found += list(query.order_by(*order).limit(limit - len(found)))
    return found


def count_people() -> int:
    # COUNT(*) of a whole table: SQLite counts the entries of its smallest index.
    return Person.select(fn.COUNT(SQL("*"))).scalar()
