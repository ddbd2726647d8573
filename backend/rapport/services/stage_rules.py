"""Stage rules: how a person's contact history suggests where the relationship stands.

The rules follow the relationship-building method, one stage each:

| stage          | evidence                                                                      |
|----------------|-------------------------------------------------------------------------------|
| `noticed`      | you liked, retweeted or quoted their post                                     |
| `acknowledged` | they thanked you, or replied to you                                           |
| `conversing`   | a question answered or asked, either way; or a reply thread of 2+ turns       |
|                | (you replied to them and they replied to you)                                 |
| `mutual`       | they follow you (seen on their profile, or an inbound `follow`)               |
| `relationship` | a DM (either way), a chat, a call or a meeting                                |
| `advocate`     | they referred you (an inbound `referral`), or mentioned you to others (an     |
|                | inbound `mention`; a reply to you is a `reply`, not a mention)                |

An outbound `referral` (you referring them) is you advocating for them, so it is not evidence that
they advocate for you.

How a suggestion is chosen (`suggest`):

- Each rule reports its latest piece of evidence, so a reason reads "they replied to you on 3 Nov"
  with the most recent reply.
- The suggestion is the most advanced stage the evidence supports, and only if that stage is ahead
  of the person's current stage (by position in the pipeline). Rules never suggest moving back.
- Stages are the user's to configure: a rule whose stage no longer exists is skipped, and positions
  come from the pipeline as it is now.
- A manual stage always wins. When the user (or the extension, on the user's click) moved the
  person to a stage, evidence dated before that move no longer counts: it has been judged already.
  Only what happens afterwards can suggest a further stage. Starting to track someone is not such
  a move. As rules never suggest moving back, a manually set stage is never undone by a rule.

Every rule depends only on the latest event of each kind and direction, so a caller may pass just
those (`latest_only`) rather than a whole history. Everything here is pure: the caller reads the
history and the pipeline, and stores the answer (`services/suggestions.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

# Stage changes with these sources are the user's own choice (see "A manual stage always wins").
MANUAL_SOURCES: tuple[str, ...] = ("manual", "extension")

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Event:
    """One interaction of the contact history, as the rules see it."""

    kind: str
    direction: str  # "outbound" (the user did it) or "inbound" (they did)
    at: datetime


@dataclass(frozen=True)
class Suggestion:
    """A stage the evidence supports, why (in words), and when the evidence is from."""

    stage: str
    reason: str
    at: datetime


def day(at: datetime, now: datetime | None = None) -> str:
    """'3 Nov', or '3 Nov 2024' when not in the year of `now`."""
    text = f"{at.day} {MONTHS[at.month - 1]}"
    if now is not None and at.year != now.year:
        text += f" {at.year}"
    return text


# What each (kind, direction) says as a reason; {day} is where its date goes.
WORDS: dict[tuple[str, str], str] = {
    ("like", "outbound"): "you liked their post on {day}",
    ("retweet", "outbound"): "you retweeted their post on {day}",
    ("quote", "outbound"): "you quoted their post on {day}",
    ("thanks", "inbound"): "they thanked you on {day}",
    ("reply", "inbound"): "they replied to you on {day}",
    ("question_answered", "outbound"): "you answered their question on {day}",
    ("question_answered", "inbound"): "they answered your question on {day}",
    ("question_asked", "outbound"): "you asked them a question on {day}",
    ("question_asked", "inbound"): "they asked you a question on {day}",
    ("follow", "inbound"): "they followed you on {day}",
    ("dm", "outbound"): "you sent them a DM on {day}",
    ("dm", "inbound"): "they sent you a DM on {day}",
    ("chat", "outbound"): "you chatted on {day}",
    ("chat", "inbound"): "you chatted on {day}",
    ("call", "outbound"): "you had a call on {day}",
    ("call", "inbound"): "you had a call on {day}",
    ("meeting", "outbound"): "you met on {day}",
    ("meeting", "inbound"): "you met on {day}",
    ("referral", "inbound"): "they referred you on {day}",
    ("mention", "inbound"): "they mentioned you on {day}",
}

# The kinds any rule looks at: the rest of the history need not be read.
KINDS: frozenset[str] = frozenset(kind for kind, _ in WORDS)


@dataclass(frozen=True)
class Finding:
    """A rule's latest evidence: when, and the reason's words with a {day} for the date."""

    at: datetime
    words: str


def _latest(events: Sequence[Event], pairs: Iterable[tuple[str, str]]) -> Finding | None:
    """The latest event whose (kind, direction) is one of `pairs`, with its words."""
    wanted = set(pairs)
    found = None
    for event in events:
        if (event.kind, event.direction) in wanted and (found is None or event.at >= found.at):
            found = event
    return Finding(found.at, WORDS[found.kind, found.direction]) if found else None


def _either_way(*kinds: str) -> list[tuple[str, str]]:
    return [(kind, direction) for kind in kinds for direction in ("outbound", "inbound")]


def _later(*findings: Finding | None) -> Finding | None:
    present = [f for f in findings if f is not None]
    return max(present, key=lambda f: f.at) if present else None


def latest_only(events: Iterable[Event]) -> list[Event]:
    """The latest event of each kind and direction: all the rules need to see."""
    latest: dict[tuple[str, str], Event] = {}
    for event in events:
        key = (event.kind, event.direction)
        if key not in latest or event.at > latest[key].at:
            latest[key] = event
    return list(latest.values())


# ---- the rules: each gives its latest evidence, or None -----------------------------------------


def noticed(events: Sequence[Event], follows_you_since: datetime | None) -> Finding | None:
    """You liked, retweeted or quoted their post."""
    return _latest(events, [("like", "outbound"), ("retweet", "outbound"), ("quote", "outbound")])


def acknowledged(events: Sequence[Event], follows_you_since: datetime | None) -> Finding | None:
    """They thanked you or replied to you."""
    return _latest(events, [("thanks", "inbound"), ("reply", "inbound")])


def conversing(events: Sequence[Event], follows_you_since: datetime | None) -> Finding | None:
    """A question answered or asked either way, or a reply thread of two turns or more."""
    question = _latest(events, _either_way("question_answered", "question_asked"))
    yours = [e for e in events if e.kind == "reply" and e.direction == "outbound"]
    theirs = [e for e in events if e.kind == "reply" and e.direction == "inbound"]
    thread = None
    if yours and theirs:
        at = max(max(e.at for e in yours), max(e.at for e in theirs))
        thread = Finding(at, "you replied to each other on {day}")
    return _later(question, thread)


def mutual(events: Sequence[Event], follows_you_since: datetime | None) -> Finding | None:
    """They follow you: seen on their profile, or an inbound follow."""
    seen = (
        Finding(follows_you_since, "they follow you (seen on {day})") if follows_you_since else None
    )
    return _later(_latest(events, [("follow", "inbound")]), seen)


def relationship(events: Sequence[Event], follows_you_since: datetime | None) -> Finding | None:
    """A DM either way, a chat, a call or a meeting."""
    return _latest(events, _either_way("dm", "chat", "call", "meeting"))


def advocate(events: Sequence[Event], follows_you_since: datetime | None) -> Finding | None:
    """They referred you, or mentioned you to others."""
    return _latest(events, [("referral", "inbound"), ("mention", "inbound")])


Rule = Callable[[Sequence[Event], datetime | None], Finding | None]

# Each stage slug with the rule that earns it, in the method's order.
RULES: tuple[tuple[str, Rule], ...] = (
    ("noticed", noticed),
    ("acknowledged", acknowledged),
    ("conversing", conversing),
    ("mutual", mutual),
    ("relationship", relationship),
    ("advocate", advocate),
)


def reason(finding: Finding, now: datetime | None = None) -> str:
    """The finding in words: 'they replied to you on 3 Nov'."""
    return finding.words.format(day=day(finding.at, now))


def suggest(
    events: Iterable[Event],
    *,
    current_stage: str,
    positions: Mapping[str, int],
    follows_you_since: datetime | None = None,
    manual_at: datetime | None = None,
    now: datetime | None = None,
) -> Suggestion | None:
    """The most advanced stage ahead of `current_stage` that the evidence supports, or None.

    `positions` maps each existing stage slug to its place in the pipeline; `follows_you_since` is
    when they were first seen following the user (None if they do not); `manual_at` is the time of
    the person's latest manual stage change: evidence from before it does not count. `now` only
    decides whether dates name their year.
    """
    if manual_at is not None:
        events = [e for e in events if e.at > manual_at]
        if follows_you_since is not None and follows_you_since <= manual_at:
            follows_you_since = None
    events = list(events)
    here = positions.get(current_stage, -1)
    best: tuple[int, str, Finding] | None = None
    for stage, rule in RULES:
        position = positions.get(stage)
        if position is None or position <= here:
            continue
        finding = rule(events, follows_you_since)
        if finding is not None and (best is None or position > best[0]):
            best = (position, stage, finding)
    if best is None:
        return None
    _, stage, finding = best
    return Suggestion(stage, reason(finding, now), finding.at)
