"""The three-way merge of list members (x/merge.py), case by case."""

from __future__ import annotations

import pytest

from rapport.x.merge import merge


@pytest.mark.parametrize(
    ("local", "remote", "base", "members"),
    [
        # First sync (no snapshot): the union, nothing removed.
        ({"a", "b"}, {"b", "c"}, set(), {"a", "b", "c"}),
        # Added here since the last sync: added on X.
        ({"a", "b", "n"}, {"a", "b"}, {"a", "b"}, {"a", "b", "n"}),
        # Added on X since the last sync: added here.
        ({"a", "b"}, {"a", "b", "n"}, {"a", "b"}, {"a", "b", "n"}),
        # Removed here since the last sync: removed on X.
        ({"a"}, {"a", "b"}, {"a", "b"}, {"a"}),
        # Removed on X since the last sync: removed here.
        ({"a", "b"}, {"a"}, {"a", "b"}, {"a"}),
        # Removed on both sides: stays removed.
        ({"a"}, {"a"}, {"a", "b"}, {"a"}),
        # Added on both sides: once.
        ({"a", "n"}, {"a", "n"}, {"a"}, {"a", "n"}),
        # Never synced and on one side only: never removed.
        ({"a", "x"}, {"a"}, {"a"}, {"a", "x"}),
        # Removed here, added anew on X? An account in the snapshot missing on one side goes.
        ({"b"}, {"a", "b"}, {"a", "b"}, {"b"}),
        # Everything removed on X: removed here too, except what was never synced.
        ({"a", "b", "n"}, set(), {"a", "b"}, {"n"}),
    ],
)
def test_merge_cases(local: set, remote: set, base: set, members: set) -> None:
    result = merge(local, remote, base)
    assert result.members == members
    assert result.add_locally == members - local
    assert result.remove_locally == local - members
    assert result.add_on_x == members - remote
    assert result.remove_on_x == remote - members


def test_merging_twice_changes_nothing() -> None:
    first = merge({"a", "n"}, {"a", "b", "m"}, {"a", "b"})
    again = merge(first.members, first.members, first.members)
    assert again.changes == 0
    assert again.members == first.members
