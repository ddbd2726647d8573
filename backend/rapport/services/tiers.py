"""Follower tiers: where a follower count falls among the configured thresholds."""

from __future__ import annotations

from collections.abc import Mapping

TIER_ORDER = ("nano", "micro", "mid", "macro", "mega")


def tier_for(followers: int | None, thresholds: Mapping[str, int]) -> str | None:
    """The tier of a follower count (None under the lowest threshold, or when unknown)."""
    if followers is None:
        return None
    found = None
    for name in TIER_ORDER:
        start = thresholds.get(name)
        if start is not None and followers >= start:
            found = name
    return found


def follower_range(tier: str, thresholds: Mapping[str, int]) -> tuple[int, int | None] | None:
    """The follower counts [low, high) of a tier; 'none' is everyone under the lowest threshold.

    None when the thresholds leave the tier out (no one is in it).
    """
    starts = [(name, thresholds[name]) for name in TIER_ORDER if name in thresholds]
    if tier == "none":
        return 0, min((start for _, start in starts), default=None)
    for index, (name, start) in enumerate(starts):
        if name == tier:
            following = [s for _, s in starts[index + 1 :] if s > start]
            return start, min(following) if following else None
    return None
