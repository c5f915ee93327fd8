"""Geometry for the server-rendered SVG chart of batch messages sent per day against the daily cap."""

import math

from .selectors import DaySends

WIDTH = 720
HEIGHT = 170
LEFT = 36
RIGHT = 8
TOP = 12
BOTTOM = 26


def sends_chart(days: list[DaySends]) -> dict:
    """One bar per store-local day and a dashed line at the cap; a handful of date labels."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    cap = max([d.cap for d in days] + [1])
    top = max(cap, max([d.used for d in days] + [0]))
    slot = plot_w / max(len(days), 1)
    bar = max(min(slot * 0.64, 18), 1)

    def y(v: float) -> float:
        return TOP + plot_h - (v / top) * plot_h

    bars = []
    for i, d in enumerate(days):
        h = TOP + plot_h - y(d.used)
        bars.append(
            {
                "day": d.day,
                "used": d.used,
                "cap": d.cap,
                "x": round(LEFT + i * slot + (slot - bar) / 2, 1),
                "y": round(y(d.used), 1),
                "h": round(h, 1),
                "full": d.used >= d.cap,
            }
        )
    ticks = [{"value": int(round(top * k / 4)), "y": round(y(top * k / 4), 1)} for k in range(5)]
    every = max(1, math.ceil(len(days) / 8))
    labels = [
        {"x": round(LEFT + i * slot + slot / 2, 1), "text": d.day.strftime("%b %-d")}
        for i, d in enumerate(days)
        if i % every == 0 or i == len(days) - 1
    ]
    if len(labels) > 1 and labels[-1]["x"] - labels[-2]["x"] < slot * every * 0.6:
        labels.pop(-2)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "base": TOP + plot_h,
        "bar": round(bar, 1),
        "bars": bars,
        "ticks": ticks,
        "labels": labels,
        "label_y": HEIGHT - 8,
        "cap_y": round(y(cap), 1),
        "cap": cap,
        "total": sum(d.used for d in days),
    }
