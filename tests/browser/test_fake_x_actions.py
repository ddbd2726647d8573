"""The fake x.com answers the user's actions as real X does: like, repost, reply, quote, follow,
deleting your own post, and the notifications pages. These tests drive the fixture the way a user
would (click, type, confirm) and check the DOM X would produce; they do not depend on anything
the extension does, so a failure here is the fixture's."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from . import xpages

LENA = xpages.account("lena_likes", name="Lena Lindqvist", verified=False)
OSKAR = xpages.account("oskar_reposts", name="Oskar Berg")
FERN = xpages.account("fern_follow", name="Fern Follow", followers=4_321)
RHEA = xpages.account("rhea_replies", name="Rhea Replies")
MILO = xpages.account("milo_mentions", name="Milo Mentions")

LIKED = xpages.Tweet(
    status="1995000000000000001",
    author=LENA,
    text="Small tools win because people actually finish them.",
    counts=(3, 12, 80, 4, 5_400),
    minutes_ago=7,
)
REPOSTED = xpages.Tweet(
    status="1995000000000000002",
    author=OSKAR,
    text="Hot take: most dashboards should be a weekly email.",
    counts=(0, 12, 9, 0, 700),
    minutes_ago=9,
)
SHORT_TOAST_MS = 1_500


@pytest.fixture(scope="module")
def site() -> xpages.Site:
    """This module's x.com: a short home timeline that starts with known posts and one of your
    own replies, then enough generated rows for the list to virtualise."""
    site = xpages.Site(toast_ms=SHORT_TOAST_MS)
    site.add(FERN)
    for acc in (LENA, OSKAR, RHEA, MILO):
        site.add(acc)
    site.who_to_follow = [LENA.handle, *xpages.HOME_HANDLES[:2]]
    own_reply = site.own_post(
        "Thanks, that helped a lot!", reply_to=(LENA,), status="1995000000000000009"
    )
    site.timeline = [own_reply, LIKED, REPOSTED, *xpages.home_tweets(60)]
    site.notifications = [
        xpages.Tweet(
            status="1995000000000000101",
            author=RHEA,
            kind="reply",
            reply_to=(site.own,),
            text="Agreed, and the follow-ups matter most.",
            minutes_ago=3,
        ),
        xpages.Notice("like", (LENA, OSKAR), own_reply, minutes_ago=5),
        xpages.Tweet(
            status="1995000000000000102",
            author=MILO,
            text=f"Asking @{site.own.handle} about this one",
            minutes_ago=8,
        ),
        xpages.Notice("follow", (FERN,), minutes_ago=60),
    ]
    return site


def open_home(page: Page) -> None:
    page.goto("https://x.com/home")
    page.locator('article[data-testid="tweet"]').first.wait_for()


def post(page: Page, status: str) -> Locator:
    """The timeline article of the post `status` (found by its analytics link, as every row has)."""
    return page.locator(f'article[data-testid="tweet"]:has(a[href$="/status/{status}/analytics"])')


def color_of(button: Locator) -> str:
    return button.evaluate("b => getComputedStyle(b.firstElementChild).color")


def click_and_read_testid(button: Locator) -> str:
    """Click, and read the test id in the same task: X has not answered yet."""
    return button.evaluate("b => { b.click(); return b.getAttribute('data-testid'); }")


def test_like_and_unlike(page: Page):
    open_home(page)
    tweet = post(page, LIKED.status)
    tweet.evaluate("a => { a.__same = true; }")
    like = tweet.locator('[role="group"] [data-testid="like"]')
    expect(like).to_have_attribute("aria-label", "80 Likes. Like")

    assert click_and_read_testid(like) == "like"  # the change waits for the network
    unlike = tweet.locator('[role="group"] [data-testid="unlike"]')
    expect(unlike).to_have_attribute("aria-label", "81 Likes. Liked")
    expect(unlike.locator('[data-testid="app-text-transition-container"]')).to_have_text("81")
    assert color_of(unlike) == xpages.PINK
    assert unlike.locator("svg path").get_attribute("d") == xpages.HEART_FILLED
    expect(tweet.locator('[role="group"]')).to_have_attribute(
        "aria-label", re.compile(r"^3 replies, 12 reposts, 81 likes, ")
    )
    assert tweet.evaluate("a => a.__same === true")  # re-rendered in place, not replaced

    unlike.click()
    expect(tweet.locator('[data-testid="like"]')).to_have_attribute("aria-label", "80 Likes. Like")
    expect(
        tweet.locator('[data-testid="like"] [data-testid="app-text-transition-container"]')
    ).to_have_text("80")
    assert color_of(tweet.locator('[data-testid="like"]')) != xpages.PINK
    assert tweet.locator('[data-testid="like"] svg path').get_attribute("d") == xpages.HEART


def test_repost_menu_confirm_and_undo(page: Page):
    open_home(page)
    tweet = post(page, REPOSTED.status)
    retweet = tweet.locator('[role="group"] [data-testid="retweet"]')
    menu = page.locator('#layers div[role="menu"] div[data-testid="Dropdown"]')

    # Escape and a click outside close the menu without acting.
    retweet.click()
    expect(menu).to_be_visible()
    expect(retweet).to_have_attribute("aria-expanded", "true")
    assert tweet.locator('[role="menu"]').count() == 0  # a portal, never inside the tweet
    items = menu.locator('[role="menuitem"]')
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_have_attribute("data-testid", "retweetConfirm")
    expect(items.nth(0)).to_have_text("Repost")
    assert items.nth(0).evaluate("e => e.tagName") == "DIV"
    expect(items.nth(1)).to_have_attribute("href", "/compose/post")
    expect(items.nth(1)).to_have_text("Quote")
    page.keyboard.press("Escape")
    expect(menu).to_have_count(0)
    retweet.click()
    expect(menu).to_be_visible()
    page.mouse.click(5, 450)
    expect(menu).to_have_count(0)
    expect(retweet).to_have_attribute("aria-label", "12 reposts. Repost")
    expect(retweet).to_have_attribute("aria-expanded", "false")

    retweet.click()
    page.locator('#layers [role="menuitem"][data-testid="retweetConfirm"]').click()
    expect(menu).to_have_count(0)
    unretweet = tweet.locator('[role="group"] [data-testid="unretweet"]')
    expect(unretweet).to_have_attribute("aria-label", "13 reposts. Reposted")
    expect(unretweet.locator('[data-testid="app-text-transition-container"]')).to_have_text("13")
    assert color_of(unretweet) == xpages.GREEN

    unretweet.click()
    undo = page.locator('#layers [role="menu"] [role="menuitem"][data-testid="unretweetConfirm"]')
    expect(undo).to_have_text("Undo repost")
    undo.click()
    expect(tweet.locator('[data-testid="retweet"]')).to_have_attribute(
        "aria-label", "12 reposts. Repost"
    )
    expect(menu).to_have_count(0)


def test_reply_dialog_sends_and_shows_a_toast(page: Page, site: xpages.Site):
    open_home(page)
    tweet = post(page, LIKED.status)
    reply = tweet.locator('[role="group"] [data-testid="reply"]')
    expect(reply).to_have_attribute("aria-label", "3 Replies. Reply")
    dialog = page.locator('#layers div[role="dialog"][aria-modal="true"]')

    # Closing an empty composer cancels it.
    reply.click()
    expect(dialog).to_be_visible()
    expect(page).to_have_url(re.compile(r"/compose/post$"))
    dialog.locator('[data-testid="app-bar-close"][aria-label="Close"]').click()
    expect(dialog).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/home$"))

    reply.click()
    expect(dialog).to_be_visible()
    assert dialog.get_attribute("aria-labelledby")
    # The post being replied to, like X shows it: its author's User-Name with links, its text.
    author = dialog.locator('[data-testid="User-Name"]')
    expect(author.locator(f'a[href="/{LENA.handle}"][tabindex="-1"]')).to_have_text(
        f"@{LENA.handle}"
    )
    expect(author.locator(f'a[href="/{LENA.handle}/status/{LIKED.status}"] time')).to_have_count(1)
    expect(dialog.locator('[data-testid="tweetText"]')).to_have_text(LIKED.text)
    expect(dialog).to_contain_text(f"Replying to @{LENA.handle}")
    textbox = dialog.locator(
        'div[data-testid="tweetTextarea_0"][role="textbox"][contenteditable="true"]'
    )
    send = dialog.locator('[data-testid="tweetButton"]')
    expect(send).to_have_text("Reply")
    expect(send).to_have_attribute("aria-disabled", "true")
    expect(send).to_be_disabled()

    textbox.click()
    page.keyboard.type("So true, thanks!")
    expect(send).to_be_enabled()
    expect(send).not_to_have_attribute("aria-disabled", "true")
    send.click()

    expect(dialog).to_have_count(0)
    toast = page.locator('#layers div[data-testid="toast"][role="alert"]')
    expect(toast).to_contain_text("Your post was sent.")
    view = toast.locator("a", has_text="View")
    expect(view).to_have_attribute("href", re.compile(rf"^/{site.own.handle}/status/\d{{15,20}}$"))
    expect(reply).to_have_attribute("aria-label", "4 Replies. Reply")
    expect(reply.locator('[data-testid="app-text-transition-container"]')).to_have_text("4")
    expect(page).to_have_url(re.compile(r"/home$"))
    expect(toast).to_have_count(0, timeout=SHORT_TOAST_MS + 3_000)


def test_closing_a_composer_with_text_asks_to_save(page: Page):
    open_home(page)
    tweet = post(page, LIKED.status)
    tweet.locator('[data-testid="reply"]').click()
    dialog = page.locator('#layers [role="dialog"]')
    dialog.locator('[data-testid="tweetTextarea_0"]').fill("Half a thought")
    page.keyboard.press("Escape")
    sheet = page.locator('#layers [role="alertdialog"] [data-testid="confirmationSheetDialog"]')
    expect(sheet).to_contain_text("Save post?")
    sheet.locator('[data-testid="confirmationSheetCancel"]').click()  # "Discard"
    expect(dialog).to_have_count(0)
    expect(page.locator('[data-testid="toast"]')).to_have_count(0)
    expect(tweet.locator('[data-testid="reply"]')).to_have_attribute(
        "aria-label", "3 Replies. Reply"
    )


def test_quote_dialog_embeds_the_post(page: Page, site: xpages.Site):
    open_home(page)
    tweet = post(page, REPOSTED.status)
    tweet.locator('[data-testid="retweet"]').click()
    page.locator('#layers a[role="menuitem"][href="/compose/post"]').click()
    dialog = page.locator('#layers div[role="dialog"][aria-modal="true"]')
    expect(dialog).to_be_visible()
    expect(page).to_have_url(re.compile(r"/compose/post$"))
    expect(page.locator('#layers [role="menu"]')).to_have_count(0)
    quoted = dialog.locator('div[role="link"][tabindex="0"]')
    expect(quoted.locator('[data-testid="User-Name"]')).to_contain_text(f"@{OSKAR.handle}")
    assert quoted.locator("a").count() == 0  # the whole box is the link
    expect(quoted.locator('[data-testid="tweetText"]')).to_have_text(REPOSTED.text)
    expect(dialog).not_to_contain_text("Replying to")
    send = dialog.locator('[data-testid="tweetButton"]')
    expect(send).to_have_text("Post")
    expect(send).to_be_disabled()

    dialog.locator('[data-testid="tweetTextarea_0"]').click()
    page.keyboard.type("Worth reading")
    send.click()
    expect(dialog).to_have_count(0)
    toast = page.locator('#layers [data-testid="toast"]')
    expect(toast).to_contain_text("Your post was sent.")
    expect(toast.locator("a")).to_have_attribute(
        "href", re.compile(rf"^/{site.own.handle}/status/\d+$")
    )
    expect(tweet.locator('[data-testid="retweet"]')).to_have_attribute(
        "aria-label", "12 reposts. Repost"
    )


def test_follow_and_unfollow_on_a_profile(page: Page):
    page.goto(f"https://x.com/{FERN.handle}")
    follow = page.locator(f'[data-testid="placementTracking"] [data-testid="{FERN.x_id}-follow"]')
    expect(follow).to_have_attribute("aria-label", f"Follow @{FERN.handle}")
    follow.click()
    following = page.locator(f'[data-testid="{FERN.x_id}-unfollow"]')
    expect(following).to_have_text("Following")
    expect(following).to_have_attribute("aria-label", f"Following @{FERN.handle}")

    sheet_dialog = page.locator('#layers div[role="alertdialog"][aria-modal="true"]')
    sheet = sheet_dialog.locator('[data-testid="confirmationSheetDialog"]')
    following.click()
    expect(sheet).to_contain_text(f"Unfollow @{FERN.handle}?")
    page.keyboard.press("Escape")  # closes without acting
    expect(sheet_dialog).to_have_count(0)
    following.click()
    sheet.locator('[data-testid="confirmationSheetCancel"]').click()
    expect(sheet_dialog).to_have_count(0)
    expect(following).to_have_text("Following")

    following.click()
    confirm = sheet.locator('[data-testid="confirmationSheetConfirm"]')
    expect(confirm).to_have_text("Unfollow")
    confirm.click()
    expect(page.locator(f'[data-testid="{FERN.x_id}-follow"]')).to_have_text("Follow")
    expect(sheet_dialog).to_have_count(0)


def test_follow_state_is_shared_by_cells_hover_cards_and_the_caret_menu(page: Page):
    open_home(page)
    cell = page.locator(
        f'[data-testid="sidebarColumn"] [data-testid="UserCell"]:has(a[href="/{LENA.handle}"])'
    )
    cell.locator(f'[data-testid="{LENA.x_id}-follow"]').click()
    expect(cell.locator(f'[data-testid="{LENA.x_id}-unfollow"]')).to_have_text("Following")

    # Her hover card, opened afterwards, knows; unfollowing there updates the cell too.
    post(page, LIKED.status).locator(
        f'[data-testid="User-Name"] a[href="/{LENA.handle}"]'
    ).first.hover()
    card = page.locator(
        f'#layers [data-testid="HoverCard"]:has(a[href="/{LENA.handle}/following"])'
    )
    card.locator(f'[data-testid="{LENA.x_id}-unfollow"]').click()
    page.locator('#layers [data-testid="confirmationSheetConfirm"]').click()
    expect(cell.locator(f'[data-testid="{LENA.x_id}-follow"]')).to_have_text("Follow")

    # A post's caret menu follows her (no confirmation), then offers to unfollow.
    page.mouse.move(5, 450)
    caret = post(page, LIKED.status).locator('[data-testid="caret"]')
    caret.click()
    menu = page.locator('#layers [role="menu"] [data-testid="Dropdown"]')
    expect(menu.locator('[role="menuitem"]', has_text="Delete")).to_have_count(0)
    menu.locator('[role="menuitem"]', has_text=f"Follow @{LENA.handle}").click()
    expect(menu).to_have_count(0)
    expect(cell.locator(f'[data-testid="{LENA.x_id}-unfollow"]')).to_have_text("Following")
    caret.click()
    menu.locator('[role="menuitem"]', has_text=f"Unfollow @{LENA.handle}").click()
    expect(cell.locator(f'[data-testid="{LENA.x_id}-follow"]')).to_have_text("Follow")


def test_deleting_your_own_reply(page: Page):
    open_home(page)
    own_reply = post(page, "1995000000000000009")
    expect(own_reply).to_contain_text(f"Replying to @{LENA.handle}")
    own_reply.locator('[data-testid="caret"]').click()
    menu = page.locator('#layers div[role="menu"] [data-testid="Dropdown"]')
    expect(menu.locator('[role="menuitem"]').first).to_have_text("Delete")

    # Cancelling the sheet keeps the post.
    menu.locator('[role="menuitem"]', has_text="Delete").click()
    sheet = page.locator('#layers [role="alertdialog"] [data-testid="confirmationSheetDialog"]')
    expect(sheet).to_contain_text("Delete post?")
    sheet.locator('[data-testid="confirmationSheetCancel"]').click()
    expect(own_reply).to_have_count(1)

    own_reply.locator('[data-testid="caret"]').click()
    menu.locator('[role="menuitem"]', has_text="Delete").click()
    confirm = sheet.locator('[data-testid="confirmationSheetConfirm"]')
    expect(confirm).to_have_text("Delete")
    confirm.click()
    expect(page.locator('#layers [data-testid="toast"]')).to_contain_text("Your post was deleted")
    expect(own_reply).to_have_count(0)
    # The rows below moved up into its place.
    first = page.locator('[data-testid="cellInnerDiv"]', has=post(page, LIKED.status))
    expect(first).to_have_attribute("style", re.compile(r"translateY\(0px\)"))


def test_notifications_all_and_mentions(page: Page, site: xpages.Site):
    page.goto("https://x.com/notifications")
    column = page.locator('[data-testid="primaryColumn"]')
    expect(page).to_have_title("Notifications / X")
    expect(column.locator('h2[role="heading"]')).to_have_text("Notifications")
    tabs = column.locator('nav[role="navigation"] a[role="tab"]')
    expect(tabs).to_have_text(["All", "Verified", "Mentions"])
    assert [tabs.nth(i).get_attribute("href") for i in range(3)] == [
        "/notifications",
        "/notifications/verified",
        "/notifications/mentions",
    ]
    expect(tabs.nth(0)).to_have_attribute("aria-selected", "true")

    timeline = column.locator('section div[aria-label^="Timeline:"] [data-testid="cellInnerDiv"]')
    expect(timeline).to_have_count(4)
    reply = post(page, "1995000000000000101")
    expect(reply).to_contain_text(f"Replying to @{site.own.handle}")
    expect(reply.locator(f'a[href="/{site.own.handle}"]')).to_have_count(1)
    mention = post(page, "1995000000000000102")
    expect(mention.locator(f'[data-testid="tweetText"] a[href="/{site.own.handle}"]')).to_have_text(
        f"@{site.own.handle}"
    )
    liked = page.locator('article[data-testid="notification"]', has_text="liked your reply")
    expect(liked).to_contain_text(f"{LENA.name} and {OSKAR.name} liked your reply")
    expect(liked.locator(f'a[href="/{OSKAR.handle}"]').first).to_be_visible()
    expect(
        page.locator('article[data-testid="notification"]', has_text="followed you")
    ).to_contain_text(FERN.name)
    # Rows on the notifications pages act like any other post.
    reply.locator('[data-testid="like"]').click()
    expect(reply.locator('[data-testid="unlike"]')).to_be_visible()

    page.goto("https://x.com/notifications/mentions")
    expect(page.locator('nav a[role="tab"][aria-selected="true"]')).to_have_text("Mentions")
    expect(page.locator('[data-testid="cellInnerDiv"] article[data-testid="tweet"]')).to_have_count(
        2
    )
    expect(page.locator('article[data-testid="notification"]')).to_have_count(0)


def test_state_survives_virtualisation_and_reload(page: Page):
    open_home(page)
    tweet = post(page, LIKED.status)
    tweet.locator('[data-testid="like"]').click()
    expect(tweet.locator('[data-testid="unlike"]')).to_be_visible()

    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function(
        "() => window.__xfix.settledScroll === window.scrollY && window.scrollY > 5000"
    )
    expect(tweet).to_have_count(0)  # its row was unmounted
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_function("() => window.__xfix.settledScroll === 0")
    expect(tweet.locator('[data-testid="unlike"]')).to_have_attribute(
        "aria-label", "81 Likes. Liked"
    )

    page.reload()
    expect(post(page, LIKED.status).locator('[data-testid="unlike"]')).to_have_attribute(
        "aria-label", "81 Likes. Liked"
    )
