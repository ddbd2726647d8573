"""The Pipeline page: a column per stage with its count, the people most recently in touch in
each, and moving a card to another stage (a manual stage change, kept in the history)."""

from __future__ import annotations

import pytest
from flask import Flask

from .dashboard_support import Browser, flashes, location, text
from .helpers import add_person


@pytest.fixture
def signed(app: Flask) -> Browser:
    browser = Browser(app)
    browser.sign_in()
    return browser


def column(page: str, slug: str) -> str:
    return page.split(f'id="stage-{slug}"', 1)[1].split("</section>", 1)[0]


def test_columns_in_pipeline_order_with_counts(client, signed: Browser) -> None:
    add_person(client, "nora_noticed", stage="noticed")
    add_person(client, "nils_noticed", stage="noticed")
    add_person(client, "cleo_conversing", stage="conversing", display_name="Cleo <b>C</b>")
    client.post(
        "/api/people/nils_noticed/interactions", json={"kind": "like", "direction": "outbound"}
    )
    page = text(signed.get("/pipeline"))
    order = [page.index(f'id="stage-{slug}"') for slug in ("stranger", "noticed", "conversing")]
    assert order == sorted(order)
    noticed = column(page, "noticed")
    assert 'aria-label="2 people"' in noticed
    # Most recently in touch first.
    assert noticed.index("nils_noticed") < noticed.index("nora_noticed")
    assert "Cleo &lt;b&gt;C&lt;/b&gt;" in column(page, "conversing")
    assert "Nobody here yet." in column(page, "advocate")
    assert 'aria-current="page">Pipeline' in page


def test_a_full_column_links_to_the_rest(client, signed: Browser, monkeypatch) -> None:
    from rapport.dashboard import pipeline_views

    monkeypatch.setattr(pipeline_views, "PER_STAGE", 2)
    for n in range(3):
        add_person(client, f"many_{n}", stage="mutual")
    mutual = column(text(signed.get("/pipeline")), "mutual")
    assert mutual.count('class="board-card"') == 2
    assert "All 3 at Mutual" in mutual
    assert 'href="/people?stage=mutual"' in mutual


def test_moving_a_card(client, signed: Browser) -> None:
    add_person(client, "nora_noticed", stage="noticed")
    response = signed.post("/pipeline/move", {"person": "nora_noticed", "stage": "mutual"})
    assert response.status_code == 303
    assert location(response) == "/pipeline#stage-mutual"
    assert flashes(signed)[-1] == ("ok", "Moved @nora_noticed to Mutual.")
    assert client.get("/api/people/nora_noticed").get_json()["stage"] == "mutual"
    change = client.get("/api/people/nora_noticed/stages").get_json()[0]
    assert (change["from_stage"], change["to_stage"], change["source"]) == (
        "noticed",
        "mutual",
        "manual",
    )
    signed.post("/pipeline/move", {"person": "nora_noticed", "stage": "mutual"})
    assert flashes(signed)[-1] == ("ok", "@nora_noticed is already at Mutual.")


@pytest.mark.parametrize(
    ("form", "why"),
    [
        ({"person": "nora_noticed", "stage": "nowhere"}, "stage"),
        ({"person": "nobody_here", "stage": "mutual"}, "nobody"),
        ({"stage": "mutual"}, "nobody"),
    ],
)
def test_bad_moves_are_refused_on_the_page(client, signed: Browser, form, why) -> None:
    add_person(client, "nora_noticed", stage="noticed")
    response = signed.post("/pipeline/move", form)
    assert response.status_code == 303
    kind, message = flashes(signed)[-1]
    assert kind == "error"
    assert message
    assert client.get("/api/people/nora_noticed").get_json()["stage"] == "noticed"


def test_moves_need_the_csrf_token(client, signed: Browser) -> None:
    add_person(client, "nora_noticed", stage="noticed")
    refused = signed.post(
        "/pipeline/move", {"person": "nora_noticed", "stage": "mutual"}, csrf=None
    )
    assert refused.status_code in (400, 403)
    assert client.get("/api/people/nora_noticed").get_json()["stage"] == "noticed"
