"""The People table (`/people`): everyone tracked, searched, filtered (stage, tier, list, tag; and
"show only" those due for a follow-up, with a one-sided balance or a clean-up candidate, with
the reasons), sorted and paged, with bulk actions (add to list, set stage, add tag) on the
checked rows.

Pages are keyset pages (`services.people.search_keyset`): the links say "after this person" or
"before this person" rather than "page 1,234", so every page of 100,000 people is as quick as
the first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask import current_app, flash, redirect, render_template, request, url_for
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from werkzeug.wrappers import Response

from ..problems import ApiError
from ..schemas import MAX_ROW_ID
from ..services import bulk, cleanup, lists, stages, tags, tiers
from ..services import people as people_service
from . import bp
from .auth import here, safe_next

PER_PAGE = 50
TIERS = ("none", *tiers.TIER_ORDER)
SORTS = {
    "-last_interaction": "Last interaction, newest first",
    "last_interaction": "Last interaction, oldest first",
    "-followers": "Most followers first",
    "followers": "Fewest followers first",
    "stage": "Stage, earliest first",
    "-stage": "Stage, furthest first",
    "-created": "Added, newest first",
    "created": "Added, oldest first",
}
DEFAULT_SORT = "-last_interaction"
FILTERS = ("q", "stage", "tier", "list", "tag", "due", "one_sided", "cleanup")
# The "show only" checkboxes: due for a follow-up, one-sided balance, clean-up candidate.
CHECKS = {
    "due": "Due for a follow-up",
    "one_sided": "One-sided",
    "cleanup": "Clean-up candidate",
}
# The sortable columns of the table, with the direction a first click sorts them in.
COLUMN_SORTS = {
    "stage": "stage",
    "followers": "-followers",
    "last": "-last_interaction",
    "added": "-created",
}


class PeopleFilterSchema(Schema):
    """The table's query string; unknown parameters are ignored (this is a page, not the API)."""

    class Meta:
        unknown = EXCLUDE

    q = fields.String(validate=validate.Length(max=200))
    stage = fields.String(validate=validate.Length(min=1, max=40))
    tier = fields.String(validate=validate.OneOf(TIERS))
    list = fields.String(validate=validate.Length(min=1, max=60))
    tag = fields.String(validate=validate.Length(min=1, max=50))
    due = fields.Boolean(truthy={"1", "on", "true"}, falsy={"0", "off", "false"})
    one_sided = fields.Boolean(truthy={"1", "on", "true"}, falsy={"0", "off", "false"})
    cleanup = fields.Boolean(truthy={"1", "on", "true"}, falsy={"0", "off", "false"})
    sort = fields.String(load_default=DEFAULT_SORT, validate=validate.OneOf(tuple(SORTS)))
    after = fields.Integer(validate=validate.Range(1, MAX_ROW_ID))
    before = fields.Integer(validate=validate.Range(1, MAX_ROW_ID))


def parse_filters(args: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The valid filters in `args` and the names of those that were not valid (left out)."""
    raw = {key: value.strip() for key, value in args.items() if value.strip()}
    schema = PeopleFilterSchema()
    try:
        return schema.load(raw), []
    except ValidationError as error:
        bad = sorted(error.messages if isinstance(error.messages, dict) else {})
        return schema.load({k: v for k, v in raw.items() if k not in bad}), bad


def people_url(filters: Mapping[str, Any], **changes: Any) -> str:
    """The table's address with `filters`, changed by `changes` (None removes a parameter).

    Paging parameters are dropped unless given: a new filter or sort starts at the first page.
    """
    values = {k: v for k, v in filters.items() if k not in ("after", "before")}
    values.update(changes)
    if values.get("sort") == DEFAULT_SORT:
        values.pop("sort")
    values = {k: "1" if v is True else v for k, v in values.items() if v is not False}
    query = urlencode({k: v for k, v in values.items() if v not in (None, "")})
    return url_for("dashboard.people") + (f"?{query}" if query else "")


def column_sort(filters: Mapping[str, Any], column: str) -> tuple[str, str | None]:
    """The link of a column heading (it sorts by the column, or turns the sort around) and the
    column's aria-sort value."""
    first = COLUMN_SORTS[column]
    current = filters.get("sort", DEFAULT_SORT)
    if current.lstrip("-") != first.lstrip("-"):
        return people_url(filters, sort=first), None
    flipped = current[1:] if current.startswith("-") else f"-{current}"
    return (
        people_url(filters, sort=flipped),
        "descending" if current.startswith("-") else "ascending",
    )


@bp.route("/")
def home() -> Response:
    """The dashboard's front page is the People table."""
    return redirect(url_for("dashboard.people"))


@bp.route("/people", methods=["GET"])
def people() -> Response | str:
    """The table of everyone tracked."""
    filters, ignored = parse_filters(request.args)
    # The filter form sends its empty fields and the default sort: give a shorter address to keep.
    padded = any(not value.strip() for value in request.args.values())
    if not ignored and (padded or request.args.get("sort") == DEFAULT_SORT):
        paging = {"after": filters.get("after"), "before": filters.get("before")}
        return redirect(people_url(filters, **paging))
    params = {k: filters[k] for k in FILTERS if filters.get(k) not in (None, False)}
    params.update(sort=filters["sort"], per_page=PER_PAGE)
    page = people_service.search_keyset(
        params,
        current_app.config["TIER_THRESHOLDS"],
        after=filters.get("after"),
        before=filters.get("before"),
    )
    reasons = {}
    if filters.get("cleanup"):
        reasons = cleanup.reasons_by_person([p["id"] for p in page["items"]])
    all_lists = lists.all_lists()
    all_stages = stages.all_stages()
    return render_template(
        "dashboard/people.html",
        page=page,
        filters=filters,
        ignored=ignored,
        filtered=bool(params.keys() - {"sort", "per_page"}),
        checks=CHECKS,
        reasons=reasons,
        stages=all_stages,
        stage_names={s["slug"]: s["name"] for s in all_stages},
        lists=all_lists,
        list_names={item["slug"]: item["name"] for item in all_lists},
        tags=[t["name"] for t in tags.all_tags()],
        tiers=TIERS,
        sorts=SORTS,
        people_url=lambda **changes: people_url(filters, **changes),
        column_sort=lambda column: column_sort(filters, column),
        here=here(),
    )


@bp.route("/people", methods=["POST"])
def people_bulk() -> Response:
    """A bulk action on the checked rows: `action` is `tag`, `list` or `stage`."""
    ids = request.form.getlist("person", type=int)
    action = request.form.get("action", "")
    back = safe_next(request.form.get("back")) or url_for("dashboard.people")
    try:
        message = _bulk(action, ids, request.form)
    except ApiError as error:
        flash(error.message, "error")
    else:
        flash(*message)
    return redirect(back, 303)


def _bulk(action: str, ids: list[int], form: Mapping[str, str]) -> tuple[str, str]:
    """Run one bulk action; the message to show and its kind."""
    chosen = f"{len(ids)} {'person' if len(ids) == 1 else 'people'}"
    if not ids:
        return "Check the people to change first.", "error"
    if action == "tag":
        name = form.get("tag", "").strip()
        if not name:
            return "Type the tag to add.", "error"
        added = bulk.add_tag(ids, name)
        return f"Tagged {chosen} '{name}' ({added} new).", "ok"
    if action == "list":
        slug = form.get("list", "")
        if not slug:
            return "Choose the list to add them to.", "error"
        added = bulk.add_to_list(ids, slug)
        return f"Added {chosen} to {lists.get_list(slug).name} ({added} new).", "ok"
    if action == "stage":
        slug = form.get("stage", "")
        if not slug:
            return "Choose the stage to move them to.", "error"
        moved = bulk.set_stage(ids, slug, cause="Set for several people on the dashboard")
        return f"Moved {moved} of {chosen} to {stages.get_stage(slug).name}.", "ok"
    return "Choose what to do with the checked people.", "error"
