"""A realistic Rapport database, written straight into SQLite after `rapport` has created it.

    .venv/bin/python -m tools.bench.generate DIR [--scale small|full]

The shape follows a real network rather than a uniform spread: follower tiers as an account's
followers are (most below 1K, a few hundred mid and above), fewer people at each later stage,
contact history over two years concentrated on a minority of people (a heavy tail), 20 lists
(the four built-in ones, The Watchlist holding 100 people, and sixteen of the user's own from a
dozen people to a few thousand), notes on about a quarter of the people met, a dozen tags, stage
history, a few renamed accounts and follow-ups marked done or snoozed. The people's summary
columns (last interaction, last outbound contact) agree with the generated history.

People are `user<n>` (X user id 10,000,000 + n, display name "User number <n>"), so benchmarks
can name them without reading the database.
"""

from __future__ import annotations

import argparse
import math
import random
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from . import ROOT  # noqa: F401  (puts backend/ on sys.path)

TOKEN = "benchmark-token"
TWO_YEARS_MINUTES = 2 * 365 * 24 * 60
ACTIVITY_CEILING = 500.0  # the busiest person's weight against a typical 1-4

# Tier, share of people, followers range (the default thresholds of TIER_THRESHOLDS).
TIER_MIX = (
    ("none", 0.55, 20, 999),
    ("nano", 0.28, 1_000, 9_999),
    ("micro", 0.11, 10_000, 49_999),
    ("mid", 0.05, 50_000, 499_999),
    ("macro", 0.008, 500_000, 999_999),
    ("mega", 0.002, 1_000_000, 60_000_000),
)
# Kind, direction, share of the contact history.
HISTORY_MIX = (
    ("like", "outbound", 35),
    ("retweet", "outbound", 10),
    ("reply", "outbound", 12),
    ("quote", "outbound", 3),
    ("follow", "outbound", 2),
    ("dm", "outbound", 4),
    ("mention", "inbound", 10),
    ("reply", "inbound", 10),
    ("like", "inbound", 8),
    ("follow", "inbound", 2),
    ("dm", "inbound", 4),
)
SOURCES = (("extension", 70), ("archive", 20), ("x_api", 8), ("manual", 2))
TAGS = (
    "design", "founder", "investor", "writer", "engineer", "podcast", "ai", "climate",
    "indie", "community", "hiring", "speaker",
)  # fmt: skip
BIOS = (
    "Bio {n}, likes design",
    "Founder at a small studio. Writing about product and people. {n}",
    "Engineer, runner, reader of long threads ({n})",
    "Investor in tiny teams. DMs open. #{n}",
    "",
)
NOTES = (
    "Met at the meetup; interested in our onboarding work.",
    "Asked about pricing for small teams, follow up after the launch.",
    "Great thread on hiring juniors — share with the team.",
    "Prefers DMs to email. Mentioned a podcast appearance next month.",
    "Intro from a friend; works on climate data, open to a call in spring.",
)
# Sizes of the user's own lists at 100,000 people (scaled down with the people).
OWN_LIST_SIZES = (
    12, 20, 35, 50, 80, 120, 150, 200, 300, 400, 600, 800, 1_200, 2_000, 3_000, 5_000,
)  # fmt: skip


@dataclass(frozen=True)
class Scale:
    """How big a benchmark run is."""

    name: str
    people: int
    interactions: int


SCALES = {
    "small": Scale("small", 2_000, 20_000),
    "full": Scale("full", 100_000, 1_000_000),
}


def handle(n: int) -> str:
    """The handle of the generated person number `n` (0-based; their row id is n + 1)."""
    return f"user{n}"


def _tier_followers(rng: random.Random) -> int:
    weights = [share for _, share, _, _ in TIER_MIX]
    _, _, low, high = rng.choices(TIER_MIX, weights)[0]
    return int(math.exp(rng.uniform(math.log(low), math.log(high + 1))))


def fill(home: Path, people: int, interactions: int = 1_000_000, seed: int = 7) -> dict[str, int]:
    """Create the database in `home` through the app (so it is migrated), then write `people`
    people and `interactions` events of contact history into it; answers the row counts."""
    from rapport import create_app
    from rapport.db import close_database
    from rapport.services import search_index

    create_app({"HOME": home, "TOKEN": TOKEN, "PORT": 7277})
    close_database()
    db = sqlite3.connect(home / "rapport.sqlite3")
    db.execute("PRAGMA synchronous = OFF")  # the fill only; the server sets its own pragmas
    rng = random.Random(seed)
    today = datetime.now(UTC).replace(tzinfo=None)
    now = datetime(today.year, today.month, today.day)

    def moment(minutes: int) -> datetime:
        return now - timedelta(minutes=rng.randrange(minutes))

    stages = [slug for (slug,) in db.execute("SELECT slug FROM stage ORDER BY position")]
    places = _people(db, rng, people, stages, moment)
    history = _history(db, rng, people, interactions, moment)
    _lists(db, rng, people, places, history, now)
    _notes_and_tags(db, rng, people, history, moment)
    db.commit()
    counts = {
        table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("person", "interaction", "note", "list", "list_member", "person_tag")
    }
    db.close()
    # The triggers noted every person written here; index them now rather than in the first
    # search the benchmark times.
    create_app({"HOME": home, "TOKEN": TOKEN, "PORT": 7277})
    if not search_index.refresh(lock_wait_ms=10_000):
        raise RuntimeError("The search index could not be brought up to date: database locked.")
    close_database()
    return counts


def _people(db: sqlite3.Connection, rng: random.Random, people: int, stages: list[str], moment):
    """The person rows, their stage history and a few renames; answers each one's stage index."""
    weights = [0.65**k for k in range(len(stages))]  # fewer people at each later stage
    rows, moves, renames, places = [], [], [], []
    for n in range(people):
        added = moment(TWO_YEARS_MINUTES)
        place = rng.choices(range(len(stages)), weights)[0]
        places.append(place)
        rows.append(
            (str(10_000_000 + n), handle(n), f"User number {n}", rng.choice(BIOS).format(n=n),
             _tier_followers(rng), rng.randrange(20, 5_000), stages[place], str(added),
             str(added), str(added), str(added), rng.random() < 0.4, rng.choice((None, 0, 1)),
             int(rng.random() < 0.01))
        )  # fmt: skip
        at, previous = added, None
        for stage in [stages[0], *(s for s in stages[1 : place + 1] if rng.random() < 0.8)]:
            moves.append((n + 1, previous, stage, str(at)))
            previous, at = stage, at + timedelta(hours=rng.randrange(1, 24 * 40))
        if rng.random() < 0.01:
            renames.append((n + 1, f"old_{handle(n)}", str(added + timedelta(days=3))))
    db.executemany(
        "INSERT INTO person (x_id, handle, display_name, bio, followers_count, following_count,"
        " stage, first_seen, last_seen, created_at, updated_at, you_follow, follows_you,"
        " sells_followers, avatar_url, never_posts, no_follow_back)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?, '', 0, 0)",
        rows,
    )
    db.executemany(
        "INSERT INTO stage_change (person_id, from_stage, to_stage, changed_at, cause, source)"
        " VALUES (?, ?, ?, ?, '', 'manual')",
        moves,
    )
    db.executemany(
        "INSERT INTO earlier_handle (person_id, handle, replaced_at) VALUES (?, ?, ?)", renames
    )
    return places


def _history(db: sqlite3.Connection, rng: random.Random, people: int, count: int, moment):
    """`count` interactions, most of them with a minority of people; brings each person's
    summary columns up to date. Answers the kinds each person has, for the automatic lists."""
    # A heavy tail with a ceiling: at full scale the busiest people have a couple of thousand
    # interactions (daily contact for two years), most have a handful, 30% none.
    activity = [
        min(ACTIVITY_CEILING, rng.paretovariate(1.3)) if rng.random() < 0.7 else 0.0
        for _ in range(people)
    ]
    cumulative, total = [], 0.0
    for weight in activity:
        total += weight
        cumulative.append(total)
    who = rng.choices(range(1, people + 1), cum_weights=cumulative, k=count)
    mix = [(kind, direction) for kind, direction, _ in HISTORY_MIX]
    what = rng.choices(mix, [w for _, _, w in HISTORY_MIX], k=count)
    source = rng.choices([s for s, _ in SOURCES], [w for _, w in SOURCES], k=count)
    last: dict[int, tuple[str, str]] = {}
    last_out: dict[int, str] = {}
    kinds: dict[int, set[tuple[str, str]]] = {}
    created = str(datetime.now(UTC).replace(tzinfo=None))

    def rows():
        for k in range(count):
            pid, (kind, direction) = who[k], what[k]
            at = str(moment(TWO_YEARS_MINUTES))
            if pid not in last or at > last[pid][0]:
                last[pid] = (at, kind)
            if direction == "outbound" and at > last_out.get(pid, ""):
                last_out[pid] = at
            kinds.setdefault(pid, set()).add((kind, direction))
            status = 1_600_000_000_000_000_000 + k
            url = f"https://x.com/{handle(pid - 1)}/status/{status}" if kind != "follow" else ""
            text = "Thanks, this was useful!" if kind in ("reply", "mention", "dm") else ""
            yield (pid, kind, direction, at, url, text, source[k], f"bench:{k}", created)

    db.executemany(
        "INSERT INTO interaction (person_id, kind, direction, happened_at, tweet_url, text,"
        " source, dedupe_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )
    db.executemany(
        "UPDATE person SET last_interaction_at = ?, last_interaction_kind = ?,"
        " last_outbound_at = ? WHERE id = ?",
        ((at, kind, last_out.get(pid), pid) for pid, (at, kind) in last.items()),
    )
    return kinds


def _lists(db, rng: random.Random, people: int, places: list[int], kinds, now: datetime) -> None:
    """The built-in lists filled as a user's are, and sixteen lists of the user's own."""
    ids = {slug: lid for lid, slug in db.execute("SELECT id, slug FROM list")}
    stamp = str(now)
    own = []
    for k, size in enumerate(OWN_LIST_SIZES):
        cadence = (14, 30, None, None)[k % 4]
        own.append((f"list-{k + 1:02d}", f"List {k + 1}", cadence, size))
    db.executemany(
        "INSERT INTO list (slug, name, description, automatic, builtin, cadence_days,"
        " created_at, updated_at) VALUES (?, ?, '', 0, 0, ?, ?, ?)",
        [(slug, name, cadence, stamp, stamp) for slug, name, cadence, _ in own],
    )
    ids = {slug: lid for lid, slug in db.execute("SELECT id, slug FROM list")}
    everyone = range(1, people + 1)
    met = sorted(kinds)
    # The Watchlist: a hundred people, mostly further along the pipeline.
    advanced = [pid for pid in met if places[pid - 1] >= 2] or met
    members = {
        "watchlist": rng.sample(advanced, min(100, len(advanced))),
        "people-who-say-things": rng.sample(met, min(max(50, people // 200), len(met))),
        "mentioned-you": [pid for pid in met if ("mention", "inbound") in kinds[pid]],
        "favorited": [pid for pid in met if ("like", "outbound") in kinds[pid]],
    }
    for slug, _, _, size in own:
        members[slug] = rng.sample(everyone, min(people, max(10, size * people // 100_000)))
    db.executemany(
        "INSERT INTO list_member (list_id, person_id, added_at) VALUES (?, ?, ?)",
        (
            (ids[slug], pid, str(now - timedelta(minutes=rng.randrange(TWO_YEARS_MINUTES))))
            for slug, pids in members.items()
            for pid in pids
        ),
    )
    # Follow-ups the user has dealt with: some marked done this week, some snoozed.
    watch = members["watchlist"]
    db.executemany(
        "INSERT INTO followup (person_id, snoozed_until, done_at) VALUES (?, ?, ?)",
        [(pid, None, str(now - timedelta(days=rng.randrange(7)))) for pid in watch[:20]]
        + [(pid, str(now + timedelta(days=rng.randrange(1, 10))), None) for pid in watch[20:30]],
    )


def _notes_and_tags(db, rng: random.Random, people: int, kinds, moment) -> None:
    notes = []
    for pid in kinds:
        if rng.random() < 0.25:
            for _ in range(rng.randint(1, 3)):
                at = str(moment(TWO_YEARS_MINUTES))
                notes.append((pid, rng.choice(NOTES), at, at))
    db.executemany(
        "INSERT INTO note (person_id, body, created_at, updated_at) VALUES (?, ?, ?, ?)", notes
    )
    db.executemany("INSERT INTO tag (name) VALUES (?)", [(name,) for name in TAGS])
    tag_ids = [tid for (tid,) in db.execute("SELECT id FROM tag ORDER BY id")]
    pairs = {(pid, tag_ids[0]) for pid in range(1, people + 1, 11)}  # "design": every 11th
    for pid in range(1, people + 1):
        if rng.random() < 0.15:
            pairs.update((pid, tid) for tid in rng.sample(tag_ids[1:], rng.randint(1, 3)))
    db.executemany("INSERT INTO person_tag (person_id, tag_id) VALUES (?, ?)", sorted(pairs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path, help="an empty data folder to fill")
    parser.add_argument("--scale", choices=SCALES, default="small")
    args = parser.parse_args()
    scale = SCALES[args.scale]
    started = time.perf_counter()
    counts = fill(args.home, scale.people, scale.interactions)
    print(f"filled in {time.perf_counter() - started:.1f} s: {counts}")


if __name__ == "__main__":
    main()
