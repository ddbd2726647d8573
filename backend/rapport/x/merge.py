"""The three-way merge of a list's members between Rapport and X.

Both sides are compared with the members at the last sync (the snapshot):
- an addition on either side adds;
- a removal on either side since the last sync removes;
- nothing is removed that was never synced (an account in neither the snapshot nor the other side
  stays where it is).

Members are X user ids. The result says what to change on each side.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass


@dataclass(frozen=True)
class Merge:
    """The merged members and the changes that get each side there."""

    members: frozenset[str]
    add_locally: frozenset[str]
    remove_locally: frozenset[str]
    add_on_x: frozenset[str]
    remove_on_x: frozenset[str]

    @property
    def changes(self) -> int:
        return sum(
            len(part)
            for part in (self.add_locally, self.remove_locally, self.add_on_x, self.remove_on_x)
        )


def merge(local: Set[str], remote: Set[str], base: Set[str]) -> Merge:
    """Merge `local` and `remote` members against `base`, the members at the last sync."""
    kept = (local & remote) | ((local | remote) - base)
    members = frozenset(kept)
    return Merge(
        members=members,
        add_locally=frozenset(members - local),
        remove_locally=frozenset(local - members),
        add_on_x=frozenset(members - remote),
        remove_on_x=frozenset(remote - members),
    )
