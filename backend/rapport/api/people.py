"""People: list with filters, upsert from a profile snapshot, read, edit, delete."""

from __future__ import annotations

from flask import Response, jsonify
from flask.views import MethodView

from ..schemas import (
    PeoplePageSchema,
    PeopleQuerySchema,
    PersonPatchSchema,
    PersonSchema,
    PersonSnapshotSchema,
)
from ..services import people, tags
from . import Blueprint, thresholds
from .person_json import people_json

bp = Blueprint("people", __name__, url_prefix="/api/people", description="People you track")


@bp.route("")
class People(MethodView):
    @bp.arguments(PeopleQuerySchema, location="query")
    @bp.response(200, PeoplePageSchema)
    def get(self, params: dict) -> Response:
        """People, filtered by stage, tier, list, tag, text or inactivity; sorted and paged."""
        page = people.search(params, thresholds())
        return jsonify({**page, "items": people_json(page["items"])})

    @bp.arguments(PersonSnapshotSchema)
    @bp.response(200, PersonSchema, description="An existing person, brought up to date")
    @bp.alt_response(201, schema=PersonSchema, description="A new person")
    def post(self, data: dict) -> tuple[dict, int]:
        """Create or update a person from a profile snapshot (matched by X user id, else handle)."""
        person, created = people.upsert_snapshot(data, source="manual")
        return people.describe(person, thresholds()), 201 if created else 200


@bp.route("/<string:ref>")
class PersonView(MethodView):
    @bp.response(200, PersonSchema)
    def get(self, ref: str) -> dict:
        """One person, by handle (current or earlier) or X user id."""
        return people.describe(people.get(ref), thresholds())

    @bp.arguments(PersonPatchSchema)
    @bp.response(200, PersonSchema)
    def patch(self, data: dict, ref: str) -> dict:
        """Edit a person: profile fields, handle, flags, stage (kept in history), tags."""
        person = people.update(people.get(ref), data)
        return people.describe(person, thresholds())

    @bp.response(204)
    def delete(self, ref: str) -> Response:
        """Forget a person with their notes, history and memberships."""
        people.delete(people.get(ref))
        return Response(status=204)


@bp.route("/<string:ref>/tags/<string:tag>")
class PersonTagView(MethodView):
    @bp.response(200, PersonSchema)
    def put(self, ref: str, tag: str) -> dict:
        """Tag a person (idempotent)."""
        person = people.get(ref)
        tags.add_tag(person, tags.valid_name(tag))
        return people.describe(person, thresholds())

    @bp.response(200, PersonSchema)
    def delete(self, ref: str, tag: str) -> dict:
        """Remove a tag from a person (idempotent)."""
        person = people.get(ref)
        tags.remove_tag(person, tag)
        return people.describe(person, thresholds())
