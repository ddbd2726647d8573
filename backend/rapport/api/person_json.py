"""People as JSON for the listings, without marshmallow's field-by-field dump.

`services.people.describe_many` already builds each person's answer with JSON types in the
shape of `PersonSchema`, except for the times. Dumping a page of 50 people through the schema
walks some 2,000 fields and took as long as every query behind the page together; this writes
the times as the schema does (`UTCDateTime`: ISO 8601, milliseconds, 'Z') and keeps the rest.
`tests/test_person_json.py` holds it to the schema's own dump.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

# PersonSchema's UTCDateTime fields, and those of its nested objects (`suggestion`,
# `last_interaction`: {"at": …}).
_TIMES = ("last_post_seen_at", "first_seen", "last_seen", "created_at", "updated_at")
_NESTED_TIMES = ("suggestion", "last_interaction")


def utc_text(value: datetime | str | None) -> str | None:
    """A stored (naive UTC) time as the API writes it: '2026-11-24T17:05:00.000Z'."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def person_json(described: Mapping[str, Any]) -> dict[str, Any]:
    """One person's answer (from `describe_many`) as PersonSchema dumps it."""
    answer = dict(described)
    for name in _TIMES:
        answer[name] = utc_text(answer[name])
    for name in _NESTED_TIMES:
        nested = answer[name]
        if nested is not None:
            answer[name] = {**nested, "at": utc_text(nested["at"])}
    return answer


def people_json(described: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [person_json(person) for person in described]
