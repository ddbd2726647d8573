"""Importing the X data archive: a small generated archive in the real file format (zip and folder,
manifest, tweets split into parts, `window.YTD` wrappers) becomes the right people, interactions
and follow flags; re-importing adds nothing; a damaged file imports nothing; and the
`rapport import-archive` command prints the summary."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from rapport.cli import main
from rapport.db import database
from rapport.models import Interaction, Person, StageChange
from rapport.services import interactions
from rapport.x.archive_import import import_archive, tweet_time
from rapport.x.archive_reader import Archive, ArchiveError

from .archive_fixtures import (
    OWN_HANDLE,
    OWN_ID,
    account,
    conversation,
    message,
    tweet,
    write_archive,
)
from .helpers import add_person

A, B, C, D, E, F, G, H, J = (account(n) for n in range(1, 10))
PARENT = "1700000000000000001"
REPLY_ID = "1800000000000000001"
T2018 = datetime(2018, 10, 10, 20, 19, 24, tzinfo=UTC)


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
        **options,
    )


def history(x_id: str) -> list[tuple]:
    person = Person.get(Person.x_id == x_id)
    return sorted(
        (i.kind, i.direction, i.happened_at, i.dedupe_key, i.source, i.text)
        for i in Interaction.select().where(Interaction.person == person)
    )


def counts() -> tuple[int, int, int]:
    return Person.select().count(), Interaction.select().count(), StageChange.select().count()


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


def test_not_an_archive(app, tmp_path):
    with pytest.raises(ArchiveError, match="does not exist"):
        import_archive(tmp_path / "missing.zip")
    (tmp_path / "junk.zip").write_text("not a zip")
    with pytest.raises(ArchiveError, match="not a zip file"):
        import_archive(tmp_path / "junk.zip")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ArchiveError, match="not an X data archive"):
        import_archive(tmp_path / "empty")


def test_reader_strips_wrappers_and_orders_parts(tmp_path):
    path = small_archive(tmp_path / "archive", tweet_parts=3, as_zip=True)
    with Archive(path) as archive:
        assert archive.files("tweets") == [f"data/tweets-part{n}.js" for n in (1, 2, 3)]
        ids = [record["id_str"] for _, _, record in archive.records("tweets", "tweet")]
        assert ids == [f"180000000000000000{n}" for n in (1, 2, 3, 4)]
        assert archive.files("lists-member") == []


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
    again = CliRunner().invoke(main, ["import-archive", str(path)])
    assert again.exit_code == 0
    assert again.output.split()[-3:] == ["interactions", "added", "0"]


def test_cli_refuses_a_missing_or_damaged_archive(cli_home, tmp_path):
    result = CliRunner().invoke(main, ["import-archive", str(tmp_path / "nope.zip")])
    assert result.exit_code == 1
    assert "does not exist" in result.output and "Nothing was imported" in result.output
    folder = small_archive(tmp_path / "archive")
    (folder / "data" / "account.js").write_text("window.YTD.account.part0 = [", encoding="utf-8")
    result = CliRunner().invoke(main, ["import-archive", str(folder)])
    assert result.exit_code == 1
    assert "data/account.js is damaged" in result.output
