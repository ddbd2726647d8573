"""Peewee models: people, their stages, notes, tags, lists and contact history.

A person is keyed by their X user id when it is known; the handle is a case-insensitive alias that
may change (earlier handles are kept in `PersonHandle`). All times are naive UTC datetimes.
The table layout here must match what the numbered migrations in `rapport.migrations` build.
"""

from __future__ import annotations

from datetime import UTC, datetime

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from .db import database

INTERACTION_KINDS: tuple[str, ...] = (
    "like",
    "retweet",
    "quote",
    "reply",
    "mention",
    "follow",
    "dm",
    "question_answered",
    "question_asked",
    "thanks",
    "chat",
    "call",
    "meeting",
    "referral",
    "other",
)
DIRECTIONS: tuple[str, ...] = ("outbound", "inbound")
INTERACTION_SOURCES: tuple[str, ...] = ("manual", "extension", "x_api", "archive")
STAGE_CHANGE_SOURCES: tuple[str, ...] = (
    "manual",
    "extension",
    "rule",
    "import",
    "x_api",
    "archive",
)


# A person's fields as seen on their X profile; the text ones are "" rather than null when unknown.
PROFILE_FIELDS: tuple[str, ...] = (
    "display_name",
    "bio",
    "followers_count",
    "following_count",
    "follows_you",
    "you_follow",
    "avatar_url",
)
TEXT_PROFILE_FIELDS: frozenset[str] = frozenset(("display_name", "bio", "avatar_url"))
# Clean-up flags the user sets.
FLAG_FIELDS: tuple[str, ...] = ("sells_followers", "never_posts", "no_follow_back")


def utcnow() -> datetime:
    """The current time as a naive UTC datetime (how every time is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Stage(BaseModel):
    """A step of the relationship pipeline; `position` orders them."""

    slug = CharField(primary_key=True, max_length=40)
    name = CharField(max_length=80)
    position = IntegerField(index=True)
    description = TextField(default="")
    next_step = TextField(default="")


class Person(BaseModel):
    """Someone on X the user keeps track of."""

    x_id = CharField(null=True, unique=True, max_length=25)
    handle = CharField(null=True, unique=True, collation="NOCASE", max_length=15)
    display_name = CharField(default="", max_length=200)
    bio = TextField(default="")
    followers_count = IntegerField(null=True, index=True)
    following_count = IntegerField(null=True)
    follows_you = BooleanField(null=True)
    you_follow = BooleanField(null=True)
    avatar_url = TextField(default="")
    stage = ForeignKeyField(
        Stage,
        field="slug",
        column_name="stage",
        default="stranger",
        on_update="CASCADE",
        backref="people",
        index=False,  # see Meta.indexes: (stage, last_interaction_at, followers_count)
    )
    sells_followers = BooleanField(default=False)
    never_posts = BooleanField(default=False)
    no_follow_back = BooleanField(default=False)
    last_interaction_at = DateTimeField(null=True, index=True)
    last_interaction_kind = CharField(null=True, max_length=32)
    # Kept up to date on every write, like the last interaction (see services/interactions.py).
    last_outbound_at = DateTimeField(null=True)
    # When they were first seen following the user (null while they do not).
    follows_you_since = DateTimeField(null=True)
    # The newest post of theirs the extension saw on screen.
    last_post_seen_at = DateTimeField(null=True)
    # The stage their contact history suggests (services/stage_rules.py), kept up to date on
    # every change to their history, follow status or stage; and the last one dismissed.
    suggested_stage = CharField(null=True, max_length=40)
    suggestion_reason = TextField(null=True)
    suggestion_at = DateTimeField(null=True, index=True)
    dismissed_stage = CharField(null=True, max_length=40)
    dismissed_at = DateTimeField(null=True)
    first_seen = DateTimeField(default=utcnow)
    last_seen = DateTimeField(default=utcnow)
    created_at = DateTimeField(default=utcnow, index=True)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            # The people list by stage (with a tier or inactivity too), counted from the index
            # alone and paged in its default order (latest contact first) straight from it.
            (("stage", "last_interaction_at", "followers_count"), False),
        )


class PersonHandle(BaseModel):
    """A handle a person used before a rename."""

    person = ForeignKeyField(Person, backref="earlier_handles", on_delete="CASCADE", index=False)
    handle = CharField(collation="NOCASE", max_length=15, index=True)
    replaced_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "earlier_handle"
        indexes = ((("person", "handle"), True),)


class StageChange(BaseModel):
    """One move of a person from a stage to another, with when and why."""

    person = ForeignKeyField(Person, backref="stage_changes", on_delete="CASCADE", index=False)
    from_stage = CharField(null=True, max_length=40)
    to_stage = CharField(max_length=40)
    changed_at = DateTimeField(default=utcnow)
    cause = TextField(default="")
    source = CharField(default="manual", max_length=16)

    class Meta:
        indexes = ((("person", "changed_at"), False),)


class Note(BaseModel):
    person = ForeignKeyField(Person, backref="notes", on_delete="CASCADE", index=False)
    body = TextField()
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("person", "created_at"), False),)


class Tag(BaseModel):
    name = CharField(unique=True, collation="NOCASE", max_length=50)


class PersonTag(BaseModel):
    person = ForeignKeyField(Person, backref="person_tags", on_delete="CASCADE", index=False)
    tag = ForeignKeyField(Tag, backref="person_tags", on_delete="CASCADE", index=False)

    class Meta:
        # (tag, person): the people with a tag, read from the index alone.
        indexes = ((("person", "tag"), True), (("tag", "person"), False))


class PersonList(BaseModel):
    """A curated or automatic list of people, optionally linked to an X list."""

    slug = CharField(unique=True, max_length=60)
    name = CharField(max_length=100)
    description = TextField(default="")
    automatic = BooleanField(default=False)
    builtin = BooleanField(default=False)
    x_list_id = CharField(null=True, unique=True, max_length=25)
    # Whether the user owns the linked X list (only owned lists are pushed to X), when it was last
    # synced and how many members X counted then.
    x_owned = BooleanField(null=True)
    x_synced_at = DateTimeField(null=True)
    x_member_count = IntegerField(null=True)
    cadence_days = IntegerField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "list"


class ListMember(BaseModel):
    list = ForeignKeyField(PersonList, backref="members", on_delete="CASCADE", index=False)
    person = ForeignKeyField(Person, backref="memberships", on_delete="CASCADE")
    added_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("list", "person"), True),)


class Interaction(BaseModel):
    """One event of the contact history, outbound (the user did it) or inbound (they did)."""

    person = ForeignKeyField(Person, backref="interactions", on_delete="CASCADE", index=False)
    kind = CharField(max_length=32)
    direction = CharField(max_length=8)
    happened_at = DateTimeField(default=utcnow)
    tweet_url = TextField(default="")
    text = TextField(default="")
    source = CharField(default="manual", max_length=16)
    dedupe_key = CharField(max_length=200)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            # Direction too, so a person's balance over a time range is read from the index.
            (("person", "happened_at", "direction"), False),
            (("person", "dedupe_key"), True),
            # The stage rules read each person's latest event of each kind and direction.
            (("person", "kind", "direction", "happened_at"), False),
            # The Insights page counts each week's interactions of each direction. Time first:
            # (direction, happened_at) would tempt SQLite into it for one person's lookups.
            (("happened_at", "direction"), False),
        )


class StoredSetting(BaseModel):
    """One of the user's preferences kept in the database (see services/settings.py), as JSON."""

    key = CharField(primary_key=True, max_length=40)
    value = TextField()

    class Meta:
        table_name = "setting"


class FollowUp(BaseModel):
    """The follow-up rhythm's state for one person: snoozed until when, last marked done when."""

    person = ForeignKeyField(Person, backref="followup", on_delete="CASCADE", unique=True)
    snoozed_until = DateTimeField(null=True)
    done_at = DateTimeField(null=True)

    class Meta:
        table_name = "followup"


class XListSnapshot(BaseModel):
    """One X account on a linked list at its last sync: the base of the three-way merge."""

    list = ForeignKeyField(PersonList, backref="x_snapshot", on_delete="CASCADE", index=False)
    x_user_id = CharField(max_length=25)

    class Meta:
        table_name = "x_list_snapshot"
        indexes = ((("list", "x_user_id"), True),)


class XListRef(BaseModel):
    """An X list the archive names (`created` by the user, or `member-of`), by URL only."""

    x_list_id = CharField(primary_key=True, max_length=25)
    url = TextField()
    relation = CharField(max_length=16)
    recorded_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "x_list_ref"


class PendingLike(BaseModel):
    """A post the user liked (from the archive) whose author is not known yet."""

    tweet_id = CharField(primary_key=True, max_length=25)
    text = TextField(default="")
    url = TextField(default="")
    recorded_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "pending_like"


class SyncState(BaseModel):
    """A named value a sync resumes from (a since_id, a page token, a count last seen)."""

    key = CharField(primary_key=True, max_length=80)
    value = TextField()

    class Meta:
        table_name = "sync_state"


class SyncRun(BaseModel):
    """One entry of the sync log: an X sync, a handle resolution or an archive import."""

    kind = CharField(max_length=20)
    scope = CharField(default="", max_length=100)
    dry_run = BooleanField(default=False)
    status = CharField(default="running", max_length=16)
    started_at = DateTimeField(default=utcnow, index=True)
    finished_at = DateTimeField(null=True)
    requests = IntegerField(default=0)
    progress = TextField(default="{}")  # JSON: {"step": ..., "done": n, "total": n}
    summary = TextField(default="{}")  # JSON: what changed, by name
    error = TextField(default="")

    class Meta:
        table_name = "sync_run"


MODELS: tuple[type[BaseModel], ...] = (
    Stage,
    Person,
    PersonHandle,
    StageChange,
    Note,
    Tag,
    PersonTag,
    PersonList,
    ListMember,
    Interaction,
    StoredSetting,
    FollowUp,
    XListSnapshot,
    XListRef,
    PendingLike,
    SyncState,
    SyncRun,
)
