"""A person's notes: list, add, edit, delete."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from ..models import Note
from ..schemas import NoteInSchema, NoteSchema
from ..services import notes, people
from . import Blueprint

bp = Blueprint(
    "notes", __name__, url_prefix="/api/people/<string:ref>/notes", description="Notes on a person"
)


@bp.route("")
class Notes(MethodView):
    @bp.response(200, NoteSchema(many=True))
    def get(self, ref: str) -> list[Note]:
        """A person's notes, newest first."""
        return notes.list_notes(people.get(ref))

    @bp.arguments(NoteInSchema)
    @bp.response(201, NoteSchema)
    def post(self, data: dict, ref: str) -> Note:
        """Add a note."""
        return notes.add_note(people.get(ref), data["body"])


@bp.route("/<int:note_id>")
class NoteView(MethodView):
    @bp.response(200, NoteSchema)
    def get(self, ref: str, note_id: int) -> Note:
        return notes.get_note(people.get(ref), note_id)

    @bp.arguments(NoteInSchema)
    @bp.response(200, NoteSchema)
    def patch(self, data: dict, ref: str, note_id: int) -> Note:
        """Change a note's text."""
        return notes.edit_note(notes.get_note(people.get(ref), note_id), data["body"])

    @bp.response(204)
    def delete(self, ref: str, note_id: int) -> Response:
        notes.delete_note(notes.get_note(people.get(ref), note_id))
        return Response(status=204)
