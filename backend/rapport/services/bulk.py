"""Changes to many people at once (the dashboard's bulk actions and its person page): put them on a
list or take them off, move them to a stage, tag them. Each call is one transaction: it changes
everyone or no one.

People are named by their row ids here, not by handle: a handle-less person known by X user id
could otherwise be mistaken for someone whose handle is the same digits.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..db import write_transaction
from ..models import ListMember, Person, utcnow
from ..problems import InvalidError, NotFoundError
from . import lists, stages, tags

MAX_PEOPLE = 500


def _people(ids: Iterable[int]) -> list[Person]:
    """The people with these ids, in the order given; an error if any is unknown."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        raise InvalidError("people", "Choose at least one person.")
    if len(wanted) > MAX_PEOPLE:
        raise InvalidError("people", f"At most {MAX_PEOPLE} people at once.")
    found = {p.id: p for p in Person.select().where(Person.id.in_(wanted))}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFoundError("Some of these people are no longer tracked; reload the page.")
    return [found[i] for i in wanted]


def add_to_list(ids: Iterable[int], slug: str) -> int:
    """Put the people on list `slug`; how many were not on it already."""
    with write_transaction():
        item = lists.get_list(slug)
        people = _people(ids)
        already = {
            person_id
            for (person_id,) in ListMember.select(ListMember.person)
            .where((ListMember.list == item) & ListMember.person.in_([p.id for p in people]))
            .tuples()
        }
        new = [p for p in people if p.id not in already]
        now = utcnow()
        for person in new:
            ListMember.create(list=item, person=person, added_at=now)
    return len(new)


def remove_from_list(ids: Iterable[int], slug: str) -> int:
    """Take the people off list `slug`; how many were on it."""
    with write_transaction():
        item = lists.get_list(slug)
        people = _people(ids)
        return (
            ListMember.delete()
            .where((ListMember.list == item) & ListMember.person.in_([p.id for p in people]))
            .execute()
        )


def set_stage(ids: Iterable[int], slug: str, cause: str = "") -> int:
    """Move the people to stage `slug` (each move kept in their history); how many moved."""
    with write_transaction():
        stages.check_stage(slug)
        moved = 0
        for person in _people(ids):
            if stages.change_stage(person, slug, cause=cause, source="manual") is not None:
                moved += 1
    return moved


def add_tag(ids: Iterable[int], name: str) -> int:
    """Tag the people with `name`; how many did not have the tag yet."""
    name = tags.valid_name(name)
    with write_transaction():
        return sum(1 for person in _people(ids) if tags.add_tag(person, name))
