"""Geometry for the auto-reply report's SVG charts (cards shown and taps per day), on the shared DayAxes."""

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


def cards_and_taps_chart(days, cards: dict, taps: dict) -> dict:
    """Two bars a day: cards shown (welcomes carrying the card) and taps on any keyword."""
    top = _nice_max(max([*cards.values(), *taps.values(), 0]))
    axes = DayAxes(width=720, height=190, left=36, right=8, top=12, bottom=28, days=len(days), max_value=top)
    bar = max(min(axes.slot * 0.38, 12), 1)
    bars = []
    for i, day in enumerate(days):
        x0 = axes.left + i * axes.slot + (axes.slot - 2 * bar) / 2
        c, t = cards.get(day, 0), taps.get(day, 0)
        bars.append(
            {
                "day": day,
                "cards": c,
                "taps": t,
                "cx": round(x0, 1),
                "cy": round(axes.y(c), 1),
                "ch": round(axes.height_of(c), 1),
                "tx": round(x0 + bar, 1),
                "ty": round(axes.y(t), 1),
                "th": round(axes.height_of(t), 1),
            }
        )
    return {
        **axes.frame(bar=bar),
        "bars": bars,
        "ticks": axes.ticks(rounded=True),
        "labels": axes.labels(list(days), keep_last=True),
    }


def keyword_spark(days, by_day: dict) -> dict:
    """A small bar chart of one keyword's taps per day."""
    top = _nice_max(max([*by_day.values(), 0]))
    axes = DayAxes(width=300, height=40, left=0, right=0, top=2, bottom=2, days=len(days), max_value=top)
    bar = max(axes.slot * 0.7, 1)
    return {
        **axes.frame(bar=bar),
        "bars": [
            {
                "day": day,
                "n": by_day.get(day, 0),
                "x": round(axes.left + i * axes.slot + (axes.slot - bar) / 2, 1),
                "y": round(axes.y(by_day.get(day, 0)), 1),
                "h": round(axes.height_of(by_day.get(day, 0)), 1),
            }
            for i, day in enumerate(days)
            if by_day.get(day, 0)
        ],
    }
