"""Syncing lists with X: link local lists to the user's X lists, pull their members, merge three
ways with the last synced snapshot (x/merge.py), apply the result locally and push it to X.

- Owned and followed X lists are linked by X list id; an unlinked X list the user owns is linked
  to an unlinked local list of the same name or slug (an X list "Watchlist" to The Watchlist),
  else a new local list is made (a list the archive recorded as
  "X list <id>" takes its real name).
- A list whose member count on X has not moved and whose local members still equal the snapshot
  is not re-read: nothing changed on either side, so the sync costs no request for it.
- Only lists the user owns are pushed, and only with a user token; a followed list's local edits
  stay local (its snapshot is X's members, so they are not mistaken for removals later).
- Pushes are one request per member added or removed; the snapshot is updated after each, so an
  interrupted push resumes where it stopped and never replays or loses a change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from peewee import chunked

from ..db import write_transaction
from ..models import ListMember, Person, PersonList, XListSnapshot, utcnow
from ..services import lists
from . import accounts, checkpoints
from .client import USER_FIELDS, XApi, XApiError
from .merge import Merge, merge

LIST_FIELDS = ["member_count", "owner_id", "private", "description"]
MEMBERS_PER_PAGE = 100
MAX_MEMBER_PAGES = 50  # X caps a list at 5,000 members
PLACEHOLDER = re.compile(r"^X list \d+$")
Progress = Callable[[str, int, int | None], None]


@dataclass
class ListOutcome:
    """What the sync did (or, in a dry run, would do) to one list."""

    x_list_id: str
    name: str
    slug: str | None
    owned: bool
    created: bool = False
    skipped: str = ""
    added_locally: int = 0
    removed_locally: int = 0
    added_on_x: int = 0
    removed_on_x: int = 0
    not_pushed: int = 0
    unresolved: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items()}


def owned_and_followed(api: XApi, me: str) -> list[dict[str, Any]]:
    """The user's X lists: owned ones first, then followed ones, each with `owned` set."""
    found: dict[str, dict[str, Any]] = {}
    for endpoint in ("get_owned_lists", "get_followed_lists"):
        for page in api.pages(endpoint, me, max_results=100, list_fields=LIST_FIELDS):
            for item in page.data or []:
                data = accounts.raw(item)
                if data.get("id") and data["id"] not in found:
                    data["owned"] = str(data.get("owner_id") or me) == me
                    found[data["id"]] = data
    return list(found.values())


def one_list(api: XApi, me: str, x_list_id: str) -> dict[str, Any]:
    data = accounts.raw(api.call("get_list", x_list_id, list_fields=LIST_FIELDS).data)
    if not data.get("id"):
        raise XApiError(
            f"The X list {x_list_id} is not on X any more, or is private to someone else. "
            "Link the list to another X list, or unlink it."
        )
    data["owned"] = str(data.get("owner_id") or "") == me
    return data


def link(x_list: dict[str, Any], *, dry_run: bool, now: datetime) -> tuple[PersonList | None, bool]:
    """The local list for `x_list`, linking or creating one; (list, created). In a dry run a list
    that would be created is returned as None."""
    x_list_id, name = x_list["id"], (x_list.get("name") or f"X list {x_list['id']}")[:100]
    local = PersonList.get_or_none(PersonList.x_list_id == x_list_id)
    if local is not None:
        if not dry_run and (PLACEHOLDER.match(local.name) or local.x_owned != x_list["owned"]):
            with write_transaction():
                if PLACEHOLDER.match(local.name):
                    local.name = name
                local.x_owned = x_list["owned"]
                local.updated_at = now
                local.save()
        return local, False
    if x_list["owned"]:
        same_name = (
            PersonList.select()
            .where(
                PersonList.x_list_id.is_null()
                & ~PersonList.automatic
                & (
                    (PersonList.name.collate("NOCASE") == name)
                    | (PersonList.slug == lists.slugify(name))
                )
            )
            .order_by(PersonList.id)
            .first()
        )
        if same_name is not None:
            if not dry_run:
                with write_transaction():
                    same_name.x_list_id = x_list_id
                    same_name.x_owned = True
                    same_name.updated_at = now
                    same_name.save()
            return same_name, False
    if dry_run:
        return None, True
    with write_transaction():
        created = PersonList.create(
            slug=lists.free_slug(name),
            name=name,
            description=(x_list.get("description") or "")[:2000],
            x_list_id=x_list_id,
            x_owned=x_list["owned"],
            created_at=now,
            updated_at=now,
        )
    return created, True


def _local_members(local: PersonList) -> tuple[set[str], list[str]]:
    """(X ids of the local members, handles of members whose X id is not known yet)."""
    ids: set[str] = set()
    handles: list[str] = []
    for x_id, handle in (
        Person.select(Person.x_id, Person.handle)
        .join(ListMember)
        .where(ListMember.list == local.id)
        .tuples()
    ):
        if x_id:
            ids.add(x_id)
        elif handle:
            handles.append(handle)
    return ids, handles


def snapshot_ids(local: PersonList) -> set[str]:
    return {
        x_id
        for (x_id,) in XListSnapshot.select(XListSnapshot.x_user_id)
        .where(XListSnapshot.list == local.id)
        .tuples()
    }


def resolve_handles(api: XApi, handles: list[str], *, now: datetime) -> int:
    """Look up members known by handle only (100 per request) so they can be pushed; returns how
    many were found on X."""
    found = 0
    for chunk in chunked(handles, 100):
        users = api.call("get_users", usernames=list(chunk), user_fields=USER_FIELDS).data or []
        found += len(accounts.upsert([accounts.raw(u) for u in users], now=now))
    return found


class ListSync:
    """Syncs the linked lists of one run; see the module's docstring."""

    def __init__(
        self, api: XApi, me: str, *, dry_run: bool, full: bool, progress: Progress
    ) -> None:
        self.api = api
        self.me = me
        self.dry_run = dry_run
        self.full = full
        self.progress = progress

    def sync(self, x_list: dict[str, Any]) -> ListOutcome:
        now = utcnow()
        local, created = link(x_list, dry_run=self.dry_run, now=now)
        outcome = ListOutcome(
            x_list_id=x_list["id"],
            name=local.name if local else x_list.get("name", ""),
            slug=local.slug if local else None,
            owned=bool(x_list["owned"]),
            created=created,
        )
        count = x_list.get("member_count")
        base: set[str] = set()
        local_ids: set[str] = set()
        if local is not None:
            base = snapshot_ids(local)
            local_ids, handles = _local_members(local)
            if handles and x_list["owned"]:
                if self.dry_run:
                    outcome.unresolved = len(handles)
                else:
                    resolve_handles(self.api, handles, now=now)
                    local_ids, handles = _local_members(local)
                    outcome.unresolved = len(handles)
            if (
                not self.full
                and local.x_synced_at is not None
                and local.x_member_count == count
                and local_ids == base
            ):
                outcome.skipped = "unchanged"
                return outcome
        remote = self._read_members(x_list, now)
        result = merge(local_ids, remote, base)
        self._count(outcome, result, x_list)
        if self.dry_run or local is None:
            return outcome
        self._apply_locally(local, result, remote, x_list, now)
        if outcome.owned and self.api.can_write:
            self._push(local, result, outcome)
        return outcome

    def _read_members(self, x_list: dict[str, Any], now: datetime) -> set[str]:
        total = x_list.get("member_count")
        seen = 0

        def on_page(page: Any) -> list[str]:
            nonlocal seen
            users = [accounts.raw(u) for u in page.data or []]
            seen += len(users)
            self.progress(f"list {x_list.get('name', x_list['id'])}", seen, total)
            if self.dry_run:
                return [u["id"] for u in users if u.get("id")]
            return list(accounts.upsert(users, now=now))

        return set(
            checkpoints.read_all(
                self.api,
                f"list-members:{x_list['id']}",
                "get_list_members",
                x_list["id"],
                on_page=on_page,
                save=not self.dry_run,
                limit=MAX_MEMBER_PAGES,
                max_results=MEMBERS_PER_PAGE,
                user_fields=USER_FIELDS,
            )
        )

    def _count(self, outcome: ListOutcome, result: Merge, x_list: dict[str, Any]) -> None:
        outcome.added_locally = len(result.add_locally)
        outcome.removed_locally = len(result.remove_locally)
        if x_list["owned"] and self.api.can_write:
            outcome.added_on_x = len(result.add_on_x)
            outcome.removed_on_x = len(result.remove_on_x)
        else:
            outcome.not_pushed = len(result.add_on_x) + len(result.remove_on_x)

    def _apply_locally(
        self,
        local: PersonList,
        result: Merge,
        remote: set[str],
        x_list: dict[str, Any],
        now: datetime,
    ) -> None:
        with write_transaction():
            wanted = sorted(result.add_locally)
            for chunk in chunked(wanted, 500):
                rows = [
                    {"list": local.id, "person": pid, "added_at": now}
                    for (pid,) in Person.select(Person.id).where(Person.x_id.in_(chunk)).tuples()
                ]
                if rows:
                    ListMember.insert_many(rows).on_conflict_ignore().execute()
            for chunk in chunked(sorted(result.remove_locally), 500):
                gone = Person.select(Person.id).where(Person.x_id.in_(chunk))
                ListMember.delete().where(
                    (ListMember.list == local.id) & ListMember.person.in_(gone)
                ).execute()
            # The base of the next merge: what X will hold once the pushes below are done, which
            # each push records; for a list that is not pushed, what X holds now.
            self._set_snapshot(local, remote)
            local.x_synced_at = now
            local.x_member_count = x_list.get("member_count")
            local.x_owned = x_list["owned"]
            local.updated_at = now
            local.save()

    def _set_snapshot(self, local: PersonList, members: set[str]) -> None:
        XListSnapshot.delete().where(XListSnapshot.list == local.id).execute()
        for chunk in chunked(sorted(members), 500):
            XListSnapshot.insert_many(
                [{"list": local.id, "x_user_id": x_id} for x_id in chunk]
            ).execute()

    def _push(self, local: PersonList, result: Merge, outcome: ListOutcome) -> None:
        done = 0
        total = len(result.add_on_x) + len(result.remove_on_x)
        for x_id in sorted(result.add_on_x):
            self._push_one(local, "add_list_member", x_id, outcome)
            done += 1
            self.progress(f"push {local.name}", done, total)
        for x_id in sorted(result.remove_on_x):
            self._push_one(local, "remove_list_member", x_id, outcome)
            done += 1
            self.progress(f"push {local.name}", done, total)
        if total:
            with write_transaction():
                local.x_member_count = len(result.members)
                local.save(only=[PersonList.x_member_count])

    def _push_one(self, local: PersonList, endpoint: str, x_id: str, outcome: ListOutcome) -> None:
        try:
            self.api.call(endpoint, local.x_list_id, x_id)
        except XApiError as error:
            if error.status in (400, 404):  # the account is gone from X: nothing to push
                outcome.errors.append(f"{x_id}: {error}")
                return
            raise
        with write_transaction():
            if endpoint == "add_list_member":
                XListSnapshot.insert(list=local.id, x_user_id=x_id).on_conflict_ignore().execute()
            else:
                XListSnapshot.delete().where(
                    (XListSnapshot.list == local.id) & (XListSnapshot.x_user_id == x_id)
                ).execute()
