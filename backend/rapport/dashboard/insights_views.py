"""The Insights page (`/insights`): charts of the contact history, the pipeline and the
watchlist, drawn on the server as inline SVG (no script, no chart library), each with a table
giving the same numbers for screen readers and anyone who would rather read them.

The numbers come from `services.insights`; this module only lays them out: the bars' sizes and
places are computed here so the template stays plain markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import current_app, render_template

from ..services import insights as insights_service
from . import bp

# The weekly chart's drawing area, in SVG units (the SVG scales to the page's width).
WEEK_CHART = {"width": 720, "height": 260, "left": 52, "right": 24, "top": 12, "bottom": 44}
TICKS = 4  # lines across the weekly chart above its base
BAR_HEIGHT = 28  # the height of a bar of the funnel and of the tier mix, in SVG units


def nice_step(largest: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, 100… that is at least `largest`."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= largest:
                return step * scale
        scale *= 10


def week_chart(weeks: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Where to draw each week's pair of bars (outbound, inbound), and the axis ticks."""
    c = WEEK_CHART
    plot_w = c["width"] - c["left"] - c["right"]
    plot_h = c["height"] - c["top"] - c["bottom"]
    largest = max([1, *(max(w["outbound"], w["inbound"]) for w in weeks)])
    step = nice_step(largest / TICKS)  # whole numbers on the axis, the bars up to its top
    top = step * TICKS
    slot = plot_w / max(1, len(weeks))
    bar = slot * 0.38
    base = c["top"] + plot_h

    def height(count: int) -> float:
        return round(plot_h * count / top, 1)

    bars = []
    for n, week in enumerate(weeks):
        x = c["left"] + n * slot + slot * 0.1
        out_h, in_h = height(week["outbound"]), height(week["inbound"])
        bars.append(
            {
                **week,
                "out": {"x": round(x, 1), "y": round(base - out_h, 1), "h": out_h},
                "in": {"x": round(x + bar, 1), "y": round(base - in_h, 1), "h": in_h},
                # A date under every fourth week, counting back from the current one.
                "label": n % 4 == (len(weeks) - 1) % 4,
                "label_x": round(x + bar, 1),
            }
        )
    ticks = [
        {"value": step * k, "y": round(base - plot_h * k / TICKS, 1)} for k in range(TICKS + 1)
    ]
    return {**c, "bars": bars, "bar": round(bar, 1), "base": base, "ticks": ticks, "top": top}


def bar_rows(items: Sequence[dict[str, Any]], key: str, width: int = 400) -> list[dict[str, Any]]:
    """Horizontal bars for `items`: each item with `w`, its bar's length (of `width`) for the
    value `item[key]`, the largest value filling the whole width."""
    largest = max([1, *(item[key] for item in items)])
    return [{**item, "w": round(width * item[key] / largest, 1)} for item in items]


@bp.route("/insights")
def insights() -> str:
    """The Insights page."""
    thresholds = current_app.config["TIER_THRESHOLDS"]
    weeks = insights_service.weekly_interactions()
    funnel = insights_service.funnel()
    tiers = insights_service.tier_mix(thresholds)
    return render_template(
        "dashboard/insights.html",
        weeks=weeks,
        week_chart=week_chart(weeks),
        any_interactions=insights_service.any_interactions(),
        week_total={
            "outbound": sum(w["outbound"] for w in weeks),
            "inbound": sum(w["inbound"] for w in weeks),
        },
        funnel=funnel,
        funnel_bars=bar_rows(funnel, "reached"),
        tiers=tiers,
        tier_bars=bar_rows(tiers, "people"),
        watched=sum(t["people"] for t in tiers),
        bar_height=BAR_HEIGHT,
        weeks_shown=insights_service.WEEKS,
    )
