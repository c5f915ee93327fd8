"""Geometry for the dashboard's server-rendered SVG dispute chart (no JavaScript), on the shared DayAxes."""

import math

from seller_desk.charts import DayAxes


def _nice_max(value: int) -> int:
    if value <= 4:
        return 4
    magnitude = 10 ** int(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = int(math.ceil(value / (step * magnitude)) * step * magnitude)
        if top >= value:
            return top
    return value


def dispute_chart(daily: list[dict], *, href) -> dict:
    """Disputes opened per store-local day, one bar each, every bar a link to that day's disputes."""
    top = _nice_max(max([d["opened"] for d in daily] + [0]))
    axes = DayAxes(width=720, height=180, left=36, right=8, top=12, bottom=28, days=len(daily), max_value=top)
    bar = max(min(axes.slot * 0.7, 18), 1)
    bars = [
        {
            "date": d["date"],
            "n": d["opened"],
            "x": round(axes.left + i * axes.slot + (axes.slot - bar) / 2, 1),
            "slot_x": round(axes.left + i * axes.slot, 1),
            "slot_w": round(axes.slot, 1),
            "y": round(axes.y(d["opened"]), 1),
            "h": round(axes.height_of(d["opened"]), 1),
            "href": href(d["date"]) if d["opened"] else None,
        }
        for i, d in enumerate(daily)
    ]
    return {
        **axes.frame(bar=bar),
        "top": axes.top,
        "plot_h": round(axes.plot_h, 1),
        "bars": bars,
        "ticks": axes.ticks(rounded=True),
        "labels": axes.labels([d["date"] for d in daily], keep_last=True),
    }
