"""Importing the X data archive: a small generated archive in the real file format (zip and folder,
manifest, tweets split into parts, `window.YTD` wrappers) becomes the right people, interactions,
follow flags, pending likes and X lists; re-importing adds nothing; a damaged file imports
nothing; the import reports its progress; pending likes are attributed to their authors once known
(or captured by the extension); and the `rapport import-archive` command prints the summary."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from rapport.cli import main
from rapport.db import database
from rapport.models import (
    Interaction,
    ListMember,
    PendingLike,
    Person,
    PersonList,
    StageChange,
    SyncRun,
    XListRef,
)
from rapport.services import interactions, pending_likes
from rapport.services.pending_likes import LikeAuthor
from rapport.x.archive_import import import_archive, tweet_time
from rapport.x.archive_reader import Archive, ArchiveError

from .archive_fixtures import (
    OWN_HANDLE,
    OWN_ID,
    account,
    conversation,
    like,
    message,
    tweet,
    write_archive,
)
from .helpers import add_person

A, B, C, D, E, F, G, H, J = (account(n) for n in range(1, 10))
PARENT = "1700000000000000001"
REPLY_ID = "1800000000000000001"
T2018 = datetime(2018, 10, 10, 20, 19, 24, tzinfo=UTC)
# Liked posts: one with X's usual link, one with a link elsewhere (not kept), one of the user's own.
LIKED, ELSEWHERE, OWN_POST = "1900000000000000001", "1900000000000000002", "1900000000000000003"
CREATED, MEMBER, FOLLOWED = "1600000000000000001", "1600000000000000002", "1600000000000000003"


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def small_archive(folder: Path, **options) -> Path:
    """The scenario every test uses."""
    tweets = [
        # A reply to A that also names B and the user themself.
        tweet(
            REPLY_ID,
            T2018,
            text="@user_1 @user_2 @me_myself yes",
            reply_to=(A[0], A[1], PARENT),
            mentions=[A, B, (OWN_ID, OWN_HANDLE)],
        ),
        # A thread reply to the user's own post naming C: a mention of C, no reply to anyone.
        tweet(
            "1800000000000000002",
            at(2020, 1, 2, 3, 4, 5),
            text="and @user_3 too",
            reply_to=(OWN_ID, OWN_HANDLE, REPLY_ID),
            mentions=[C],
        ),
        # A repost of D's post.
        tweet(
            "1800000000000000003", at(2021, 5, 6, 7, 8, 9), text="RT @user_4: nice", mentions=[D]
        ),
        # A plain post.
        tweet("1800000000000000004", at(2022, 1, 1, 0, 0, 0), text="just me"),
    ]
    dms = [
        conversation(
            E[0],
            [
                message("900001", E[0], OWN_ID, at(2019, 1, 5, 10, 0, 0)),
                message("900002", OWN_ID, E[0], at(2019, 1, 5, 11, 0, 0)),
            ],
        )
    ]
    group = [
        {
            "dmConversation": {
                "conversationId": "1500000000000000099",
                "messages": [
                    {
                        "joinConversation": {
                            "initiatingUserId": F[0],
                            "participantsSnapshot": [OWN_ID, F[0], G[0]],
                            "createdAt": "2019-02-01T09:00:00.000Z",
                        }
                    },
                    message("900003", F[0], None, at(2019, 2, 1, 10, 0, 0)),
                    message("900004", OWN_ID, None, at(2019, 2, 1, 11, 0, 0)),
                ],
            }
        }
    ]
    return write_archive(
        folder,
        tweets=tweets,
        dms=dms,
        group_dms=group,
        following=[A[0], H[0], OWN_ID],
        followers=[E[0], J[0]],
        likes=[
            like(LIKED, "A post worth liking ☕"),
            like(ELSEWHERE, "Elsewhere", url="http://example.com/1"),
            like(OWN_POST, "My own post"),
            like(LIKED, "A post worth liking ☕"),  # X repeats a like now and then
        ],
        lists_created=[CREATED],
        lists_member=[MEMBER, CREATED],  # the user is on their own list, too
        lists_subscribed=[FOLLOWED],
        **options,
    )


def history(x_id: str) -> list[tuple]:
    person = Person.get(Person.x_id == x_id)
    return sorted(
        (i.kind, i.direction, i.happened_at, i.dedupe_key, i.source, i.text)
        for i in Interaction.select().where(Interaction.person == person)
    )


def counts() -> tuple[int, ...]:
    models = (Person, Interaction, StageChange, PendingLike, XListRef, PersonList, ListMember)
    return tuple(model.select().count() for model in models)


@pytest.mark.parametrize(
    "options",
    [
        {"as_zip": True, "tweet_parts": 2},
        {"as_zip": False, "tweet_parts": 1, "tweets_name": "tweet"},
        {"as_zip": True, "tweet_parts": 3, "manifest": False},
    ],
    ids=["zip-parts", "folder-tweet.js", "no-manifest"],
)
def test_archive_becomes_history_people_and_flags(app, tmp_path, options):
    path = small_archive(tmp_path / "archive", **options)
    summary = import_archive(path)
    assert summary == {
        "people_created": 9,
        "people_updated": 0,
        "reply_added": 1,
        "retweet_added": 1,
        "mention_added": 2,
        "dm_added": 5,
        "you_follow_set": 2,
        "follows_you_set": 2,
        "interactions_added": 9,
        "pending_likes_added": 3,
        "lists_recorded": 3,
        "lists_created": 1,
    }
    naive = T2018.replace(tzinfo=None)
    assert history(A[0]) == [
        ("reply", "outbound", naive, f"tweet:{PARENT}:reply:outbound", "archive", "")
    ]
    assert history(B[0]) == [
        ("mention", "outbound", naive, f"tweet:{REPLY_ID}:mention:outbound", "archive", "")
    ]
    assert [row[:2] for row in history(C[0])] == [("mention", "outbound")]
    assert history(D[0])[0][:3] == ("retweet", "outbound", datetime(2021, 5, 6, 7, 8, 9))
    assert history(E[0]) == [
        ("dm", "inbound", datetime(2019, 1, 5, 10), "dm:900001:inbound", "archive", ""),
        ("dm", "outbound", datetime(2019, 1, 5, 11), "dm:900002:outbound", "archive", ""),
    ]
    assert [row[:2] for row in history(F[0])] == [("dm", "inbound"), ("dm", "outbound")]
    assert [row[:2] for row in history(G[0])] == [("dm", "outbound")]
    # The user is never a person of their own.
    assert not Person.select().where(Person.x_id == OWN_ID).exists()
    a = Person.get(Person.x_id == A[0])
    assert (a.handle, a.you_follow, a.follows_you) == ("user_1", True, None)
    assert a.last_interaction_at == naive and a.last_interaction_kind == "reply"
    assert a.last_outbound_at == naive
    h = Person.get(Person.x_id == H[0])
    assert (h.handle, h.you_follow) == (None, True)  # known by id only
    i = Person.get(Person.x_id == J[0])
    assert i.follows_you is True and i.follows_you_since is not None
    assert Person.get(Person.x_id == E[0]).handle is None
    assert Person.get(Person.x_id == D[0]).handle == "user_4"
    started = StageChange.select().where(StageChange.source == "archive")
    assert started.count() == 9
    # Suggestions were brought up to date: a DM conversation both ways is evidence.
    assert Person.get(Person.x_id == E[0]).suggested_stage is not None

    before = counts()
    again = import_archive(path)
    assert set(again.values()) == {0}
    assert counts() == before


def test_existing_people_are_matched_not_doubled(app, client, tmp_path):
    add_person(client, "user_1")  # tracked by handle before the id was known
    other = add_person(client, "user_2", x_id="42")  # the handle now belongs to another account
    known, _ = Person.get_or_create(x_id=E[0], defaults={"handle": None})
    with database.atomic():
        interactions.record(
            Person.get(Person.handle == "user_1"),
            {
                "kind": "reply",
                "direction": "outbound",
                "tweet_url": f"https://x.com/user_1/status/{PARENT}",
                "source": "extension",
                "happened_at": T2018.replace(tzinfo=None),
            },
        )
    summary = import_archive(small_archive(tmp_path / "archive"))
    assert summary["people_created"] == 7  # B..J but E
    assert summary["reply_added"] == 0  # the extension had recorded that reply already
    user_1 = Person.get(Person.handle == "user_1")
    assert user_1.x_id == A[0] and user_1.you_follow is True
    assert Person.get(Person.x_id == "42").handle == other["handle"]
    assert Person.get(Person.x_id == B[0]).handle is None  # the archive's handle is taken
    assert Person.get(Person.x_id == E[0]).id == known.id
    assert summary["people_updated"] == 2  # user_1 got an id (and a flag), E a flag


def test_a_damaged_file_imports_nothing(app, tmp_path):
    folder = small_archive(tmp_path / "archive", tweet_parts=2)
    (folder / "data" / "tweets-part2.js").write_text(
        'window.YTD.tweets.part1 = [ {"tweet": {"id_str": "1",', encoding="utf-8"
    )
    before = counts()
    with pytest.raises(ArchiveError, match=r"data/tweets-part2\.js is damaged"):
        import_archive(folder)
    assert counts() == before


def test_a_bad_record_is_named(app, tmp_path):
    folder = small_archive(tmp_path / "archive")
    (folder / "data" / "follower.js").write_text(
        'window.YTD.follower.part0 = [{"follower": {"accountId": "abc"}}]', encoding="utf-8"
    )
    with pytest.raises(ArchiveError, match=r"data/follower\.js is damaged: record 0"):
        import_archive(folder)
    assert counts()[1] == 0


@pytest.mark.parametrize(
    ("file", "records", "expected"),
    [
        (
            "like.js",
            '[{"like": {"tweetId": "1", "fullText": "ok"}}, {"like": {"fullText": "no id"}}]',
            r"data/like\.js is damaged: record 1 has no valid tweetId",
        ),
        (
            "like.js",
            '[{"like": {"tweetId": 12.5}}]',
            r"data/like\.js is damaged: record 0 has no valid tweetId",
        ),
        ("like.js", '[{"tweetId": "1"}]', r"data/like\.js is damaged: record 0 is not a"),
        (
            "lists-member.js",
            '[{"userListInfo": {"url": "https://twitter.com/i/lists/"}}]',
            r"data/lists-member\.js is damaged: record 0 has no valid list url",
        ),
    ],
    ids=["like-without-id", "like-id-not-a-string", "not-a-like", "list-without-id"],
)
def test_a_damaged_like_or_list_imports_nothing(app, tmp_path, file, records, expected):
    folder = small_archive(tmp_path / "archive")
    (folder / "data" / file).write_text(f"window.YTD.x.part0 = {records}", encoding="utf-8")
    before = counts()
    with pytest.raises(ArchiveError, match=expected):
        import_archive(folder)
    assert counts() == before


def test_not_an_archive(app, tmp_path):
    with pytest.raises(ArchiveError, match="does not exist"):
        import_archive(tmp_path / "missing.zip")
    (tmp_path / "junk.zip").write_text("not a zip")
    with pytest.raises(ArchiveError, match="not a zip file"):
        import_archive(tmp_path / "junk.zip")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ArchiveError, match="not an X data archive"):
        import_archive(tmp_path / "empty")


# ---- likes and lists ----------------------------------------------------------------------------


def pending() -> dict[str, tuple[str, str]]:
    return {like.tweet_id: (like.text, like.url) for like in PendingLike.select()}


def test_likes_wait_for_their_author(app, tmp_path):
    path = small_archive(tmp_path / "archive")
    import_archive(path)
    assert pending() == {
        LIKED: ("A post worth liking ☕", f"https://twitter.com/i/web/status/{LIKED}"),
        ELSEWHERE: ("Elsewhere", ""),  # only links to x.com or twitter.com are kept
        OWN_POST: ("My own post", f"https://twitter.com/i/web/status/{OWN_POST}"),
    }
    assert pending_likes.count() == 3
    assert pending_likes.pending_ids(2) == [OWN_POST, ELSEWHERE]  # newest post first
    assert not Interaction.select().where(Interaction.kind == "like").exists()


def test_a_like_already_recorded_is_not_pending(app, client, tmp_path):
    add_person(client, "user_1", x_id=A[0])
    capture = {"handle": "user_1", "kind": "like", "direction": "outbound", "tweet_id": LIKED}
    assert client.post("/api/captures", json=capture).status_code in (200, 201)
    assert import_archive(small_archive(tmp_path / "archive"))["pending_likes_added"] == 2
    assert LIKED not in pending()


def test_lists_are_recorded_and_created_ones_listed(app, client, tmp_path):
    path = small_archive(tmp_path / "archive")
    import_archive(path)
    refs = {ref.x_list_id: (ref.relation, ref.url) for ref in XListRef.select()}
    assert refs == {
        CREATED: ("created", f"https://twitter.com/i/lists/{CREATED}"),  # the strongest relation
        MEMBER: ("member-of", f"https://twitter.com/i/lists/{MEMBER}"),
        FOLLOWED: ("subscribed", f"https://twitter.com/i/lists/{FOLLOWED}"),
    }
    linked = [item for item in client.get("/api/lists").get_json() if item["x_list_id"]]
    assert [(item["slug"], item["name"], item["x_list_id"]) for item in linked] == [
        (f"x-list-{CREATED}", f"X list {CREATED}", CREATED)
    ]
    assert PersonList.get(PersonList.x_list_id == CREATED).x_owned is True
    # Deleted by the user, it is not made again by a second import.
    assert client.delete(f"/api/lists/x-list-{CREATED}").status_code in (200, 204)
    assert import_archive(path)["lists_created"] == 0
    assert not PersonList.select().where(PersonList.x_list_id == CREATED).exists()


def test_a_created_list_is_never_a_second_link(app, client, tmp_path):
    for body in (
        {"slug": "mine", "name": "Mine", "x_list_id": CREATED},  # linked by hand already
        {"slug": f"x-list-{MEMBER}", "name": "Taken slug"},
    ):
        assert client.post("/api/lists", json=body).status_code == 201
    path = small_archive(tmp_path / "archive")
    write_archive(path, lists_created=[CREATED, MEMBER])  # the user made both
    summary = import_archive(path)
    assert (summary["lists_recorded"], summary["lists_created"]) == (2, 1)
    mine = PersonList.get(PersonList.slug == "mine")
    assert (mine.x_list_id, mine.x_owned) == (CREATED, True)
    made = PersonList.get(PersonList.x_list_id == MEMBER)
    assert (made.slug, made.name) == (f"x-list-{MEMBER}-2", f"X list {MEMBER}")


# ---- attributing pending likes ------------------------------------------------------------------


def likes_of(x_id: str) -> list[tuple]:
    return [row for row in history(x_id) if row[0] == "like"]


def favorited() -> set[str]:
    query = (
        Person.select(Person.x_id)
        .join(ListMember)
        .join(PersonList)
        .where(PersonList.slug == "favorited")
    )
    return {x_id for (x_id,) in query.tuples()}


def test_attribute_records_the_like_and_fills_favorited(app, tmp_path):
    import_archive(small_archive(tmp_path / "archive"))
    before = counts()
    tweeted = datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)
    authors = {
        LIKED: LikeAuthor(A[0], "user_1", tweeted),  # known from the archive's replies
        ELSEWHERE: LikeAuthor("4242", "newcomer"),  # not tracked yet; dated by its post id
        OWN_POST: LikeAuthor(OWN_ID, OWN_HANDLE),  # the user's own post: no contact
        "1999999999999999999": LikeAuthor(B[0], "user_2"),  # never liked (or not pending)
    }
    summary = pending_likes.attribute(authors, own_id=OWN_ID)
    assert summary == {
        "likes_attributed": 2,
        "like_added": 2,
        "people_created": 1,
        "people_updated": 0,
        "favorited_added": 2,
        "own_likes_removed": 1,
    }
    assert likes_of(A[0]) == [
        (
            "like",
            "outbound",
            tweeted.replace(tzinfo=None),
            f"tweet:{LIKED}:like:outbound",  # the key the extension gives a like
            "archive",
            "A post worth liking ☕",
        )
    ]
    newcomer = Person.get(Person.x_id == "4242")
    assert (newcomer.handle, newcomer.stage_id) == ("newcomer", "stranger")
    [(_, _, when, *_)] = likes_of("4242")
    assert when == pending_likes.posted_at(ELSEWHERE) == datetime(2025, 3, 13, 1, 44, 34, 949000)
    assert newcomer.last_interaction_kind == "like" and newcomer.last_outbound_at == when
    assert Interaction.get(Interaction.dedupe_key == f"tweet:{LIKED}:like:outbound").tweet_url == (
        f"https://x.com/user_1/status/{LIKED}"
    )
    assert favorited() == {A[0], "4242"}
    assert pending() == {}
    assert counts()[:2] == (before[0] + 1, before[1] + 2)

    again = counts()
    assert set(pending_likes.attribute(authors, own_id=OWN_ID).values()) == {0}
    assert counts() == again
    # A later archive import does not bring the likes back (but for the user's own post, of
    # which no record is kept).
    assert import_archive(small_archive(tmp_path / "archive"))["pending_likes_added"] == 1
    assert set(pending()) == {OWN_POST}


def test_attribute_refuses_what_is_not_an_id(app, tmp_path):
    import_archive(small_archive(tmp_path / "archive"))
    with pytest.raises(ValueError, match="Not an X user id"):
        pending_likes.attribute({LIKED: LikeAuthor("@user_1", None)})
    with pytest.raises(ValueError, match="Not an X handle"):
        pending_likes.attribute({LIKED: LikeAuthor("1", "not a handle")})
    assert pending_likes.count() == 3


def test_discard_forgets_posts_that_are_gone(app, tmp_path):
    import_archive(small_archive(tmp_path / "archive"))
    assert pending_likes.discard([ELSEWHERE, "1"]) == 1
    assert set(pending()) == {LIKED, OWN_POST}


def test_an_extension_like_of_a_pending_post_is_no_longer_pending(app, client, tmp_path):
    import_archive(small_archive(tmp_path / "archive"))
    capture = {
        "handle": "user_1",
        "kind": "like",
        "direction": "outbound",
        "tweet_url": f"https://x.com/user_1/status/{LIKED}",
    }
    assert client.post("/api/captures", json=capture).status_code in (200, 201)
    assert set(pending()) == {ELSEWHERE, OWN_POST}
    assert favorited() == {A[0]}
    # An inbound like (someone liking the user's post) is another post.
    inbound = {**capture, "direction": "inbound", "tweet_id": ELSEWHERE}
    del inbound["tweet_url"]
    assert client.post("/api/captures", json=inbound).status_code in (200, 201)
    assert ELSEWHERE in pending()


# ---- progress -----------------------------------------------------------------------------------


def test_progress_is_reported_file_by_file(app, tmp_path):
    path = small_archive(tmp_path / "archive", as_zip=True, tweet_parts=2)
    calls: list[tuple[str, int, int]] = []
    import_archive(path, progress=lambda step, done, total: calls.append((step, done, total)))
    reading = [call for call in calls if call[0] != "writing"]
    steps = list(dict.fromkeys(step for step, _, _ in reading))
    assert steps == [
        "account",
        "tweets",
        "direct messages",
        "likes",
        "following",
        "followers",
        "lists",
    ]
    assert [step for step, _, _ in reading].count("tweets") == 2  # one call per file
    assert [step for step, _, _ in reading].count("lists") == 3
    done = [call[1] for call in reading]
    assert done[0] == 0 and done == sorted(done) and len(set(done)) == len(done)
    (total,) = {call[2] for call in reading}
    assert done[-1] < total
    with Archive(path) as archive:
        names = [
            name for data_type in ("like", "listsCreated") for name in archive.files(data_type)
        ]
        assert all(archive.size(name) > 0 for name in names)
    assert calls[-2:] == [("writing", 0, 1), ("writing", 1, 1)]


def test_reader_strips_wrappers_and_orders_parts(tmp_path):
    path = small_archive(tmp_path / "archive", tweet_parts=3, as_zip=True)
    with Archive(path) as archive:
        assert archive.files("tweets") == [f"data/tweets-part{n}.js" for n in (1, 2, 3)]
        ids = [record["id_str"] for _, _, record in archive.records("tweets", "tweet")]
        assert ids == [f"180000000000000000{n}" for n in (1, 2, 3, 4)]
        assert archive.files("listsMember") == ["data/lists-member.js"]
        assert archive.files("noSuchType") == []


def test_tweet_time_reads_x_format():
    assert tweet_time("Wed Oct 10 20:19:24 +0000 2018") == datetime(2018, 10, 10, 20, 19, 24)
    assert tweet_time("Wed Oct 10 22:19:24 +0200 2018") == datetime(2018, 10, 10, 20, 19, 24)


def test_cli_prints_the_summary(cli_home, tmp_path):
    path = small_archive(tmp_path / "archive", as_zip=True)
    result = CliRunner().invoke(main, ["import-archive", str(path)])
    assert result.exit_code == 0, result.output
    numbers = {
        name.strip(): int(value)
        for name, value in (line.rsplit(None, 1) for line in result.output.splitlines()[1:])
    }
    assert numbers["people created"] == 9 and numbers["dm added"] == 5
    assert numbers["reply added"] == 1 and numbers["you follow set"] == 2
    assert numbers["pending likes added"] == 3
    assert (numbers["lists recorded"], numbers["lists created"]) == (3, 1)
    again = CliRunner().invoke(main, ["import-archive", str(path)])
    assert again.exit_code == 0
    assert again.output.split()[-3:] == ["lists", "created", "0"]
    assert sum(int(line.split()[-1]) for line in again.output.splitlines()[1:]) == 0
    logged = [json.loads(run.summary) for run in SyncRun.select().order_by(SyncRun.id)]
    assert [summary["people_created"] for summary in logged] == [9, 0]


def test_cli_refuses_a_missing_or_damaged_archive(cli_home, tmp_path):
    result = CliRunner().invoke(main, ["import-archive", str(tmp_path / "nope.zip")])
    assert result.exit_code == 1
    assert "does not exist" in result.output and "Nothing was imported" in result.output
    folder = small_archive(tmp_path / "archive")
    (folder / "data" / "account.js").write_text("window.YTD.account.part0 = [", encoding="utf-8")
    result = CliRunner().invoke(main, ["import-archive", str(folder)])
    assert result.exit_code == 1
    assert "data/account.js is damaged" in result.output
    # Both attempts are in the sync log with their errors.
    runs = [(run.kind, run.status, run.error) for run in SyncRun.select().order_by(SyncRun.id)]
    assert [run[:2] for run in runs] == [("archive", "failed")] * 2
    assert "data/account.js is damaged" in runs[1][2] and "Nothing was imported" in runs[1][2]
