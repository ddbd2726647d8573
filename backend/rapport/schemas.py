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
    pre_load,
    validate,
    validates_schema,
)

from .models import DIRECTIONS, INTERACTION_KINDS, INTERACTION_SOURCES, STAGE_CHANGE_SOURCES

# \Z rather than $: a $ would let a trailing newline through.
HANDLE_RE = re.compile(r"^[A-Za-z0-9_]{1,15}\Z")
X_ID_RE = re.compile(r"^[0-9]{1,20}\Z")
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?\Z")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_BATCH = 200
MAX_ROW_ID = 2**63 - 1  # the largest SQLite integer: a larger id in a URL matches nothing
MAX_PAGE = 1_000_000


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


def _has_lone_surrogate(value: Any) -> bool:
    """True if `value` holds text with a lone UTF-16 surrogate (valid JSON, but not storable)."""
    if isinstance(value, str):
        return not value.isascii() and _LONE_SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


class InputSchema(Schema):
    class Meta:
        unknown = RAISE

    @pre_load
    def _no_lone_surrogates(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict):
            bad = {
                key: ["Text contains an invalid character (a lone surrogate)."]
                for key, value in data.items()
                if _has_lone_surrogate(key) or _has_lone_surrogate(value)
            }
            if bad:
                raise ValidationError(bad)
        return data


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
    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class LastInteractionSchema(Schema):
    kind = fields.String()
    at = UTCDateTime()


class SuggestionSchema(Schema):
    stage = fields.String(metadata={"description": "The suggested stage's slug."})
    stage_name = fields.String(allow_none=True)
    reason = fields.String(metadata={"description": "Why, e.g. 'they replied to you on 3 Nov'."})
    at = UTCDateTime(metadata={"description": "When the evidence is from."})


class BalanceCountsSchema(Schema):
    outbound = fields.Integer()
    inbound = fields.Integer()


class BalanceSchema(Schema):
    d30 = fields.Nested(BalanceCountsSchema)
    d90 = fields.Nested(BalanceCountsSchema)
    one_sided = fields.Boolean()


class PersonSchema(Schema):
    id = fields.Integer()
    x_id = XUserId()
    handle = fields.String(
        allow_none=True,
        metadata={"description": "null once another account took the handle (known by id)."},
    )
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
    stage_name = fields.String(allow_none=True)
    next_step = fields.String(allow_none=True)
    suggestion = fields.Nested(SuggestionSchema, allow_none=True)
    balance = fields.Nested(BalanceSchema)
    sells_followers = fields.Boolean()
    never_posts = fields.Boolean()
    no_follow_back = fields.Boolean()
    last_interaction = fields.Nested(LastInteractionSchema, allow_none=True)
    last_post_seen_at = UTCDateTime(allow_none=True)
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
    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE))
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
    position = fields.Integer(strict=True, validate=validate.Range(0, 1000))
    description = _text(1000)
    next_step = _text(1000)


class StagePatchSchema(InputSchema):
    name = fields.String(validate=validate.Length(min=1, max=80))
    position = fields.Integer(strict=True, validate=validate.Range(0, 1000))
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
    cadence_days = fields.Integer(allow_none=True, strict=True, validate=validate.Range(1, 365))
    x_list_id = XUserId(allow_none=True)


class ListPatchSchema(InputSchema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    description = _text(1000)
    cadence_days = fields.Integer(allow_none=True, strict=True, validate=validate.Range(1, 365))
    x_list_id = XUserId(allow_none=True)


class ListSchema(Schema):
    slug = fields.String()
    name = fields.String()
    description = fields.String()
    automatic = fields.Boolean()
    builtin = fields.Boolean()
    x_list_id = fields.String(allow_none=True)
    x_owned = fields.Boolean(
        allow_none=True, metadata={"description": "Whether you own the linked X list."}
    )
    x_synced_at = UTCDateTime(allow_none=True, metadata={"description": "Last synced with X."})
    x_member_count = fields.Integer(
        allow_none=True, metadata={"description": "Members on X at the last sync."}
    )
    cadence_days = fields.Integer(allow_none=True)
    member_count = fields.Integer()
    created_at = UTCDateTime()
    updated_at = UTCDateTime()


class MembershipSchema(Schema):
    list = fields.String()
    person = fields.Nested(
        PersonSchema,
        allow_none=True,
        metadata={"description": "null when a removal names someone Rapport does not track."},
    )
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


# ---- relationship engine: captures, suggestions, settings, follow-ups, clean-up -----------------

CAPTURE_KINDS: tuple[str, ...] = ("like", "retweet", "quote", "reply", "follow", "mention")


class TweetId(XUserId):
    """A post's numeric id, given as a string (or an integer)."""

    default_error_messages = {"invalid_id": "Not a valid post id (digits only)."}


class CaptureInSchema(InputSchema):
    """One action the extension saw the user take (or someone take towards the user) on x.com."""

    handle = Handle(required=True)
    x_id = XUserId(allow_none=True)
    display_name = _text(200)
    kind = fields.String(required=True, validate=validate.OneOf(CAPTURE_KINDS))
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    tweet_id = TweetId()
    tweet_url = fields.Url(schemes={"https", "http"}, validate=validate.Length(max=500))
    happened_at = UTCDateTime()
    text = _text(1000)
    track_unknown = fields.Boolean(load_default=False)

    @validates_schema
    def _needs_the_post(self, data: dict, **kwargs: Any) -> None:
        # Whether tweet_url links to a post, and to this one, is checked by the captures service.
        if data.get("kind") != "follow" and not data.get("tweet_id") and not data.get("tweet_url"):
            raise ValidationError("Give the post's id (or tweet_url) for this kind.", "tweet_id")


class CaptureUndoSchema(InputSchema):
    handle = Handle()
    x_id = XUserId()
    kind = fields.String(required=True, validate=validate.OneOf(CAPTURE_KINDS))
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    tweet_id = TweetId()

    @validates_schema
    def _needs_identity_and_post(self, data: dict, **kwargs: Any) -> None:
        if not data.get("handle") and not data.get("x_id"):
            raise ValidationError("Give a handle or an X user id.", "handle")
        if data.get("kind") != "follow" and not data.get("tweet_id"):
            raise ValidationError("Give the post's id for this kind.", "tweet_id")


class PersonBriefSchema(Schema):
    """Who an answer is about, in brief (captures, follow-ups, clean-up)."""

    id = fields.Integer()
    handle = fields.String(allow_none=True)
    x_id = XUserId(allow_none=True)
    display_name = fields.String()
    stage = fields.String()
    stage_name = fields.String(allow_none=True)


class CapturedPersonSchema(PersonBriefSchema):
    next_step = fields.String(allow_none=True)
    suggestion = fields.Nested(SuggestionSchema, allow_none=True)


class CaptureSchema(Schema):
    recorded = fields.Boolean()
    reason = fields.String(metadata={"description": "Why nothing was recorded: not_tracked."})
    created = fields.Boolean(metadata={"description": "The person was new, and is now tracked."})
    duplicate = fields.Boolean(metadata={"description": "The action was recorded already."})
    interaction = fields.Nested(InteractionSchema)
    person = fields.Nested(CapturedPersonSchema)


class RemovedSchema(Schema):
    removed = fields.Integer()


class PostSeenSchema(InputSchema):
    handle = Handle()
    x_id = XUserId()
    at = UTCDateTime(required=True)

    @validates_schema
    def _needs_identity(self, data: dict, **kwargs: Any) -> None:
        if not data.get("handle") and not data.get("x_id"):
            raise ValidationError("Give a handle or an X user id.", "handle")


class PostsSeenInSchema(InputSchema):
    posts = fields.List(
        fields.Nested(PostSeenSchema), required=True, validate=validate.Length(max=MAX_BATCH)
    )


class UpdatedSchema(Schema):
    updated = fields.Integer()


class SettingsSchema(Schema):
    auto_advance = fields.Boolean(
        metadata={"description": "Apply stage suggestions at once instead of asking."}
    )


class SettingsPatchSchema(InputSchema):
    auto_advance = fields.Boolean()


class NoQuerySchema(InputSchema):
    """For an endpoint without query parameters: any given is refused by name."""


class FollowUpQuerySchema(InputSchema):
    list = fields.String(validate=validate.Length(min=1, max=60))
    within_days = fields.Integer(load_default=0, validate=validate.Range(0, 365))
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 10**9))


class FollowUpPersonSchema(PersonBriefSchema):
    tier = fields.String(allow_none=True)
    followers_count = fields.Integer(allow_none=True)


class FollowUpSchema(Schema):
    person = fields.Nested(FollowUpPersonSchema)
    lists = fields.List(fields.String())
    cadence_days = fields.Integer()
    due_at = UTCDateTime()
    overdue_days = fields.Integer()
    next_step = fields.String(allow_none=True)
    last_outbound_at = UTCDateTime(allow_none=True)
    snoozed_until = UTCDateTime(allow_none=True)
    done_at = UTCDateTime(allow_none=True)


class FollowUpPageSchema(Schema):
    count = fields.Integer(metadata={"description": "How many are due by the end of today."})
    total = fields.Integer(metadata={"description": "How many match the query, for paging."})
    items = fields.List(fields.Nested(FollowUpSchema))


class FollowUpCountSchema(Schema):
    due = fields.Integer()


class SnoozeInSchema(InputSchema):
    until = UTCDateTime()
    days = fields.Integer(strict=True, validate=validate.Range(1, 365))

    @validates_schema
    def _one_of(self, data: dict, **kwargs: Any) -> None:
        if ("until" in data) == ("days" in data):
            raise ValidationError("Give either until or days.", "until")


class DoneInSchema(InputSchema):
    note = _text(20_000)


CLEANUP_REASONS: tuple[str, ...] = (
    "no_post_seen",
    "no_follow_back",
    "flagged_sells_followers",
    "flagged_never_posts",
    "flagged_no_follow_back",
)


class CleanupQuerySchema(PageQuerySchema):
    reason = fields.String(validate=validate.OneOf(CLEANUP_REASONS))


class CleanupReasonSchema(Schema):
    code = fields.String()
    message = fields.String()


class CleanupPersonSchema(FollowUpPersonSchema):
    lists = fields.List(fields.String())
    follows_you = fields.Boolean(allow_none=True)
    you_follow = fields.Boolean(allow_none=True)
    last_post_seen_at = UTCDateTime(allow_none=True)


class CleanupItemSchema(Schema):
    person = fields.Nested(CleanupPersonSchema)
    reasons = fields.List(fields.Nested(CleanupReasonSchema))


class CleanupPageSchema(Schema):
    items = fields.List(fields.Nested(CleanupItemSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


# ---- export and import --------------------------------------------------------------------------
# The export document (see docs/export-format.md). Whatever an export writes must load here, so
# limits are those of the database columns (or generous ones for text), and a stage or list slug a
# person names is checked against the data by the transfer service rather than against the rules
# for creating one. The document can be large, so its schemas check every text once, as they load
# it, rather than walking the document per nested object.

EXPORT_FORMAT = "rapport-export"
# 2 added the relationship engine's state (when someone was first seen following, the newest post
# seen, the dismissed suggestion, the follow-up state) and the user's preferences; 3 the X sync's
# state on lists, the X lists the archive names and the liked posts waiting for their author.
# Documents of earlier versions still load: what they lack is left as it is.
EXPORT_FORMAT_VERSION = 3
# How the user relates to an X list the archive names, strongest first: a list they created (which
# Rapport links to a list of its own), one they are a member of, one they follow.
X_LIST_RELATIONS: tuple[str, ...] = ("created", "member-of", "subscribed")
# A link to x.com or twitter.com (https only): what a liked post's or an X list's URL may be.
X_URL_RE = re.compile(r"^https://(?:[a-z0-9-]+\.)*(?:x|twitter)\.com(?:/\S*)?\Z", re.IGNORECASE)
_LONG_TEXT = 100_000
_SLUG_ERROR = "Use a-z, 0-9 and dashes, starting and ending with a letter or digit."


def _storable(text: str) -> None:
    """Refuse text with a lone UTF-16 surrogate: valid JSON, but text SQLite cannot store."""
    if not text.isascii() and _LONE_SURROGATE.search(text):
        raise ValidationError("Text contains an invalid character (a lone surrogate).")


def _export_text(max_length: int = _LONG_TEXT, min_length: int = 0, **kwargs: Any) -> fields.String:
    return fields.String(
        validate=[validate.Length(min=min_length, max=max_length), _storable], **kwargs
    )


def _export_slug(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Regexp(SLUG_RE, error=_SLUG_ERROR), **kwargs)


def _export_count() -> fields.Integer:
    return fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(0, 10**10)
    )


class _ExportSchema(Schema):
    """Unknown fields are refused, as in `InputSchema`."""

    class Meta:
        unknown = RAISE


class ExportStageSchema(_ExportSchema):
    slug = _export_slug(required=True)
    name = _export_text(80, 1, required=True)
    position = fields.Integer(required=True, strict=True, validate=validate.Range(0, 1_000_000))
    description = _export_text(load_default="")
    next_step = _export_text(load_default="")


class ExportListSchema(_ExportSchema):
    slug = _export_slug(required=True)
    name = _export_text(100, 1, required=True)
    description = _export_text(load_default="")
    automatic = fields.Boolean(load_default=False)
    builtin = fields.Boolean(load_default=False)
    x_list_id = XUserId(load_default=None, allow_none=True)
    cadence_days = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(1, 365)
    )
    created_at = UTCDateTime(required=True)
    updated_at = UTCDateTime(required=True)
    # Since version 3; absent (an older document), the database keeps what it has.
    x_owned = fields.Boolean(allow_none=True)
    x_synced_at = UTCDateTime(allow_none=True)
    x_member_count = fields.Integer(
        allow_none=True, strict=True, validate=validate.Range(0, 10**10)
    )


class ExportEarlierHandleSchema(_ExportSchema):
    handle = Handle(required=True)
    replaced_at = UTCDateTime(required=True)


class ExportMembershipSchema(_ExportSchema):
    slug = _export_text(60, 1, required=True)
    added_at = UTCDateTime(required=True)


class ExportNoteSchema(_ExportSchema):
    body = _export_text(required=True)
    created_at = UTCDateTime(required=True)
    updated_at = UTCDateTime(required=True)


class ExportInteractionSchema(_ExportSchema):
    kind = fields.String(required=True, validate=validate.OneOf(INTERACTION_KINDS))
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    happened_at = UTCDateTime(required=True)
    tweet_url = _export_text(load_default="")
    text = _export_text(load_default="")
    source = fields.String(required=True, validate=validate.OneOf(INTERACTION_SOURCES))
    dedupe_key = _export_text(200, 1, required=True)
    created_at = UTCDateTime(required=True)


class ExportStageChangeSchema(_ExportSchema):
    from_stage = _export_text(60, 1, required=True, allow_none=True)
    to_stage = _export_text(60, 1, required=True)
    changed_at = UTCDateTime(required=True)
    cause = _export_text(load_default="")
    source = fields.String(required=True, validate=validate.OneOf(STAGE_CHANGE_SOURCES))


class ExportDismissedSchema(_ExportSchema):
    """The stage suggestion the user dismissed: it stays hidden until evidence newer than `at`."""

    stage = _export_text(60, 1, required=True)
    at = UTCDateTime(required=True)


class ExportFollowUpSchema(_ExportSchema):
    snoozed_until = UTCDateTime(load_default=None, allow_none=True)
    done_at = UTCDateTime(load_default=None, allow_none=True)


class ExportPersonSchema(_ExportSchema):
    x_id = XUserId(load_default=None, allow_none=True)
    handle = Handle(load_default=None, allow_none=True)
    display_name = _export_text(200, load_default="")
    bio = _export_text(load_default="")
    followers_count = _export_count()
    following_count = _export_count()
    follows_you = fields.Boolean(load_default=None, allow_none=True)
    you_follow = fields.Boolean(load_default=None, allow_none=True)
    avatar_url = _export_text(load_default="")
    stage = _export_text(60, 1, load_default="stranger")
    sells_followers = fields.Boolean(load_default=False)
    never_posts = fields.Boolean(load_default=False)
    no_follow_back = fields.Boolean(load_default=False)
    first_seen = UTCDateTime(required=True)
    last_seen = UTCDateTime(required=True)
    created_at = UTCDateTime(required=True)
    updated_at = UTCDateTime(required=True)
    follows_you_since = UTCDateTime(load_default=None, allow_none=True)
    last_post_seen_at = UTCDateTime(load_default=None, allow_none=True)
    dismissed_suggestion = fields.Nested(ExportDismissedSchema, load_default=None, allow_none=True)
    follow_up = fields.Nested(ExportFollowUpSchema, load_default=None, allow_none=True)
    earlier_handles = fields.List(fields.Nested(ExportEarlierHandleSchema), load_default=list)
    tags = fields.List(_export_text(50, 1), load_default=list)
    lists = fields.List(fields.Nested(ExportMembershipSchema), load_default=list)
    notes = fields.List(fields.Nested(ExportNoteSchema), load_default=list)
    interactions = fields.List(fields.Nested(ExportInteractionSchema), load_default=list)
    stage_history = fields.List(fields.Nested(ExportStageChangeSchema), load_default=list)

    @validates_schema
    def _needs_identity(self, data: dict, **kwargs: Any) -> None:
        if not data.get("x_id") and not data.get("handle") and not data.get("earlier_handles"):
            raise ValidationError("Give a handle, an X user id or an earlier handle.", "handle")


class ExportSettingsSchema(_ExportSchema):
    """The user's preferences (`services/settings.py`); each one given replaces the stored one."""

    auto_advance = fields.Boolean()


class XListId(XUserId):
    """An X list's numeric id, given as a string (or an integer)."""

    default_error_messages = {"invalid_id": "Not a valid X list id (digits only)."}


def _x_url(text: str) -> None:
    """Refuse anything but an https link to x.com or twitter.com (an empty text passes)."""
    if text and not X_URL_RE.match(text):
        raise ValidationError("Must be an https link to x.com or twitter.com.")


def _export_url(min_length: int = 0, **kwargs: Any) -> fields.String:
    return fields.String(
        validate=[validate.Length(min=min_length, max=2000), _x_url, _storable], **kwargs
    )


class ExportPendingLikeSchema(_ExportSchema):
    """A post the user liked whose author is not known yet (from the archive's like.js)."""

    tweet_id = TweetId(required=True)
    text = _export_text(load_default="")
    url = _export_url(load_default="")
    recorded_at = UTCDateTime(required=True)


class ExportXListSchema(_ExportSchema):
    """An X list the archive names, by URL only, and how the user relates to it."""

    x_list_id = XListId(required=True)
    url = _export_url(1, required=True)
    relation = fields.String(required=True, validate=validate.OneOf(X_LIST_RELATIONS))
    recorded_at = UTCDateTime(required=True)


class ExportDocumentSchema(_ExportSchema):
    format = fields.String(required=True, validate=validate.Equal(EXPORT_FORMAT))
    format_version = fields.Integer(
        required=True, strict=True, validate=validate.Range(1, EXPORT_FORMAT_VERSION)
    )
    schema_version = fields.Integer(strict=True, allow_none=True)
    exported_at = UTCDateTime(allow_none=True)
    app_version = _export_text(100, allow_none=True)
    stages = fields.List(fields.Nested(ExportStageSchema), load_default=list)
    lists = fields.List(fields.Nested(ExportListSchema), load_default=list)
    people = fields.List(fields.Nested(ExportPersonSchema), load_default=list)
    settings = fields.Nested(ExportSettingsSchema, load_default=dict)
    pending_likes = fields.List(fields.Nested(ExportPendingLikeSchema), load_default=list)
    x_lists = fields.List(fields.Nested(ExportXListSchema), load_default=list)


class ImportSummarySchema(Schema):
    people_created = fields.Integer()
    people_updated = fields.Integer()
    stages_created = fields.Integer()
    stages_updated = fields.Integer()
    lists_created = fields.Integer()
    lists_updated = fields.Integer()
    earlier_handles_added = fields.Integer()
    tags_added = fields.Integer()
    list_memberships_added = fields.Integer()
    notes_added = fields.Integer()
    interactions_added = fields.Integer()
    stage_changes_added = fields.Integer()
    follow_ups_updated = fields.Integer()
    settings_updated = fields.Integer()
    pending_likes_added = fields.Integer()
    x_lists_added = fields.Integer()
    x_lists_updated = fields.Integer()


# ---- X sync ------------------------------------------------------------------------------------


class SyncStartSchema(InputSchema):
    list = fields.String(
        validate=validate.Regexp(SLUG_RE, error="Not a list slug."),
        metadata={"description": "Sync only this list (it must be linked to an X list)."},
    )
    dry_run = fields.Boolean(
        load_default=False,
        metadata={"description": "Plan only: read what the plan needs, write nothing."},
    )
    full = fields.Boolean(
        load_default=False,
        metadata={"description": "Re-read everything, even what looks unchanged."},
    )


class SyncRunsQuerySchema(InputSchema):
    kind = fields.String(validate=validate.OneOf(("x-sync", "x-resolve", "archive")))
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class SyncProgressSchema(Schema):
    step = fields.String()
    done = fields.Integer()
    total = fields.Integer(allow_none=True)


class SyncRunSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    scope = fields.String()
    dry_run = fields.Boolean()
    status = fields.String(metadata={"description": "running, done, partial or failed"})
    started_at = UTCDateTime()
    finished_at = UTCDateTime(allow_none=True)
    requests = fields.Integer(metadata={"description": "X API requests made"})
    progress = fields.Nested(SyncProgressSchema)
    summary = fields.Dict(metadata={"description": "What the run did (see docs/x-sync.md)."})
    error = fields.String()


class SyncedListSchema(Schema):
    slug = fields.String()
    name = fields.String()
    x_list_id = fields.String(allow_none=True)
    x_owned = fields.Boolean(allow_none=True)
    x_synced_at = UTCDateTime(allow_none=True)
    x_member_count = fields.Integer(allow_none=True)


class SyncStatusSchema(Schema):
    connected = fields.Boolean()
    credentials = fields.String(
        allow_none=True, metadata={"description": "login, environment or app (app-only token)"}
    )
    can_write = fields.Boolean()
    problem = fields.String(allow_none=True)
    running = fields.Nested(SyncRunSchema, allow_none=True)
    last = fields.Nested(SyncRunSchema, allow_none=True)
    lists = fields.List(fields.Nested(SyncedListSchema))


def flat_messages(messages: Any, path: str = "") -> dict[str, list[str]]:
    """Marshmallow's nested error messages as {"people.3.interactions.0.kind": [...]}.

    A schema-level error (`_schema`) is reported under the path of the object it is about.
    """
    found: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
            inner = path if key == "_schema" else f"{path}.{name}" if path else name
            for name, texts in flat_messages(value, inner).items():
                found.setdefault(name, []).extend(texts)
    elif isinstance(messages, list | tuple):
        for item in messages:
            if isinstance(item, dict | list | tuple):
                for name, texts in flat_messages(item, path).items():
                    found.setdefault(name, []).extend(texts)
            else:
                found.setdefault(path or "_schema", []).append(str(item))
    else:
        found.setdefault(path or "_schema", []).append(str(messages))
    return found
