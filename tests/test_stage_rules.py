"""The stage rules, one test per rule with its reason, and how a suggestion is chosen: the most
advanced stage, never backwards, a manual stage wins, deleted stages are skipped."""

from __future__ import annotations

from datetime import datetime

import pytest

from rapport.services.stage_rules import RULES, Event, Suggestion, day, latest_only, suggest

NOW = datetime(2026, 11, 20, 12, 0)
PIPELINE = {
    "stranger": 0,
    "noticed": 1,
    "acknowledged": 2,
    "conversing": 3,
    "mutual": 4,
    "relationship": 5,
    "advocate": 6,
}


def on(day_of_november: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day_of_november, hour)


def ev(kind: str, direction: str, day_of_november: int, hour: int = 10) -> Event:
    return Event(kind, direction, on(day_of_november, hour))


def suggestion(
    events: list[Event],
    stage: str = "stranger",
    positions: dict[str, int] | None = None,
    **kwargs,
) -> Suggestion | None:
    return suggest(events, current_stage=stage, positions=positions or PIPELINE, now=NOW, **kwargs)


# ---- one test per rule, with its reason ---------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("like", "you liked their post on 2 Nov"),
        ("retweet", "you retweeted their post on 2 Nov"),
        ("quote", "you quoted their post on 2 Nov"),
    ],
)
def test_noticed_by_an_outbound_like_retweet_or_quote(kind, reason):
    assert suggestion([ev(kind, "outbound", 2)]) == Suggestion("noticed", reason, on(2))


@pytest.mark.parametrize(
    ("kind", "reason"),
    [("reply", "they replied to you on 3 Nov"), ("thanks", "they thanked you on 3 Nov")],
)
def test_acknowledged_when_they_thank_or_reply(kind, reason):
    assert suggestion([ev(kind, "inbound", 3)]) == Suggestion("acknowledged", reason, on(3))


@pytest.mark.parametrize(
    ("kind", "direction", "reason"),
    [
        ("question_answered", "outbound", "you answered their question on 5 Nov"),
        ("question_answered", "inbound", "they answered your question on 5 Nov"),
        ("question_asked", "outbound", "you asked them a question on 5 Nov"),
        ("question_asked", "inbound", "they asked you a question on 5 Nov"),
    ],
)
def test_conversing_by_a_question_either_way(kind, direction, reason):
    assert suggestion([ev(kind, direction, 5)]) == Suggestion("conversing", reason, on(5))


def test_conversing_by_a_reply_thread_of_two_turns():
    thread = [ev("reply", "outbound", 4), ev("reply", "inbound", 6)]
    assert suggestion(thread) == Suggestion(
        "conversing", "you replied to each other on 6 Nov", on(6)
    )
    # One side alone is not a thread: their reply acknowledges, yours notices nothing.
    assert suggestion([ev("reply", "inbound", 6)]).stage == "acknowledged"
    assert suggestion([ev("reply", "outbound", 4), ev("reply", "outbound", 5)]) is None


def test_mutual_when_they_follow_you():
    assert suggestion([ev("follow", "inbound", 8)]) == Suggestion(
        "mutual", "they followed you on 8 Nov", on(8)
    )
    assert suggestion([], follows_you_since=on(9)) == Suggestion(
        "mutual", "they follow you (seen on 9 Nov)", on(9)
    )
    # You following them is not mutual.
    assert suggestion([ev("follow", "outbound", 8)]) is None


@pytest.mark.parametrize(
    ("kind", "direction", "reason"),
    [
        ("dm", "outbound", "you sent them a DM on 12 Nov"),
        ("dm", "inbound", "they sent you a DM on 12 Nov"),
        ("chat", "outbound", "you chatted on 12 Nov"),
        ("call", "inbound", "you had a call on 12 Nov"),
        ("meeting", "outbound", "you met on 12 Nov"),
    ],
)
def test_relationship_by_a_dm_chat_call_or_meeting(kind, direction, reason):
    assert suggestion([ev(kind, direction, 12)]) == Suggestion("relationship", reason, on(12))


@pytest.mark.parametrize(
    ("kind", "reason"),
    [("referral", "they referred you on 20 Nov"), ("mention", "they mentioned you on 20 Nov")],
)
def test_advocate_when_they_refer_or_mention_you(kind, reason):
    assert suggestion([ev(kind, "inbound", 20)]) == Suggestion("advocate", reason, on(20))


def test_what_is_not_evidence():
    """Their likes of your posts, your mentions of them, your referral of them, and kinds no rule
    reads suggest nothing."""
    events = [
        ev("like", "inbound", 2),
        ev("retweet", "inbound", 2),
        ev("mention", "outbound", 3),
        ev("referral", "outbound", 3),
        ev("thanks", "outbound", 3),
        ev("other", "inbound", 4),
    ]
    assert suggestion(events) is None


def test_every_rule_has_a_test():
    assert [stage for stage, _ in RULES] == [
        "noticed",
        "acknowledged",
        "conversing",
        "mutual",
        "relationship",
        "advocate",
    ]


# ---- choosing -----------------------------------------------------------------------------------


def test_the_most_advanced_stage_wins_with_its_latest_evidence():
    events = [
        ev("like", "outbound", 1),
        ev("like", "outbound", 9),
        ev("reply", "inbound", 3),
        ev("reply", "inbound", 7),
    ]
    assert suggestion(events) == Suggestion("acknowledged", "they replied to you on 7 Nov", on(7))
    later_question = [*events, ev("question_asked", "inbound", 2)]
    assert suggestion(later_question).stage == "conversing"


def test_never_backwards():
    events = [ev("like", "outbound", 2), ev("reply", "inbound", 3)]
    assert suggestion(events, stage="acknowledged") is None
    assert suggestion(events, stage="advocate") is None
    assert suggestion(events, stage="noticed").stage == "acknowledged"
    # A stage the pipeline does not know (deleted meanwhile) counts as before every other.
    assert suggestion(events, stage="gone").stage == "acknowledged"


def test_manual_stage_wins_over_older_evidence():
    events = [ev("like", "outbound", 2), ev("dm", "inbound", 4)]
    # The user moved them by hand on 5 Nov: what happened before is judged already.
    assert suggestion(events, stage="noticed", manual_at=on(5)) is None
    assert suggestion(events, stage="stranger", manual_at=on(5)) is None
    # Evidence after the manual move counts again, and the rules still never move back.
    newer = [*events, ev("reply", "inbound", 6)]
    assert suggestion(newer, stage="noticed", manual_at=on(5)).stage == "acknowledged"
    assert suggestion(newer, stage="mutual", manual_at=on(5)) is None
    # Following seen before the manual move is judged too; an inbound follow after it is not.
    assert suggestion([], stage="noticed", follows_you_since=on(4), manual_at=on(5)) is None
    assert suggestion([ev("follow", "inbound", 6)], stage="noticed", manual_at=on(5)) == (
        Suggestion("mutual", "they followed you on 6 Nov", on(6))
    )


def test_rules_of_deleted_stages_are_skipped():
    events = [ev("like", "outbound", 2), ev("reply", "inbound", 3), ev("dm", "outbound", 4)]
    without = {k: v for k, v in PIPELINE.items() if k not in ("relationship", "acknowledged")}
    assert suggestion(events, positions=without).stage == "noticed"
    assert suggestion(events, positions={"stranger": 0}) is None


def test_positions_come_from_the_pipeline_as_configured():
    """Stages moved around: 'noticed' placed after 'relationship' is the more advanced one."""
    moved = {**PIPELINE, "noticed": 7}
    events = [ev("like", "outbound", 2), ev("dm", "outbound", 1)]
    assert suggestion(events, positions=moved).stage == "noticed"
    assert suggestion(events, stage="advocate", positions=moved).stage == "noticed"


def test_dates_name_the_year_only_when_it_is_not_this_year():
    assert day(datetime(2026, 3, 1), NOW) == "1 Mar"
    assert day(datetime(2025, 12, 31), NOW) == "31 Dec 2025"
    assert suggestion([Event("like", "outbound", datetime(2025, 2, 20))]).reason == (
        "you liked their post on 20 Feb 2025"
    )


def test_the_latest_event_of_each_kind_and_direction_is_all_the_rules_need():
    """The server reads only those from the database; the answer must be the same."""
    import random

    kinds = sorted({"like", "retweet", "quote", "reply", "thanks", "follow", "dm", "call",
                    "question_asked", "mention", "referral", "other"})  # fmt: skip
    chance = random.Random(4)
    for _ in range(500):
        events = [
            ev(chance.choice(kinds), chance.choice(("outbound", "inbound")), chance.randint(1, 28))
            for _ in range(chance.randint(0, 12))
        ]
        stage = chance.choice(list(PIPELINE))
        manual = on(chance.randint(1, 28)) if chance.random() < 0.5 else None
        assert suggestion(events, stage, manual_at=manual) == suggestion(
            latest_only(events), stage, manual_at=manual
        )
