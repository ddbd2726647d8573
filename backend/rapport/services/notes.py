"""Notes: plain-text notes on a person, newest first."""

from __future__ import annotations

from ..db import write_transaction
from ..models import Note, Person, utcnow
from ..problems import NotFoundError
from ..schemas import MAX_ROW_ID


def list_notes(person: Person) -> list[Note]:
    return list(
        Note.select().where(Note.person == person).order_by(Note.created_at.desc(), Note.id.desc())
    )


def get_note(person: Person, note_id: int) -> Note:
    note = None
    if note_id <= MAX_ROW_ID:
        note = Note.get_or_none((Note.id == note_id) & (Note.person == person))
    if note is None:
        raise NotFoundError(f"Note {note_id} does not exist for this person.")
    return note


def add_note(person: Person, body: str) -> Note:
    now = utcnow()
    with write_transaction():
        return Note.create(person=person, body=body, created_at=now, updated_at=now)


def edit_note(note: Note, body: str) -> Note:
    with write_transaction():
        note.body = body
        note.updated_at = utcnow()
        note.save()
    return note


def delete_note(note: Note) -> None:
    with write_transaction():
        note.delete_instance()
