"""Tags: free labels on people, matched case-insensitively."""

from __future__ import annotations

from collections.abc import Iterable

from peewee import fn

from ..db import casefold, write_transaction
from ..models import Person, PersonTag, Tag
from ..problems import InvalidError

MAX_TAG_LENGTH = 50


def tidy_tag(name: str) -> str:
    """A tag name with runs of spaces made one and the ends trimmed."""
    return " ".join(name.split())


def valid_name(name: str) -> str:
    """A tag name with its spaces tidied, or an error naming the `tag` field."""
    tidy = tidy_tag(name)
    if not 1 <= len(tidy) <= MAX_TAG_LENGTH:
        raise InvalidError("tag", f"A tag has 1 to {MAX_TAG_LENGTH} characters.")
    return tidy


def _find(name: str) -> Tag | None:
    """The tag called `name` in any letter case."""
    return Tag.get_or_none(fn.casefold(Tag.name) == casefold(tidy_tag(name)))


def _tag(name: str) -> Tag:
    return _find(name) or Tag.create(name=tidy_tag(name))


def add_tag(person: Person, name: str) -> bool:
    """Tag `person` with `name`; False if they had it already."""
    with write_transaction():
        tag = _tag(name)
        if PersonTag.select().where((PersonTag.person == person) & (PersonTag.tag == tag)).exists():
            return False
        PersonTag.create(person=person, tag=tag)
        return True


def remove_tag(person: Person, name: str) -> bool:
    with write_transaction():
        tag = _find(name)
        if tag is None:
            return False
        return bool(
            PersonTag.delete()
            .where((PersonTag.person == person) & (PersonTag.tag == tag))
            .execute()
        )


def set_tags(person: Person, names: Iterable[str]) -> None:
    """Give `person` exactly these tags."""
    wanted = {casefold(tidy_tag(n)): tidy_tag(n) for n in names if n.strip()}
    with write_transaction():
        current = {
            casefold(pt.tag.name): pt
            for pt in PersonTag.select(PersonTag, Tag).join(Tag).where(PersonTag.person == person)
        }
        for key, pt in current.items():
            if key not in wanted:
                pt.delete_instance()
        for key, name in wanted.items():
            if key not in current:
                PersonTag.create(person=person, tag=_tag(name))


def all_tags() -> list[dict]:
    query = (
        Tag.select(Tag.name, fn.COUNT(PersonTag.id).alias("people"))
        .join(PersonTag)
        .group_by(Tag.id)
        .order_by(Tag.name)
        .dicts()
    )
    return list(query)
