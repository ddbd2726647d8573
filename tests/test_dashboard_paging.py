"""Keyset pages (`services.people.search_keyset`, the People table's paging) list exactly what the
numbered pages of `search` list, in the same order, forwards and backwards, for every sort and
filter, with ties and people without a value (they come last)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from flask import Flask

from rapport.db import database
from rapport.models import Person, utcnow
from rapport.services import people

THRESHOLDS = {"nano": 1_000, "micro": 10_000, "mid": 50_000, "macro": 500_000, "mega": 1_000_000}
SORTS = ("-last_interaction", "last_interaction", "-followers", "followers", "stage", "-stage",
         "-created", "created", "handle", "-updated")  # fmt: skip
FILTERS = ({}, {"tier": "none"}, {"stage": "mutual"}, {"q": "1"}, {"q": "zzz"})


@pytest.fixture
def crowd(app: Flask) -> None:
    """230 people: followers in few values (ties), some unknown; some never contacted."""
    rng = random.Random(3)
    stages = ("stranger", "noticed", "mutual", "advocate")
    now = utcnow()
    rows = []
    for n in range(230):
        followers = None if n % 5 == 0 else rng.choice((10, 500, 5_000, 20_000, 20_000, 2_000_000))
        last = None if n % 3 == 0 else now - timedelta(hours=rng.randrange(0, 40))
        rows.append(
            {
                "handle": f"k{n:03d}",
                "followers_count": followers,
                "stage": rng.choice(stages),
                "last_interaction_at": last,
                "created_at": now - timedelta(days=n % 17),
                "updated_at": now - timedelta(days=n % 4),
            }
        )
    with database.connection_context():
        Person.insert_many(rows).execute()


def numbered(params: dict) -> list[int]:
    found, page = [], 1
    while True:
        answer = people.search({**params, "page": page}, THRESHOLDS)
        if not answer["items"]:
            return found
        found += [p["id"] for p in answer["items"]]
        page += 1


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize(
    "filters", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()) or "all"
)
def test_keyset_pages_match_numbered_pages(crowd, sort: str, filters: dict) -> None:
    params = {"sort": sort, "per_page": 23, **filters}
    with database.connection_context():
        expected = numbered(params)
        pages = []
        answer = people.search_keyset(params, THRESHOLDS)
        assert answer["previous"] is None
        while True:
            assert answer["total"] == len(expected)
            pages.append([p["id"] for p in answer["items"]])
            if answer["next"] is None:
                break
            answer = people.search_keyset(params, THRESHOLDS, after=answer["next"])
        assert [i for page in pages for i in page] == expected
        assert all(len(page) == 23 for page in pages[:-1])
        back = []
        while answer["previous"] is not None:
            answer = people.search_keyset(params, THRESHOLDS, before=answer["previous"])
            back.append([p["id"] for p in answer["items"]])
        assert back == pages[:-1][::-1]


def test_a_page_from_someone_deleted_starts_at_the_beginning(crowd) -> None:
    with database.connection_context():
        first = people.search_keyset({"per_page": 10}, THRESHOLDS)
        Person.delete().where(Person.id == first["next"]).execute()
        again = people.search_keyset({"per_page": 10}, THRESHOLDS, after=first["next"])
        assert again == people.search_keyset({"per_page": 10}, THRESHOLDS)
        assert again["previous"] is None
