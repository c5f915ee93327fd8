"""Geometry for the server-rendered SVG chart of batch messages sent per day against the daily cap."""

from seller_desk.charts import DayAxes

from .selectors import DaySends


def sends_chart(days: list[DaySends]) -> dict:
    """One bar per store-local day and a dashed line at the cap; a handful of date labels."""
    cap = max([d.cap for d in days] + [1])
    top = max(cap, max([d.used for d in days] + [0]))
    axes = DayAxes(width=720, height=170, left=36, right=8, top=12, bottom=26, days=len(days), max_value=top)
    bar = max(min(axes.slot * 0.64, 18), 1)
    bars = [
        {
            "day": d.day,
            "used": d.used,
            "cap": d.cap,
            "x": round(axes.left + i * axes.slot + (axes.slot - bar) / 2, 1),
            "y": round(axes.y(d.used), 1),
            "h": round(axes.height_of(d.used), 1),
            "full": d.used >= d.cap,
        }
        for i, d in enumerate(days)
    ]
    return {
        **axes.frame(bar=bar),
        "bars": bars,
        "ticks": axes.ticks(rounded=True),
        "labels": axes.labels([d.day for d in days], keep_last=True),
        "cap_y": round(axes.y(cap), 1),
        "cap": cap,
        "total": sum(d.used for d in days),
    }
