"""The people list finds the same people in the same order however it reads them.

A list or tag holding most people is read by walking the sort order and testing each person met
(see `_walks_the_order` in services/people.py); a small one by reading its members and sorting
them; a list or tag alone is counted in its membership table. Every way gives the same pages.
"""

from __future__ import annotations

import pytest

from rapport.schemas import PEOPLE_SORTS
from rapport.services.people import _walks_the_order

from .api_support import days_ago, handles, iso
from .helpers import add_person

PEOPLE = 40
MEMBERS = 25  # of 40: pages of 5 are walked, the whole list at once is sorted


@pytest.fixture
def crowd(client):
    """40 people with varied followers, stages and last interactions (some none); the first 25
    on the list 'most' and tagged 'Common'; three on 'few' and tagged 'rare'."""
    client.post("/api/lists", json={"slug": "most", "name": "Most"})
    client.post("/api/lists", json={"slug": "few", "name": "Few"})
    stages = ["stranger", "noticed", "conversing", "mutual"]
    for k in range(PEOPLE):
        handle = f"p{k:02d}"
        add_person(
            client,
            handle,
            followers_count=None if k % 7 == 0 else (k * 7919) % 50_000,
            stage=stages[k % 4],
        )
        if k % 3:
            when = iso(days_ago((k * 37) % 200 + 0.5))
            client.post(
                f"/api/people/{handle}/interactions", json={"kind": "like", "happened_at": when}
            )
        if k < MEMBERS:
            client.put(f"/api/lists/most/members/{handle}")
            client.put(f"/api/people/{handle}/tags/Common")
        if k % 13 == 1:
            client.put(f"/api/lists/few/members/{handle}")
            client.put(f"/api/people/{handle}/tags/rare")
    return client


def page_through(client, per_page: int, **params) -> tuple[list[str], set[int]]:
    found, totals, page = [], set(), 1
    while True:
        answer = client.get(
            "/api/people", query_string={**params, "page": page, "per_page": per_page}
        ).get_json()
        totals.add(answer["total"])
        found += handles(answer)
        if page * per_page >= answer["total"]:
            return found, totals
        page += 1


@pytest.mark.parametrize("sort", [*PEOPLE_SORTS, *(f"-{s}" for s in PEOPLE_SORTS)])
@pytest.mark.parametrize("members", [{"list": "most"}, {"tag": "common"}, {"tag": "COMMON"}])
def test_walking_the_order_finds_the_pages_sorting_finds(crowd, sort, members):
    assert _walks_the_order(MEMBERS, 5, PEOPLE)  # pages of 5 are found by walking
    assert not _walks_the_order(MEMBERS, 500, PEOPLE)  # all at once, by sorting
    walked, walked_totals = page_through(crowd, 5, sort=sort, **members)
    sorted_, sorted_totals = page_through(crowd, 500, sort=sort, **members)
    assert walked == sorted_
    assert sorted(walked) == [f"p{k:02d}" for k in range(MEMBERS)]
    assert walked_totals == sorted_totals == {MEMBERS}


def test_a_small_list_or_tag_with_other_filters(crowd):
    few = {f"p{k:02d}" for k in range(PEOPLE) if k % 13 == 1}
    assert set(page_through(crowd, 2, list="few")[0]) == few
    assert set(page_through(crowd, 2, tag="RARE")[0]) == few
    noticed = {h for h in few if int(h[1:]) % 4 == 1}
    assert set(page_through(crowd, 2, list="few", stage="noticed")[0]) == noticed
    both, totals = page_through(crowd, 2, list="most", tag="rare")
    assert set(both) == {h for h in few if int(h[1:]) < MEMBERS} and totals == {len(both)}
    assert page_through(crowd, 5, list="few", inactive_days=0)[1] == {len(few)}


def test_an_unknown_list_or_tag_has_no_one(crowd):
    for params in ({"list": "nope"}, {"tag": "nope"}, {"list": "most", "tag": "nope"}):
        answer = crowd.get("/api/people", query_string=params).get_json()
        assert (answer["total"], answer["items"]) == (0, [])
