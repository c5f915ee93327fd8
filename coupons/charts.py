"""Geometry for the server-rendered SVG chart of grants and redemptions per day (no JavaScript)."""

import math

from seller_desk.charts import DayAxes

from .selectors import DayCount


def _nice_max(value: int) -> int:
    if value <= 4:
        return 4
    magnitude = 10 ** int(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = int(math.ceil(value / (step * magnitude)) * step * magnitude)
        if top >= value:
            return top
    return value


def daily_chart(days: list[DayCount]) -> dict:
    """Two bars per day (granted, redeemed), a y axis with 4 steps and a handful of date labels."""
    top = _nice_max(max([d.granted for d in days] + [d.redeemed for d in days] + [0]))
    axes = DayAxes(width=720, height=200, left=36, right=8, top=12, bottom=28, days=len(days), max_value=top)
    bar = max(min(axes.slot * 0.38, 14), 1)
    bars = []
    for i, d in enumerate(days):
        x0 = axes.left + i * axes.slot + (axes.slot - 2 * bar) / 2
        bars.append(
            {
                "day": d.day,
                "granted": d.granted,
                "redeemed": d.redeemed,
                "gx": round(x0, 1),
                "gy": round(axes.y(d.granted), 1),
                "gh": round(axes.height_of(d.granted), 1),
                "rx": round(x0 + bar, 1),
                "ry": round(axes.y(d.redeemed), 1),
                "rh": round(axes.height_of(d.redeemed), 1),
            }
        )
    return {
        **axes.frame(bar=bar),
        "bars": bars,
        "ticks": axes.ticks(),
        "labels": axes.labels([d.day for d in days]),
        "total_granted": sum(d.granted for d in days),
        "total_redeemed": sum(d.redeemed for d in days),
    }
