"""Geometry for the server-rendered SVG chart of grants and redemptions per day (no JavaScript)."""

import math

from .selectors import DayCount

WIDTH = 720
HEIGHT = 200
LEFT = 36
RIGHT = 8
TOP = 12
BOTTOM = 28


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
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    top = _nice_max(max([d.granted for d in days] + [d.redeemed for d in days] + [0]))
    slot = plot_w / max(len(days), 1)
    bar = max(min(slot * 0.38, 14), 1)

    def y(v: int) -> float:
        return TOP + plot_h - (v / top) * plot_h

    bars = []
    for i, d in enumerate(days):
        x0 = LEFT + i * slot + (slot - 2 * bar) / 2
        bars.append(
            {
                "day": d.day,
                "granted": d.granted,
                "redeemed": d.redeemed,
                "gx": round(x0, 1),
                "gy": round(y(d.granted), 1),
                "gh": round(TOP + plot_h - y(d.granted), 1),
                "rx": round(x0 + bar, 1),
                "ry": round(y(d.redeemed), 1),
                "rh": round(TOP + plot_h - y(d.redeemed), 1),
            }
        )
    ticks = [{"value": int(top * k / 4), "y": round(y(top * k / 4), 1)} for k in range(5)]
    every = max(1, math.ceil(len(days) / 8))
    labels = [
        {"x": round(LEFT + i * slot + slot / 2, 1), "text": d.day.strftime("%b %-d")}
        for i, d in enumerate(days)
        if i % every == 0
    ]
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
        "total_granted": sum(d.granted for d in days),
        "total_redeemed": sum(d.redeemed for d in days),
    }
