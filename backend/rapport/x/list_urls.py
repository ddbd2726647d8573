"""Reading an X list from what a person pastes: its address (`https://x.com/i/lists/<id>`, also
on twitter.com, www. or mobile.) or its bare numeric id. Shared by `rapport x link` and the
dashboard's Lists page."""

from __future__ import annotations

import re

LIST_URL = re.compile(r"^(?:https?://(?:www\.|mobile\.)?(?:x|twitter)\.com/i/lists/)?(\d{1,20})/?$")
X_LIST_WEB = "https://x.com/i/lists/{}"


def parse_list_ref(text: str) -> str | None:
    """The X list id in `text` (an X list address or id), or None when it names no X list."""
    match = LIST_URL.match(text.strip())
    return match.group(1) if match else None


def list_web_url(x_list_id: str) -> str:
    """The X list's page on x.com."""
    return X_LIST_WEB.format(x_list_id)
