"""Marshmallow schemas: what the API accepts (validated, field by field) and what it answers.

Input schemas reject unknown fields, so a typo is reported by name rather than silently ignored.
Times are accepted as ISO 8601 (a time without an offset is taken as UTC) and answered in UTC with
a `Z`. X user ids are decimal strings: they exceed what a JavaScript number holds exactly.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from .models import DIRECTIONS, INTERACTION_KINDS, INTERACTION_SOURCES, STAGE_CHANGE_SOURCES

HANDLE_RE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
X_ID_RE = re.compile(r"^[0-9]{1,20}$")
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
MAX_BATCH = 200


class Handle(fields.String):
    """An X handle: 1 to 15 letters, digits or underscores; a leading '@' is dropped."""

    default_error_messages = {
        "invalid_handle": "Not a valid X handle (1-15 letters, digits or underscores)."
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if text.startswith("@"):
            text = text[1:]
        if not HANDLE_RE.match(text):
            raise self.make_error("invalid_handle")
        return text


class XUserId(fields.Field):
    """A numeric X user id, given as a string (or an integer) and answered as a string."""

    default_error_messages = {"invalid_id": "Not a valid X user id (digits only)."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.make_error("invalid_id")
        text = str(value).strip()
        if not X_ID_RE.match(text):
            raise self.make_error("invalid_id")
        return text.lstrip("0") or "0"

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value)


class UTCDateTime(fields.DateTime):
    """ISO 8601 in, naive UTC inside, ISO 8601 with 'Z' out."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        if not (1990 <= parsed.year <= 2200):
            raise ValidationError("Date out of range.")
        return parsed

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _text(max_length: int, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


def _count() -> fields.Integer:
    return fields.Integer(allow_none=True, strict=True, validate=validate.Range(0, 10**10))


class InputSchema(Schema):
    class Meta:
        unknown = RAISE


# ---- people -------------------------------------------------------------------------------------


class PersonFieldsSchema(InputSchema):
    """Fields of a person that a snapshot or an edit may set."""

    display_name = _text(200)
    bio = _text(2000)
    followers_count = _count()
    following_count = _count()
    follows_you = fields.Boolean(allow_none=True)
    you_follow = fields.Boolean(allow_none=True)
    avatar_url = fields.Url(
        schemes={"https", "http"}, validate=validate.Length(max=2000), allow_none=True
    )


class PersonSnapshotSchema(PersonFieldsSchema):
    """A profile as seen on X: creates the person, or brings them up to date."""

    x_id = XUserId(allow_none=True)
    handle = Handle()
    stage = fields.String(validate=validate.Length(min=1, max=40))

    @validates_schema
    def _needs_identity(self, data: dict, **kwargs: Any) -> None:
        if not data.get("handle") and not data.get("x_id"):
            raise ValidationError("Give a handle or an X user id.", "handle")


class PersonPatchSchema(PersonFieldsSchema):
    handle = Handle()
    x_id = XUserId()
    stage = fields.String(validate=validate.Length(min=1, max=40))
    stage_cause = _text(500)
    sells_followers = fields.Boolean()
    never_posts = fields.Boolean()
    no_follow_back = fields.Boolean()
    tags = fields.List(
        fields.String(validate=validate.Length(min=1, max=50)), validate=validate.Length(max=100)
    )


PEOPLE_SORTS = ("handle", "followers", "last_interaction", "created", "stage", "updated")


class PeopleQuerySchema(InputSchema):
    q = _text(200)
    stage = fields.String(validate=validate.Length(min=1, max=40))
    tier = fields.String(validate=validate.OneOf(("none", "nano", "micro", "mid", "macro", "mega")))
    list = fields.String(validate=validate.Length(min=1, max=60))
    tag = fields.String(validate=validate.Length(min=1, max=50))
    inactive_days = fields.Integer(validate=validate.Range(0, 36_500))
    sort = fields.String(
        load_default="-last_interaction",
        validate=validate.OneOf([*PEOPLE_SORTS, *(f"-{s}" for s in PEOPLE_SORTS)]),
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class LastInteractionSchema(Schema):
    kind = fields.String()
    at = UTCDateTime()


class PersonSchema(Schema):
    id = fields.Integer()
    x_id = XUserId()
    handle = fields.String()
    earlier_handles = fields.List(fields.String())
    display_name = fields.String()
    bio = fields.String()
    followers_count = fields.Integer(allow_none=True)
    following_count = fields.Integer(allow_none=True)
    tier = fields.String(allow_none=True)
    follows_you = fields.Boolean(allow_none=True)
    you_follow = fields.Boolean(allow_none=True)
    avatar_url = fields.String()
    stage = fields.String()
    sells_followers = fields.Boolean()
    never_posts = fields.Boolean()
    no_follow_back = fields.Boolean()
    last_interaction = fields.Nested(LastInteractionSchema, allow_none=True)
    lists = fields.List(fields.String())
    tags = fields.List(fields.String())
    x_url = fields.String(allow_none=True)
    first_seen = UTCDateTime()
    last_seen = UTCDateTime()
    created_at = UTCDateTime()
    updated_at = UTCDateTime()


class PeoplePageSchema(Schema):
    items = fields.List(fields.Nested(PersonSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


# ---- notes --------------------------------------------------------------------------------------


class NoteInSchema(InputSchema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=20_000))


class NoteSchema(Schema):
    id = fields.Integer()
    body = fields.String()
    created_at = UTCDateTime()
    updated_at = UTCDateTime()


# ---- interactions -------------------------------------------------------------------------------


class InteractionInSchema(InputSchema):
    kind = fields.String(required=True, validate=validate.OneOf(INTERACTION_KINDS))
    direction = fields.String(load_default="outbound", validate=validate.OneOf(DIRECTIONS))
    happened_at = UTCDateTime()
    tweet_url = fields.Url(schemes={"https", "http"}, validate=validate.Length(max=500))
    text = _text(1000)
    source = fields.String(load_default="manual", validate=validate.OneOf(INTERACTION_SOURCES))
    dedupe_key = fields.String(validate=validate.Length(min=1, max=200))


class InteractionPatchSchema(InputSchema):
    kind = fields.String(validate=validate.OneOf(INTERACTION_KINDS))
    direction = fields.String(validate=validate.OneOf(DIRECTIONS))
    happened_at = UTCDateTime()
    tweet_url = fields.Url(schemes={"https", "http"}, validate=validate.Length(max=500))
    text = _text(1000)


class InteractionSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    direction = fields.String()
    happened_at = UTCDateTime()
    tweet_url = fields.String()
    text = fields.String()
    source = fields.String()
    dedupe_key = fields.String()
    created_at = UTCDateTime()


class PageQuerySchema(InputSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class InteractionQuerySchema(PageQuerySchema):
    kind = fields.String(validate=validate.OneOf(INTERACTION_KINDS))
    direction = fields.String(validate=validate.OneOf(DIRECTIONS))


class InteractionPageSchema(Schema):
    items = fields.List(fields.Nested(InteractionSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


# ---- stages -------------------------------------------------------------------------------------


class StageChangeInSchema(InputSchema):
    stage = fields.String(required=True, validate=validate.Length(min=1, max=40))
    cause = _text(500)
    source = fields.String(load_default="manual", validate=validate.OneOf(STAGE_CHANGE_SOURCES))
    changed_at = UTCDateTime()


class StageChangeSchema(Schema):
    id = fields.Integer()
    from_stage = fields.String(allow_none=True)
    to_stage = fields.String()
    changed_at = UTCDateTime()
    cause = fields.String()
    source = fields.String()


class StageInSchema(InputSchema):
    slug = fields.String(
        required=True,
        validate=validate.Regexp(
            SLUG_RE, error="Use a-z, 0-9 and dashes, starting and ending with a letter or digit."
        ),
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    position = fields.Integer(validate=validate.Range(0, 1000))
    description = _text(1000)
    next_step = _text(1000)


class StagePatchSchema(InputSchema):
    name = fields.String(validate=validate.Length(min=1, max=80))
    position = fields.Integer(validate=validate.Range(0, 1000))
    description = _text(1000)
    next_step = _text(1000)


class StageSchema(Schema):
    slug = fields.String()
    name = fields.String()
    position = fields.Integer()
    description = fields.String()
    next_step = fields.String()
    people = fields.Integer()


# ---- lists --------------------------------------------------------------------------------------


class ListInSchema(InputSchema):
    slug = fields.String(
        required=True,
        validate=validate.Regexp(
            SLUG_RE, error="Use a-z, 0-9 and dashes, starting and ending with a letter or digit."
        ),
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    description = _text(1000)
    cadence_days = fields.Integer(allow_none=True, validate=validate.Range(1, 365))
    x_list_id = XUserId(allow_none=True)


class ListPatchSchema(InputSchema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    description = _text(1000)
    cadence_days = fields.Integer(allow_none=True, validate=validate.Range(1, 365))
    x_list_id = XUserId(allow_none=True)


class ListSchema(Schema):
    slug = fields.String()
    name = fields.String()
    description = fields.String()
    automatic = fields.Boolean()
    builtin = fields.Boolean()
    x_list_id = fields.String(allow_none=True)
    cadence_days = fields.Integer(allow_none=True)
    member_count = fields.Integer()
    created_at = UTCDateTime()
    updated_at = UTCDateTime()


class MembershipSchema(Schema):
    list = fields.String()
    person = fields.Nested(PersonSchema)
    added = fields.Boolean()
    removed = fields.Boolean()


# ---- tags ---------------------------------------------------------------------------------------


class TagSchema(Schema):
    name = fields.String()
    people = fields.Integer()


# ---- annotations --------------------------------------------------------------------------------


class AnnotationsInSchema(InputSchema):
    handles = fields.List(Handle(), load_default=list, validate=validate.Length(max=MAX_BATCH))
    ids = fields.List(XUserId(), load_default=list, validate=validate.Length(max=MAX_BATCH))

    @validates_schema
    def _batch_size(self, data: dict, **kwargs: Any) -> None:
        total = len(data.get("handles", [])) + len(data.get("ids", []))
        if total == 0:
            raise ValidationError("Give at least one handle or id.", "handles")
        if total > MAX_BATCH:
            raise ValidationError(f"At most {MAX_BATCH} handles and ids in one call.", "handles")


class HealthSchema(Schema):
    status = fields.String()
    version = fields.String()
    schema_version = fields.Integer()
