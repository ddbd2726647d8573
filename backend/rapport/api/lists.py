"""Lists: create, read, edit, delete; add and remove members (both idempotent)."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from ..errors import ErrorSchema
from ..schemas import (
    ListInSchema,
    ListPatchSchema,
    ListSchema,
    MembershipSchema,
    PageQuerySchema,
    PeoplePageSchema,
    PersonFieldsSchema,
    XUserId,
)
from ..services import lists, people
from . import Blueprint, thresholds

bp = Blueprint("lists", __name__, url_prefix="/api/lists", description="Lists of people")


class MemberSnapshotSchema(PersonFieldsSchema):
    """Optional profile data for a person added to a list (used when they are new)."""

    x_id = XUserId(allow_none=True)


@bp.route("")
class Lists(MethodView):
    @bp.response(200, ListSchema(many=True))
    def get(self) -> list[dict]:
        return lists.all_lists()

    @bp.arguments(ListInSchema)
    @bp.response(201, ListSchema)
    @bp.alt_response(409, schema=ErrorSchema, description="The slug is taken")
    def post(self, data: dict) -> dict:
        return lists.describe(lists.create_list(data))


@bp.route("/<string:slug>")
class ListView(MethodView):
    @bp.response(200, ListSchema)
    def get(self, slug: str) -> dict:
        return lists.describe(lists.get_list(slug))

    @bp.arguments(ListPatchSchema)
    @bp.response(200, ListSchema)
    def patch(self, data: dict, slug: str) -> dict:
        return lists.describe(lists.update_list(lists.get_list(slug), data))

    @bp.response(204)
    @bp.alt_response(409, schema=ErrorSchema, description="A built-in list")
    def delete(self, slug: str) -> Response:
        """Delete a list of your own (built-in lists stay)."""
        lists.delete_list(lists.get_list(slug))
        return Response(status=204)


@bp.route("/<string:slug>/members")
class Members(MethodView):
    @bp.arguments(PageQuerySchema, location="query")
    @bp.response(200, PeoplePageSchema)
    def get(self, params: dict, slug: str) -> dict:
        """The list's members, most recently added first."""
        found, total = lists.members(lists.get_list(slug), params["page"], params["per_page"])
        return {
            "items": people.describe_many(found, thresholds()),
            "total": total,
            "page": params["page"],
            "per_page": params["per_page"],
        }


@bp.route("/<string:slug>/members/<string:ref>")
class Member(MethodView):
    @bp.arguments(MemberSnapshotSchema(partial=True), required=False)
    @bp.response(200, MembershipSchema)
    def put(self, snapshot: dict | None, slug: str, ref: str) -> dict:
        """Add a person to the list, creating them if new (one-click "Add to watchlist")."""
        item = lists.get_list(slug)
        person, added = lists.add_member(item, ref, snapshot or None)
        return {
            "list": item.slug,
            "person": people.describe(person, thresholds()),
            "added": added,
            "removed": False,
        }

    @bp.response(200, MembershipSchema)
    def delete(self, slug: str, ref: str) -> dict:
        """Take a person off the list."""
        item = lists.get_list(slug)
        person, removed = lists.remove_member(item, ref)
        return {
            "list": item.slug,
            "person": people.describe(person, thresholds()) if person else None,
            "added": False,
            "removed": removed,
        }
