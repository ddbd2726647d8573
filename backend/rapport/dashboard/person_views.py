"""The Person page (`/people/<ref>`): the profile snapshot, stage and its history, the contact
history as a timeline, notes, lists, tags and clean-up flags, each with the form that changes it.

`ref` is a handle, a handle used before a rename, or an X user id (the extension links to
`/people/<handle>`); the page redirects to the person's current handle. Every form posts to its
own address below the page and comes back to the page (post/redirect/get), with a message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from ..models import DIRECTIONS, FLAG_FIELDS, INTERACTION_KINDS, Person
from ..problems import ApiError
from ..schemas import MAX_PAGE, InteractionInSchema, NoteInSchema
from ..services import bulk, interactions, lists, notes, stages, suggestions, tags
from ..services import people as people_service
from . import bp

TIMELINE_PER_PAGE = 25
FIELD_LABELS = {
    "body": "Note",
    "kind": "Kind",
    "direction": "Who did it",
    "happened_at": "When",
    "tweet_url": "Link to the post",
    "text": "What happened",
    "tag": "Tag",
    "stage": "Stage",
}
FLAG_LABELS = {
    "sells_followers": "Sells followers",
    "never_posts": "Never posts",
    "no_follow_back": "No follow-back",
}


def _field(name: str) -> str:
    """A form field's text, trimmed, with a browser's CRLF line ends made plain LF."""
    return request.form.get(name, "").replace("\r\n", "\n").strip()


def _find(ref: str) -> Person:
    person = people_service.find(ref)
    if person is None:
        abort(404, f"No one called {ref!r} is tracked.")
    return person


def _ref(person: Person) -> str:
    """How the page addresses `person`: their handle, else their X user id."""
    return person.handle or person.x_id


def _back(person: Person, section: str) -> Response:
    return redirect(url_for("dashboard.person", ref=_ref(person)) + f"#{section}", 303)


@contextmanager
def _reported() -> Iterator[None]:
    """Turn a refused change into a message on the page instead of an error page."""
    try:
        yield
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"": error.messages}
        for field, texts in messages.items():
            label = FIELD_LABELS.get(str(field), str(field).replace("_", " ").capitalize())
            flash(f"{label}: {' '.join(map(str, texts))}", "error")
    except ApiError as error:
        flash(error.message, "error")


@bp.route("/people/<ref>")
def person(ref: str) -> Response | str:
    """One person's page."""
    found = _find(ref)
    if ref != _ref(found):
        return redirect(url_for("dashboard.person", ref=_ref(found), page=request.args.get("page")))
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    described = people_service.describe(found, current_app.config["TIER_THRESHOLDS"])
    all_stages = stages.all_stages()
    all_lists = lists.all_lists()
    return render_template(
        "dashboard/person.html",
        person=described,
        stages=all_stages,
        stage={s["slug"]: s for s in all_stages}.get(described["stage"]),
        stage_names={s["slug"]: s["name"] for s in all_stages},
        history=stages.history(found),
        notes=notes.list_notes(found),
        timeline=interactions.page(found, {"page": number, "per_page": TIMELINE_PER_PAGE}),
        lists=all_lists,
        list_names={item["slug"]: item["name"] for item in all_lists},
        kinds=INTERACTION_KINDS,
        directions=DIRECTIONS,
        flags=FLAG_LABELS,
    )


@bp.route("/people/<ref>/stage", methods=["POST"])
def change_stage(ref: str) -> Response:
    found = _find(ref)
    slug = request.form.get("stage", "")
    with _reported():
        moved = stages.change_stage(found, slug, cause=_field("cause")[:500], source="manual")
        name = stages.get_stage(slug).name
        flash(f"Moved to {name}." if moved else f"Already at {name}.", "ok")
    return _back(found, "stage")


@bp.route("/people/<ref>/suggestion/accept", methods=["POST"])
def accept_suggestion(ref: str) -> Response:
    found = _find(ref)
    with _reported():
        moved = suggestions.accept(found)
        flash(f"Moved to {stages.get_stage(moved.stage_id).name}.", "ok")
    return _back(found, "stage")


@bp.route("/people/<ref>/suggestion/dismiss", methods=["POST"])
def dismiss_suggestion(ref: str) -> Response:
    found = _find(ref)
    with _reported():
        suggestions.dismiss(found)
        flash("Suggestion set aside until something new happens.", "ok")
    return _back(found, "stage")


@bp.route("/people/<ref>/notes", methods=["POST"])
def add_note(ref: str) -> Response:
    found = _find(ref)
    with _reported():
        data = NoteInSchema().load({"body": _field("body")})
        notes.add_note(found, data["body"])
        flash("Note added.", "ok")
    return _back(found, "notes")


@bp.route("/people/<ref>/notes/<int:note_id>", methods=["POST"])
def edit_note(ref: str, note_id: int) -> Response:
    found = _find(ref)
    with _reported():
        note = notes.get_note(found, note_id)
        data = NoteInSchema().load({"body": _field("body")})
        notes.edit_note(note, data["body"])
        flash("Note saved.", "ok")
    return _back(found, f"note-{note_id}")


@bp.route("/people/<ref>/notes/<int:note_id>/delete", methods=["POST"])
def delete_note(ref: str, note_id: int) -> Response:
    found = _find(ref)
    with _reported():
        notes.delete_note(notes.get_note(found, note_id))
        flash("Note deleted.", "ok")
    return _back(found, "notes")


@bp.route("/people/<ref>/lists", methods=["POST"])
def add_to_list(ref: str) -> Response:
    found = _find(ref)
    slug = request.form.get("list", "")
    with _reported():
        if not slug:
            raise ValidationError({"list": ["Choose a list."]})
        bulk.add_to_list([found.id], slug)
        flash(f"Added to {lists.get_list(slug).name}.", "ok")
    return _back(found, "lists")


@bp.route("/people/<ref>/lists/remove", methods=["POST"])
def remove_from_list(ref: str) -> Response:
    found = _find(ref)
    slug = request.form.get("list", "")
    with _reported():
        bulk.remove_from_list([found.id], slug)
        flash(f"Removed from {lists.get_list(slug).name}.", "ok")
    return _back(found, "lists")


@bp.route("/people/<ref>/tags", methods=["POST"])
def add_tag(ref: str) -> Response:
    found = _find(ref)
    with _reported():
        name = tags.valid_name(request.form.get("tag", ""))
        tags.add_tag(found, name)
        flash(f"Tagged '{name}'.", "ok")
    return _back(found, "tags")


@bp.route("/people/<ref>/tags/remove", methods=["POST"])
def remove_tag(ref: str) -> Response:
    found = _find(ref)
    name = request.form.get("tag", "")
    with _reported():
        tags.remove_tag(found, name)
        flash(f"Tag '{name}' removed.", "ok")
    return _back(found, "tags")


@bp.route("/people/<ref>/flags", methods=["POST"])
def set_flags(ref: str) -> Response:
    found = _find(ref)
    with _reported():
        people_service.update(found, {name: name in request.form for name in FLAG_FIELDS})
        flash("Flags saved.", "ok")
    return _back(found, "flags")


@bp.route("/people/<ref>/interactions", methods=["POST"])
def log_interaction(ref: str) -> Response:
    found = _find(ref)
    fields = ("kind", "direction", "happened_at", "tweet_url", "text")
    data = {k: _field(k) for k in fields}
    data = {k: v for k, v in data.items() if v}
    if "happened_at" in data:
        data["happened_at"] = _from_local(data["happened_at"])
    with _reported():
        _, created = interactions.record(found, InteractionInSchema().load(data))
        flash("Interaction logged." if created else "That was in the history already.", "ok")
    return _back(found, "timeline")


def _from_local(value: str) -> str:
    """A time typed in a date-time field (this machine's local time, no offset) with its offset,
    so the schema, which takes a time without one as UTC, reads it right."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value  # the schema reports it
    return (moment if moment.tzinfo else moment.astimezone()).isoformat()
