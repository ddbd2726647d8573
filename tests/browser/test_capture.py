"""Automatic contact history in a real browser: the user's likes, reposts, quotes, replies and
follows on (fake) x.com are recorded once each for tracked people, undoing one removes it, people
not tracked are left alone unless the user asks otherwise, and the notifications pages record the
replies and mentions of tracked people. Scrolling past tweets records nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from . import xpages
from .harness import Api, ExtensionBrowser, items, open_profile, wait_until

ANNA = xpages.account("anna_tracked", name="Anna Tracked", followers=23_400)
BRUNO = xpages.account("bruno_tracked", name="Bruno Tracked", followers=12_000)
CARA = xpages.account("cara_stranger", name="Cara Stranger", followers=18_000)
DEV = xpages.account("dev_newcomer", name="Dev Newcomer", followers=15_500)
FINN = xpages.account("finn_follow", name="Finn Follow", followers=31_000)
RHEA = xpages.account("rhea_replies", name="Rhea Replies")
MILO = xpages.account("milo_mentions", name="Milo Mentions")
NOOR = xpages.account("noor_unknown", name="Noor Unknown")

LIKED = xpages.Tweet(status="1996000000000000001", author=ANNA, text="Ship small, ship often.")
REPOSTED = xpages.Tweet(status="1996000000000000002", author=BRUNO, text="Dashboards: weekly.")
QUOTED = xpages.Tweet(status="1996000000000000003", author=ANNA, text="What do you measure?")
REPLIED = xpages.Tweet(status="1996000000000000004", author=BRUNO, text="Any tips for lists?")
STRANGER = xpages.Tweet(status="1996000000000000005", author=CARA, text="Not on your radar.")
NEWCOMER = xpages.Tweet(status="1996000000000000006", author=DEV, text="Hello, X.")
OWN_REPLY_ID = "1996000000000000009"
REPLIED_BEFORE = "1996000000000000010"


@pytest.fixture(scope="module")
def site() -> xpages.Site:
    site = xpages.Site(toast_ms=1_500)
    for acc in (ANNA, BRUNO, CARA, DEV, FINN, RHEA, MILO, NOOR):
        site.add(acc)
    own_reply = site.own_post("Glad it helped!", reply_to=(ANNA,), status=OWN_REPLY_ID)
    site.timeline = [
        LIKED,
        REPOSTED,
        QUOTED,
        REPLIED,
        STRANGER,
        NEWCOMER,
        own_reply,
        *xpages.home_tweets(200),
    ]
    site.notifications = [
        xpages.Tweet(
            status="1996000000000000101",
            author=RHEA,
            kind="reply",
            reply_to=(site.own,),
            text="Agreed, the follow-ups matter most.",
            minutes_ago=3,
        ),
        xpages.Tweet(
            status="1996000000000000102",
            author=MILO,
            text=f"Asking @{site.own.handle} about this one",
            minutes_ago=8,
        ),
        xpages.Tweet(
            status="1996000000000000103",
            author=NOOR,
            text=f"Hey @{site.own.handle}, who are you?",
            minutes_ago=9,
        ),
    ]
    return site


@pytest.fixture(scope="module", autouse=True)
def tracked(api: Api) -> None:
    for acc in (ANNA, BRUNO, FINN, RHEA, MILO):
        api.add_person(acc.handle, stage="stranger", lists=("watchlist",))


def interactions(api: Api, handle: str) -> list[dict]:
    return items(api.get(f"/api/people/{handle}/interactions?per_page=100"))


def kinds(api: Api, handle: str) -> list[tuple[str, str]]:
    return sorted((i["kind"], i["direction"]) for i in interactions(api, handle))


def post(page: Page, status: str) -> Locator:
    return page.locator(f'article[data-testid="tweet"]:has(a[href$="/status/{status}/analytics"])')


def open_home(page: Page) -> None:
    page.goto("https://x.com/home")
    post(page, LIKED.status).wait_for()


def settle(page: Page, ms: int = 1_500) -> None:
    """Give the extension time to send anything it (wrongly) would."""
    page.wait_for_timeout(ms)


def test_a_like_is_recorded_once_and_an_unlike_removes_it(page: Page, api: Api):
    open_home(page)
    tweet = post(page, LIKED.status)
    tweet.locator('[data-testid="like"]').click()
    recorded = wait_until(lambda: interactions(api, ANNA.handle), what="the like")
    assert [(i["kind"], i["direction"], i["source"]) for i in recorded] == [
        ("like", "outbound", "extension")
    ]
    assert recorded[0]["tweet_url"] == f"https://x.com/{ANNA.handle}/status/{LIKED.status}"
    settle(page)
    assert len(interactions(api, ANNA.handle)) == 1

    tweet.locator('[data-testid="unlike"]').click()
    wait_until(lambda: not interactions(api, ANNA.handle), what="the like removed")

    # Liking again after a reload records it again, still once.
    page.reload()
    post(page, LIKED.status).locator('[data-testid="like"]').click()
    wait_until(lambda: kinds(api, ANNA.handle) == [("like", "outbound")], what="the like again")
    post(page, LIKED.status).locator('[data-testid="unlike"]').click()
    wait_until(lambda: not interactions(api, ANNA.handle), what="the like removed again")


def test_a_repost_is_recorded_and_undoing_it_removes_it(page: Page, api: Api):
    open_home(page)
    tweet = post(page, REPOSTED.status)
    tweet.locator('[data-testid="retweet"]').click()
    # Closing the menu without choosing records nothing.
    page.keyboard.press("Escape")
    settle(page, 800)
    assert interactions(api, BRUNO.handle) == []

    tweet.locator('[data-testid="retweet"]').click()
    page.locator('#layers [data-testid="retweetConfirm"]').click()
    wait_until(lambda: kinds(api, BRUNO.handle) == [("retweet", "outbound")], what="the repost")
    settle(page)
    assert len(interactions(api, BRUNO.handle)) == 1

    tweet.locator('[data-testid="unretweet"]').click()
    page.locator('#layers [data-testid="unretweetConfirm"]').click()
    wait_until(lambda: not interactions(api, BRUNO.handle), what="the repost removed")


def type_and_send(page: Page, text: str) -> None:
    dialog = page.locator('#layers div[role="dialog"]')
    dialog.locator('[data-testid="tweetTextarea_0"]').click()
    page.keyboard.type(text)
    dialog.locator('[data-testid="tweetButton"]').click()
    expect(dialog).to_have_count(0)


def test_a_reply_and_a_quote_are_recorded_with_their_text(page: Page, api: Api):
    open_home(page)
    post(page, REPLIED.status).locator('[data-testid="reply"]').click()
    type_and_send(page, "Keep them small and curated.")
    replies = wait_until(lambda: interactions(api, BRUNO.handle), what="the reply")
    assert [(i["kind"], i["direction"]) for i in replies] == [("reply", "outbound")]
    assert replies[0]["text"] == "Keep them small and curated."
    assert replies[0]["tweet_url"].endswith(f"/status/{REPLIED.status}")

    # A reply dialog closed without sending records nothing.
    before = len(interactions(api, ANNA.handle))
    post(page, QUOTED.status).locator('[data-testid="reply"]').click()
    page.locator('#layers [data-testid="app-bar-close"]').click()
    settle(page, 800)
    assert len(interactions(api, ANNA.handle)) == before

    post(page, QUOTED.status).locator('[data-testid="retweet"]').click()
    page.locator('#layers [role="menuitem"][href="/compose/post"]').click()
    type_and_send(page, "Retention, mostly.")
    wait_until(lambda: ("quote", "outbound") in kinds(api, ANNA.handle), what="the quote recorded")
    quote = next(i for i in interactions(api, ANNA.handle) if i["kind"] == "quote")
    assert quote["tweet_url"].endswith(f"/status/{QUOTED.status}")
    assert quote["text"] == "Retention, mostly."
    api.call("DELETE", f"/api/people/{ANNA.handle}/interactions/{quote['id']}", expect=(204,))


def test_deleting_a_recorded_reply_removes_it(browser: ExtensionBrowser, page: Page, api: Api):
    """The user's own reply on the timeline was recorded when they sent it; deleting it (⋯ →
    Delete → confirm) takes the record away."""
    api.call(
        "POST",
        "/api/captures",
        json={
            "handle": ANNA.handle,
            "kind": "reply",
            "direction": "outbound",
            "tweet_id": REPLIED_BEFORE,
            "text": "Glad it helped!",
        },
    )
    browser.configure(
        ownPosts={
            OWN_REPLY_ID: {"handle": ANNA.handle, "kind": "reply", "tweet_id": REPLIED_BEFORE}
        }
    )
    assert kinds(api, ANNA.handle) == [("reply", "outbound")]
    open_home(page)
    own = post(page, OWN_REPLY_ID)
    own.locator('[data-testid="caret"]').click()
    page.locator('#layers [role="menuitem"]', has_text="Delete").click()
    page.locator('#layers [data-testid="confirmationSheetConfirm"]').click()
    expect(own).to_have_count(0)
    wait_until(lambda: not interactions(api, ANNA.handle), what="the deleted reply removed")


def test_follow_and_unfollow_from_a_profile(page: Page, api: Api, site: xpages.Site):
    open_profile(page, FINN.handle, state="tracked")
    page.locator(f'[data-testid="{FINN.x_id}-follow"]').first.click()
    followed = wait_until(lambda: interactions(api, FINN.handle), what="the follow")
    assert [(i["kind"], i["direction"]) for i in followed] == [("follow", "outbound")]

    page.locator(f'[data-testid="{FINN.x_id}-unfollow"]').first.click()
    settle(page, 500)
    assert len(interactions(api, FINN.handle)) == 1, "nothing changes before the user confirms"
    page.locator('#layers [data-testid="confirmationSheetConfirm"]').click()
    wait_until(lambda: not interactions(api, FINN.handle), what="the follow removed")


def test_people_not_tracked_are_left_alone_unless_asked(
    browser: ExtensionBrowser, page: Page, api: Api
):
    open_home(page)
    post(page, STRANGER.status).locator('[data-testid="like"]').click()
    expect(post(page, STRANGER.status).locator('[data-testid="unlike"]')).to_have_count(1)
    settle(page)
    assert api.person(CARA.handle) is None

    browser.configure(captureEveryone=True)
    try:
        post(page, NEWCOMER.status).locator('[data-testid="like"]').click()
        person = wait_until(lambda: api.person(DEV.handle), what="the newcomer added")
        assert person["display_name"] in ("", DEV.name)
        assert kinds(api, DEV.handle) == [("like", "outbound")]
    finally:
        browser.configure(captureEveryone=False)


def test_switched_off_records_nothing(browser: ExtensionBrowser, page: Page, api: Api):
    browser.configure(autoCapture=False)
    try:
        open_home(page)
        post(page, LIKED.status).locator('[data-testid="like"]').click()
        expect(post(page, LIKED.status).locator('[data-testid="unlike"]')).to_have_count(1)
        settle(page)
        assert interactions(api, ANNA.handle) == []
        post(page, LIKED.status).locator('[data-testid="unlike"]').click()
        expect(post(page, LIKED.status).locator('[data-testid="like"]')).to_have_count(1)
    finally:
        browser.configure(autoCapture=True)


def test_scrolling_a_long_timeline_records_nothing(page: Page, api: Api, proxy):
    before = len(proxy.requests("POST", "/api/captures"))
    open_home(page)
    for _ in range(12):
        page.mouse.wheel(0, 2_500)
        page.wait_for_timeout(120)
    settle(page)
    assert len(proxy.requests("POST", "/api/captures")) == before


def test_notifications_record_replies_and_mentions_from_tracked_people(page: Page, api: Api):
    page.goto("https://x.com/notifications")
    wait_until(
        lambda: (
            kinds(api, RHEA.handle) == [("reply", "inbound")]
            and kinds(api, MILO.handle) == [("mention", "inbound")]
        ),
        what="the inbound reply and mention",
    )
    reply = interactions(api, RHEA.handle)[0]
    assert reply["tweet_url"].endswith("/status/1996000000000000101")
    # Visiting again (the Mentions tab) stores nothing twice; people not tracked stay unknown.
    page.goto("https://x.com/notifications/mentions")
    settle(page)
    assert kinds(api, RHEA.handle) == [("reply", "inbound")]
    assert kinds(api, MILO.handle) == [("mention", "inbound")]
    assert api.person(NOOR.handle) is None
