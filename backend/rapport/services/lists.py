"""Lists of people: the built-in ones (The Watchlist, People Who Say Things, and the automatic
Mentioned You and People I've Favorited) and the user's own; adding and removing members.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from peewee import fn

from ..db import write_transaction
from ..models import ListMember, Person, PersonList, XListSnapshot, utcnow
from ..problems import ConflictError, InvalidError, NotFoundError
from ..schemas import HANDLE_RE
from . import people


def _describe(item: PersonList, member_count: int) -> dict[str, Any]:
    return {
        "slug": item.slug,
        "name": item.name,
        "description": item.description,
        "automatic": item.automatic,
        "builtin": item.builtin,
        "x_list_id": item.x_list_id,
        "x_owned": item.x_owned,
        "x_synced_at": item.x_synced_at,
        "x_member_count": item.x_member_count,
        "cadence_days": item.cadence_days,
        "member_count": member_count,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def slugify(name: str) -> str:
    """A list slug made from a name: lower case letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:50].strip("-")
    return slug or "x-list"


def free_slug(name: str) -> str:
    """A slug for `name` that no list has yet (`-2`, `-3`… added when taken)."""
    base = slugify(name)
    slug, number = base, 2
    while PersonList.select().where(PersonList.slug == slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def all_lists() -> list[dict[str, Any]]:
    counts = dict(
        ListMember.select(ListMember.list, fn.COUNT(ListMember.id))
        .group_by(ListMember.list)
        .tuples()
    )
    return [
        _describe(item, counts.get(item.id, 0))
        for item in PersonList.select().order_by(PersonList.id)
    ]


def get_list(slug: str) -> PersonList:
    found = PersonList.get_or_none(PersonList.slug == slug)
    if found is None:
        raise NotFoundError(f"There is no list {slug!r}.")
    return found


def describe(item: PersonList) -> dict[str, Any]:
    return _describe(item, ListMember.select().where(ListMember.list == item).count())


def _check_x_list(x_list_id: str | None, own_id: int | None = None) -> None:
    if x_list_id is None:
        return
    query = PersonList.select().where(PersonList.x_list_id == x_list_id)
    if own_id is not None:
        query = query.where(PersonList.id != own_id)
    if query.exists():
        raise InvalidError("x_list_id", "Another list is already linked to this X list.")


def create_list(data: Mapping[str, Any]) -> PersonList:
    with write_transaction():
        if PersonList.select().where(PersonList.slug == data["slug"]).exists():
            raise ConflictError(
                f"List {data['slug']!r} exists already.", {"slug": ["Already taken."]}
            )
        _check_x_list(data.get("x_list_id"))
        now = utcnow()
        return PersonList.create(
            slug=data["slug"],
            name=data["name"],
            description=data.get("description", ""),
            cadence_days=data.get("cadence_days"),
            x_list_id=data.get("x_list_id"),
            created_at=now,
            updated_at=now,
        )


def update_list(item: PersonList, data: Mapping[str, Any]) -> PersonList:
    """Edit a list. Linking it to another X list (or none) forgets what was synced with the old
    one: the next sync merges with the new X list from scratch, removing nothing."""
    with write_transaction():
        if "x_list_id" in data:
            _check_x_list(data["x_list_id"], item.id)
            if data["x_list_id"] != item.x_list_id:
                XListSnapshot.delete().where(XListSnapshot.list == item.id).execute()
                item.x_owned = item.x_synced_at = item.x_member_count = None
        if data.get("x_owned") is not None:
            item.x_owned = data["x_owned"]
        for name in ("name", "description", "cadence_days", "x_list_id"):
            if name in data:
                setattr(
                    item,
                    name,
                    data[name] if data[name] is not None or name != "description" else "",
                )
        item.updated_at = utcnow()
        item.save()
    return item


def delete_list(item: PersonList) -> None:
    if item.builtin:
        raise ConflictError(f"{item.name!r} is built in and cannot be deleted.")
    with write_transaction():
        item.delete_instance()


def members(item: PersonList, page: int, per_page: int) -> tuple[list[Person], int]:
    query = (
        Person.select(Person)
        .join(ListMember)
        .where(ListMember.list == item)
        .order_by(ListMember.added_at.desc(), ListMember.id.desc())
    )
    return list(query.paginate(page, per_page)), query.count()


def add_member(
    item: PersonList, ref: str, snapshot: Mapping[str, Any] | None = None
) -> tuple[Person, bool]:
    """Put the person `ref` on the list, creating them if new; (person, added). Idempotent.

    `ref` finds a known person by handle, earlier handle or X user id; someone new needs a handle.
    """
    with write_transaction():
        person = people.find(ref)
        if person is None or snapshot:
            data = dict(snapshot or {})
            if person is None:
                handle = ref.strip().removeprefix("@")
                if not HANDLE_RE.match(handle):
                    raise InvalidError(
                        "handle", "Not a valid X handle (1-15 letters, digits or underscores)."
                    )
                data.setdefault("handle", handle)
            else:
                if person.handle:
                    data.setdefault("handle", person.handle)
                if person.x_id:
                    data.setdefault("x_id", person.x_id)
            person, _ = people.upsert_snapshot(data, source="manual")
        exists = (
            ListMember.select()
            .where((ListMember.list == item) & (ListMember.person == person))
            .exists()
        )
        if not exists:
            ListMember.create(list=item, person=person, added_at=utcnow())
    return person, not exists


def remove_member(item: PersonList, ref: str) -> tuple[Person | None, bool]:
    """Take the person `ref` off the list; (person, removed). Idempotent."""
    with write_transaction():
        person = people.find(ref)
        if person is None:
            return None, False
        removed = (
            ListMember.delete()
            .where((ListMember.list == item) & (ListMember.person == person))
            .execute()
        )
    return person, bool(removed)
