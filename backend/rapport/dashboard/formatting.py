"""How the dashboard writes times, counts and names: the template filters.

Times are stored as naive UTC; the pages show them in the local time of this machine (the
browser and the server share it), and as "3 days ago" where a glance is enough.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Flask

from ..models import utcnow

_UNITS = (
    (365 * 86400, "year"),
    (30 * 86400, "month"),
    (7 * 86400, "week"),
    (86400, "day"),
    (3600, "hour"),
    (60, "minute"),
)


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """`moment` (naive UTC) relative to now: 'just now', '5 minutes ago', 'in 2 days'."""
    if moment is None:
        return "never"
    seconds = ((now or utcnow()) - moment).total_seconds()
    future, seconds = seconds < 0, abs(seconds)
    if seconds < 60:
        return "just now"
    for size, unit in _UNITS:
        if seconds >= size:
            count = int(seconds // size)
            text = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {text}" if future else f"{text} ago"
    return "just now"


def local(moment: datetime | None, with_time: bool = True) -> str:
    """`moment` (naive UTC) in this machine's local time, as '2026-03-01 14:05'."""
    if moment is None:
        return ""
    shown = moment.replace(tzinfo=UTC).astimezone()
    return shown.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def iso(moment: datetime | None) -> str:
    """`moment` (naive UTC) as ISO 8601 with 'Z', for <time datetime>."""
    return "" if moment is None else moment.isoformat(timespec="seconds") + "Z"


def number(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def yes_no(value: bool | None) -> str:
    return "unknown" if value is None else "yes" if value else "no"


def words(slug: str | None) -> str:
    """A code such as 'question_answered' as words: 'question answered'."""
    return (slug or "").replace("_", " ")


LABELS = {
    "d30": "Last 30 days",
    "d90": "Last 90 days",
    "one_sided": "One-sided",
    "stage_name": "Stage",
    "at": "Since",
}


def label(key: object) -> str:
    """A field name as a label: 'one_sided' reads 'One-sided', 'next_step' 'Next step'."""
    text = str(key)
    return LABELS.get(text, text.replace("_", " ").capitalize())


def shown(value: object) -> str:
    """Any value as text: times local and relative, yes and no, a dash for nothing."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime):
        return f"{local(value)} ({ago(value)})"
    if isinstance(value, int):
        return number(value)
    return str(value)


def web_url(value: str | None) -> str:
    """`value` if it is an http(s) address, else "": only those become links (an imported record
    could hold anything)."""
    try:
        scheme = urlsplit(value or "").scheme
    except ValueError:
        return ""
    return value if value and scheme in ("http", "https") else ""


def install(app: Flask) -> None:
    app.jinja_env.filters.update(
        ago=ago,
        local=local,
        iso=iso,
        number=number,
        yes_no=yes_no,
        words=words,
        web_url=web_url,
        label=label,
        shown=shown,
    )
