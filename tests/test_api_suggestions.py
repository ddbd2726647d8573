"""Stage suggestions over the API: kept up to date on every change, shown on the person and in the
annotations, accepted, dismissed, listed; auto-advance; and the settings that switch it on."""

from __future__ import annotations

from datetime import datetime

import pytest

from rapport.db import database
from rapport.models import Person, StageChange
from rapport.services import stage_rules, suggestions

from .api_support import count, days_ago, execute, iso, now, other_app
from .helpers import add_person, error_fields


@pytest.fixture
def ada(client) -> dict:
    return add_person(client, "ada", x_id="11")


def record(client, ref: str = "ada", **body) -> dict:
    response = client.post(f"/api/people/{ref}/interactions", json=body)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def person(client, ref: str = "ada") -> dict:
    return client.get(f"/api/people/{ref}").get_json()


def reason_day(moment: datetime) -> str:
    return stage_rules.day(moment, now())


def test_new_person_has_no_suggestion_and_their_next_step(client, ada):
    assert ada["suggestion"] is None
    assert ada["stage_name"] == "Stranger"
    assert ada["next_step"] == "Follow their posts and notice what they are good at."


def test_an_interaction_suggests_and_the_annotation_shows_it(client, ada):
    at = days_ago(2)
    record(client, kind="like", happened_at=iso(at))
    found = person(client)["suggestion"]
    assert found == {
        "stage": "noticed",
        "stage_name": "Noticed",
        "reason": f"you liked their post on {reason_day(at)}",
        "at": iso(at),
    }
    note = client.post("/api/annotations", json={"handles": ["ada"]}).get_json()["annotations"]
    assert note["ada"]["suggested_stage"] == "noticed"
    assert note["ada"]["suggestion_reason"] == found["reason"]


def test_edit_and_delete_recompute(client, ada):
    item = record(client, kind="reply", direction="inbound", happened_at=iso(days_ago(1)))
    assert person(client)["suggestion"]["stage"] == "acknowledged"
    client.patch(f"/api/people/ada/interactions/{item['id']}", json={"kind": "dm"})
    assert person(client)["suggestion"]["stage"] == "relationship"
    client.delete(f"/api/people/ada/interactions/{item['id']}")
    assert person(client)["suggestion"] is None


def test_follows_you_on_a_snapshot_suggests_mutual(client, ada):
    client.post("/api/people", json={"handle": "ada", "follows_you": True})
    found = person(client)["suggestion"]
    assert found["stage"] == "mutual"
    assert found["reason"].startswith("they follow you (seen on ")
    client.patch("/api/people/ada", json={"follows_you": False})
    assert person(client)["suggestion"] is None


def test_accept_moves_with_source_rule_and_the_reason(client, ada):
    record(client, kind="thanks", direction="inbound", happened_at=iso(days_ago(1)))
    reason = person(client)["suggestion"]["reason"]
    response = client.post("/api/people/ada/suggestion/accept")
    assert response.status_code == 200
    moved = response.get_json()
    assert moved["stage"] == "acknowledged"
    assert moved["suggestion"] is None
    assert moved["next_step"] == "Answer one of their questions."
    latest = client.get("/api/people/ada/stages").get_json()[0]
    assert (latest["to_stage"], latest["source"], latest["cause"]) == (
        "acknowledged",
        "rule",
        reason,
    )
    # Nothing left to accept.
    again = client.post("/api/people/ada/suggestion/accept")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "conflict"


def test_accepted_rule_move_does_not_block_later_evidence(client, ada):
    record(client, kind="like", happened_at=iso(days_ago(5)))
    client.post("/api/people/ada/suggestion/accept")
    record(client, kind="dm", happened_at=iso(days_ago(6)))  # older than the accept, still counts
    assert person(client)["suggestion"]["stage"] == "relationship"


def test_manual_stage_wins(client, ada):
    record(client, kind="dm", happened_at=iso(days_ago(3)))
    assert person(client)["suggestion"]["stage"] == "relationship"
    # The user says: only noticed. The DM before that is judged; no suggestion.
    client.post("/api/people/ada/stages", json={"stage": "noticed"})
    assert person(client)["suggestion"] is None
    record(client, kind="meeting", happened_at=iso(days_ago(4)))  # older than the manual move
    assert person(client)["suggestion"] is None
    record(client, kind="reply", direction="inbound", happened_at=iso(days_ago(0)))
    assert person(client)["suggestion"]["stage"] == "acknowledged"
    # And a rule never moves a manual stage back.
    client.patch("/api/people/ada", json={"stage": "advocate"})
    record(client, kind="like", happened_at=iso(days_ago(0)))
    assert person(client)["suggestion"] is None
    assert person(client)["stage"] == "advocate"


def test_dismiss_hides_until_newer_evidence(client, ada):
    record(client, kind="like", happened_at=iso(days_ago(3)))
    response = client.post("/api/people/ada/suggestion/dismiss")
    assert response.status_code == 200
    assert response.get_json()["suggestion"] is None
    assert client.post("/api/people/ada/suggestion/dismiss").status_code == 200  # idempotent
    # Older evidence for the same stage does not bring it back...
    record(client, kind="retweet", happened_at=iso(days_ago(4)))
    assert person(client)["suggestion"] is None
    client.post("/api/people", json={"handle": "ada", "display_name": "Ada"})
    assert person(client)["suggestion"] is None
    # ...newer evidence does,
    record(client, kind="like", happened_at=iso(days_ago(1)))
    assert person(client)["suggestion"]["stage"] == "noticed"
    # and so does evidence for another stage.
    client.post("/api/people/ada/suggestion/dismiss")
    record(client, kind="reply", direction="inbound", happened_at=iso(days_ago(2)))
    assert person(client)["suggestion"]["stage"] == "acknowledged"


def test_deleting_or_moving_stages_recomputes(client, ada):
    record(client, kind="like", happened_at=iso(days_ago(3)))
    assert client.delete("/api/stages/noticed").status_code == 204
    assert person(client)["suggestion"] is None
    assert client.post("/api/stages", json={"slug": "noticed", "name": "Seen"}).status_code == 201
    # Re-added at the end of the pipeline: still ahead of stranger.
    assert person(client)["suggestion"]["stage_name"] == "Seen"
    client.post("/api/people/ada/stages", json={"stage": "mutual", "source": "rule"})
    assert person(client)["suggestion"]["stage"] == "noticed"  # last stage, ahead of mutual
    client.patch("/api/stages/noticed", json={"position": 1})
    assert person(client)["suggestion"] is None  # now behind mutual


def test_suggestions_list_newest_evidence_first_and_paged(client):
    for number, days in enumerate((5, 1, 3)):
        add_person(client, f"p{number}")
        record(client, f"p{number}", kind="like", happened_at=iso(days_ago(days)))
    add_person(client, "nothing")
    page = client.get("/api/suggestions").get_json()
    assert [p["handle"] for p in page["items"]] == ["p1", "p2", "p0"]
    assert (page["total"], page["page"], page["per_page"]) == (3, 1, 50)
    assert all(p["suggestion"]["stage"] == "noticed" for p in page["items"])
    second = client.get("/api/suggestions", query_string={"per_page": 2, "page": 2}).get_json()
    assert [p["handle"] for p in second["items"]] == ["p0"]
    bad = client.get("/api/suggestions", query_string={"per_page": 0})
    assert "per_page" in error_fields(bad)


def test_accept_and_dismiss_unknown_person_404(client):
    for action in ("accept", "dismiss"):
        response = client.post(f"/api/people/ghost/suggestion/{action}")
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


# ---- settings and auto-advance ------------------------------------------------------------------


def test_settings_default_and_change(client):
    assert client.get("/api/settings").get_json() == {"auto_advance": False}
    changed = client.patch("/api/settings", json={"auto_advance": True})
    assert changed.status_code == 200
    assert changed.get_json() == {"auto_advance": True}
    assert client.get("/api/settings").get_json() == {"auto_advance": True}
    assert client.patch("/api/settings", json={}).get_json() == {"auto_advance": True}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"auto_advance": "maybe"}, "auto_advance"),
        ({"auto_advance": None}, "auto_advance"),
        ({"auto_advance": True, "dark_mode": True}, "dark_mode"),
        ({"autoAdvance": True}, "autoAdvance"),
    ],
)
def test_settings_refuse_bad_values_and_unknown_names(client, body, field):
    response = client.patch("/api/settings", json=body)
    assert response.status_code == 422
    assert field in error_fields(response)
    assert client.get("/api/settings").get_json() == {"auto_advance": False}


def test_auto_advance_applies_new_suggestions_at_once(client, ada):
    record(client, kind="like", happened_at=iso(days_ago(3)))
    client.patch("/api/settings", json={"auto_advance": True})
    # What was waiting stays until something about the person changes.
    assert person(client)["stage"] == "stranger"
    record(client, kind="reply", direction="inbound", happened_at=iso(days_ago(1)))
    current = person(client)
    assert (current["stage"], current["suggestion"]) == ("acknowledged", None)
    change = client.get("/api/people/ada/stages").get_json()[0]
    assert change["source"] == "rule"
    assert change["cause"].startswith("they replied to you on ")


def test_auto_advance_never_goes_over_a_newer_manual_change(client, ada):
    client.patch("/api/settings", json={"auto_advance": True})
    record(client, kind="dm", happened_at=iso(days_ago(3)))
    assert person(client)["stage"] == "relationship"
    client.patch("/api/people/ada", json={"stage": "noticed"})  # the user knows better
    assert person(client)["stage"] == "noticed"
    record(client, kind="call", happened_at=iso(days_ago(2)))  # older than the manual move
    assert person(client)["stage"] == "noticed"
    record(client, kind="like", happened_at=iso(days_ago(0)))  # behind: never backwards
    assert person(client)["stage"] == "noticed"
    manual = count(StageChange, StageChange.source == "manual", StageChange.to_stage == "noticed")
    assert manual == 1


def test_refresh_many_matches_refresh(client, ada):
    add_person(client, "bob")
    record(client, kind="like", happened_at=iso(days_ago(3)))
    record(client, "bob", kind="mention", direction="inbound", happened_at=iso(days_ago(2)))
    with database.connection_context():
        before = list(Person.select(Person.suggested_stage).order_by(Person.id).tuples())
        Person.update(suggested_stage=None, suggestion_reason=None, suggestion_at=None).execute()
        assert suggestions.refresh_many() == 2
        assert suggestions.refresh_many() == 0
        after = list(Person.select(Person.suggested_stage).order_by(Person.id).tuples())
    assert before == after == [("noticed",), ("advocate",)]


def test_import_computes_suggestions_and_follow_times(client, ada, tmp_path):
    record(client, kind="mention", direction="inbound", happened_at=iso(days_ago(2)))
    client.post("/api/people", json={"handle": "ada", "follows_you": True})
    document = client.get("/api/export").get_json()
    with other_app(tmp_path / "elsewhere") as other:
        assert other.post("/api/import", json=document).status_code == 200
        imported = other.get("/api/people/ada").get_json()
        assert imported["suggestion"]["stage"] == "advocate"
        assert imported["balance"]["d30"] == {"outbound": 0, "inbound": 1}
        since = execute("SELECT follows_you_since, last_seen FROM person WHERE handle = 'ada'")
        assert since[0][0] == since[0][1]


def test_a_stages_next_step_is_editable_and_shown_on_the_person(client, ada):
    response = client.patch("/api/stages/stranger", json={"next_step": "Read their last 10 posts."})
    assert response.status_code == 200
    assert person(client)["next_step"] == "Read their last 10 posts."
    note = client.post("/api/annotations", json={"handles": ["ada"]}).get_json()["annotations"]
    assert note["ada"]["next_step"] == "Read their last 10 posts."
    client.patch("/api/stages/stranger", json={"next_step": ""})
    assert person(client)["next_step"] is None
