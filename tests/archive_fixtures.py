"""Synthetic X data archives in the real file format (../shared/x-archive-format.md): a `data/`
folder of `window.YTD.<name>.partN = [...]` files with a manifest, as a folder or a zip. No real
person's data: every account, post and message here is made up. The benchmark reuses
`generated_archive`."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

OWN_ID = "1000000000000000001"
OWN_HANDLE = "me_myself"
BIG = 1_500_000_000_000_000_000  # ids beyond 2**53, as X's are


def x_time(at: datetime) -> str:
    """X's tweet time format: "Wed Oct 10 20:19:24 +0000 2018"."""
    return at.strftime("%a %b %d %H:%M:%S +0000 %Y")


def dm_time(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def tweet(
    tweet_id: str,
    at: datetime,
    *,
    text: str = "Hello",
    reply_to: tuple[str, str, str] | None = None,
    mentions: list[tuple[str, str]] = (),
) -> dict[str, Any]:
    """One tweets.js record; `reply_to` is (user id, handle, status id); mentions (id, handle)."""
    return {
        "tweet": {
            "edit_info": {"initial": {"editTweetIds": [tweet_id], "editableUntil": "x"}},
            "retweeted": False,
            "source": '<a href="https://mobile.twitter.com">Twitter Web App</a>',
            "entities": {
                "hashtags": [],
                "symbols": [],
                "user_mentions": [
                    {
                        "name": handle.title(),
                        "screen_name": handle,
                        "indices": ["0", str(len(handle) + 1)],
                        "id_str": user_id,
                        "id": user_id,
                    }
                    for user_id, handle in mentions
                ],
                "urls": [],
            },
            "display_text_range": ["0", str(len(text))],
            "favorite_count": "3",
            "id_str": tweet_id,
            "truncated": False,
            "retweet_count": "0",
            "id": tweet_id,
            "created_at": x_time(at),
            "favorited": False,
            "full_text": text,
            "lang": "en",
            **(
                {
                    "in_reply_to_status_id_str": reply_to[2],
                    "in_reply_to_status_id": reply_to[2],
                    "in_reply_to_user_id": reply_to[0],
                    "in_reply_to_user_id_str": reply_to[0],
                    "in_reply_to_screen_name": reply_to[1],
                }
                if reply_to
                else {}
            ),
        }
    }


def message(message_id: str, sender: str, recipient: str | None, at: datetime) -> dict[str, Any]:
    create: dict[str, Any] = {
        "reactions": [],
        "urls": [],
        "text": "a private message",
        "mediaUrls": [],
        "senderId": sender,
        "id": message_id,
        "createdAt": dm_time(at),
    }
    if recipient is not None:
        create["recipientId"] = recipient
    return {"messageCreate": create}


def conversation(partner: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    low, high = sorted((OWN_ID, partner), key=int)
    return {"dmConversation": {"conversationId": f"{low}-{high}", "messages": messages}}


def follow(kind: str, account_id: str) -> dict[str, Any]:
    return {
        kind: {
            "accountId": account_id,
            "userLink": f"https://twitter.com/intent/user?user_id={account_id}",
        }
    }


def like(tweet_id: str, text: str = "A post I liked", url: str | None = None) -> dict[str, Any]:
    """One like.js record (no author, no date); `url` defaults to the i/web link X gives."""
    if url is None:
        url = f"https://twitter.com/i/web/status/{tweet_id}"
    return {"like": {"tweetId": tweet_id, "fullText": text, "expandedUrl": url}}


def list_info(list_id: str) -> dict[str, Any]:
    """One lists-created.js / lists-member.js / lists-subscribed.js record."""
    return {"userListInfo": {"url": f"https://twitter.com/i/lists/{list_id}"}}


def _js(global_name: str, records: list[Any]) -> str:
    return f"{global_name} = {json.dumps(records, indent=2)}"


def write_archive(
    folder: Path,
    *,
    tweets: list[dict[str, Any]] = (),
    tweet_parts: int = 1,
    tweets_name: str = "tweets",
    dms: list[dict[str, Any]] = (),
    group_dms: list[dict[str, Any]] = (),
    following: list[str] = (),
    followers: list[str] = (),
    likes: list[dict[str, Any]] = (),
    lists_created: list[str] = (),
    lists_member: list[str] = (),
    lists_subscribed: list[str] = (),
    manifest: bool = True,
    as_zip: bool = False,
) -> Path:
    """Write an archive under `folder` (its `data/` folder), or a zip of it next to it; returns
    the path to give `rapport import-archive`."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    types: dict[str, list[tuple[str, str, int]]] = {}

    def put(data_type: str, file: str, global_name: str, records: list[Any]) -> None:
        (data / file).write_text(_js(global_name, records), encoding="utf-8")
        types.setdefault(data_type, []).append((f"data/{file}", global_name, len(records)))

    put(
        "account",
        "account.js",
        "window.YTD.account.part0",
        [
            {
                "account": {
                    "email": "me@example.invalid",
                    "createdVia": "web",
                    "username": OWN_HANDLE,
                    "accountId": OWN_ID,
                    "createdAt": "2012-03-01T10:00:00.000Z",
                    "accountDisplayName": "Me Myself",
                }
            }
        ],
    )
    tweets = list(tweets)
    if tweet_parts <= 1:
        put("tweets", f"{tweets_name}.js", f"window.YTD.{tweets_name}.part0", tweets)
    else:
        size = -(-len(tweets) // tweet_parts) or 1
        for n in range(tweet_parts):
            part = tweets[n * size : (n + 1) * size]
            put(
                "tweets", f"{tweets_name}-part{n + 1}.js", f"window.YTD.{tweets_name}.part{n}", part
            )
    put("directMessages", "direct-messages.js", "window.YTD.direct_messages.part0", list(dms))
    if group_dms:
        put(
            "directMessagesGroup",
            "direct-messages-group.js",
            "window.YTD.direct_messages_group.part0",
            list(group_dms),
        )
    put(
        "following",
        "following.js",
        "window.YTD.following.part0",
        [follow("following", i) for i in following],
    )
    put(
        "follower",
        "follower.js",
        "window.YTD.follower.part0",
        [follow("follower", i) for i in followers],
    )
    put("like", "like.js", "window.YTD.like.part0", list(likes))
    for data_type, stem, ids in (
        ("listsCreated", "lists-created", lists_created),
        ("listsMember", "lists-member", lists_member),
        ("listsSubscribed", "lists-subscribed", lists_subscribed),
    ):
        put(
            data_type,
            f"{stem}.js",
            f"window.YTD.{stem.replace('-', '_')}.part0",
            [list_info(i) for i in ids],
        )
    if manifest:
        config = {
            "userInfo": {"accountId": OWN_ID, "userName": OWN_HANDLE, "displayName": "Me Myself"},
            "archiveInfo": {"sizeBytes": "1000", "generationDate": "2025-12-01T10:00:00.000Z"},
            "dataTypes": {
                name: {
                    "files": [
                        {"fileName": file, "globalName": global_name, "count": str(count)}
                        for file, global_name, count in files
                    ]
                }
                for name, files in types.items()
            },
        }
        (data / "manifest.js").write_text(
            f"window.__THAR_CONFIG = {json.dumps(config, indent=2)}", encoding="utf-8"
        )
    if not as_zip:
        return folder
    target = folder.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for file in sorted(data.rglob("*")):
            bundle.write(file, file.relative_to(folder).as_posix())
    return target


def account(n: int) -> tuple[str, str]:
    """A made-up account: (id beyond 2**53, handle)."""
    return str(BIG + n), f"user_{n}"


def generated_archive(
    folder: Path,
    *,
    tweets: int,
    dms: int,
    following: int,
    followers: int = 0,
    likes: int = 0,
    lists: int = 0,
    people: int = 5_000,
    tweet_parts: int = 3,
    as_zip: bool = True,
) -> Path:
    """A large archive for the benchmark: `tweets` posts (a third replies, a third with a mention),
    `dms` messages over a few hundred conversations, `following` and `followers` ids, `likes`
    liked posts, and `lists` lists of each kind (created, member of, followed)."""
    start = datetime(2015, 1, 1, tzinfo=UTC)
    records = []
    for n in range(tweets):
        at = start + timedelta(minutes=37 * n)
        who = account(n % people)
        if n % 3 == 0:
            records.append(
                tweet(str(BIG + 10**9 + n), at, reply_to=(*who, str(BIG + 2 * 10**9 + n)))
            )
        elif n % 3 == 1:
            records.append(tweet(str(BIG + 10**9 + n), at, mentions=[who]))
        else:
            records.append(tweet(str(BIG + 10**9 + n), at))
    conversations: dict[str, list[dict[str, Any]]] = {}
    for n in range(dms):
        partner = account(n % 300)[0]
        at = start + timedelta(hours=5 * n)
        sender, recipient = (OWN_ID, partner) if n % 2 else (partner, OWN_ID)
        conversations.setdefault(partner, []).append(
            message(str(BIG + 3 * 10**9 + n), sender, recipient, at)
        )
    return write_archive(
        folder,
        tweets=records,
        tweet_parts=tweet_parts,
        dms=[conversation(p, m) for p, m in conversations.items()],
        following=[account(people + n)[0] for n in range(following)],
        followers=[account(n)[0] for n in range(followers)],
        likes=[
            like(str(BIG + 4 * 10**9 + n), f"Liked post {n}: " + "a thought worth keeping. " * 5)
            for n in range(likes)
        ],
        lists_created=[str(BIG + 5 * 10**9 + n) for n in range(lists)],
        lists_member=[str(BIG + 6 * 10**9 + n) for n in range(lists)],
        lists_subscribed=[str(BIG + 7 * 10**9 + n) for n in range(lists)],
        as_zip=as_zip,
    )


def upload_archive(folder: Path) -> Path:
    """A small real-format archive zip, as the dashboard's upload takes: a reply to user_1
    naming user_2, two DMs with user_5, user_6 followed and user_7 a follower."""
    A, B, E, F, G = (account(n) for n in (1, 2, 5, 6, 7))
    at = datetime(2024, 3, 4, 5, 6, 7, tzinfo=UTC)
    return write_archive(
        folder,
        tweets=[
            tweet(
                "1800000000000000001",
                at,
                text="@user_1 @user_2 agreed",
                reply_to=(A[0], A[1], "1700000000000000001"),
                mentions=[A, B],
            )
        ],
        dms=[
            conversation(
                E[0],
                [
                    message("900001", E[0], OWN_ID, at),
                    message("900002", OWN_ID, E[0], at),
                ],
            )
        ],
        following=[F[0]],
        followers=[G[0]],
        as_zip=True,
    )
