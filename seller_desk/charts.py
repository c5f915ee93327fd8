"""Shared geometry for the desk's server-rendered SVG day charts (no JavaScript): plot area, y scale,
y ticks and a handful of date labels. Each chart adds its own bars."""

import math
from dataclasses import dataclass
from datetime import date

from django.utils import formats


@dataclass(frozen=True)
class DayAxes:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    days: int
    max_value: float

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def base(self) -> float:
        return self.top + self.plot_h

    @property
    def slot(self) -> float:
        return self.plot_w / max(self.days, 1)

    def y(self, value: float) -> float:
        return self.top + self.plot_h - (value / self.max_value) * self.plot_h

    def height_of(self, value: float) -> float:
        return self.base - self.y(value)

    def ticks(self, *, rounded: bool = False) -> list[dict]:
        steps = (self.max_value * k / 4 for k in range(5))
        return [{"value": int(round(v)) if rounded else int(v), "y": round(self.y(v), 1)} for v in steps]

    def labels(self, days: list[date], *, keep_last: bool = False) -> list[dict]:
        """About eight date labels; ``keep_last`` also labels the last day (dropping a crowded neighbour)."""
        every = max(1, math.ceil(len(days) / 8))
        labels = [
            {
                "x": round(self.left + i * self.slot + self.slot / 2, 1),
                "text": formats.date_format(day, "MONTH_DAY_FORMAT"),
            }
            for i, day in enumerate(days)
            if i % every == 0 or (keep_last and i == len(days) - 1)
        ]
        if keep_last and len(labels) > 1 and labels[-1]["x"] - labels[-2]["x"] < self.slot * every * 0.6:
            labels.pop(-2)
        return labels

    def frame(self, *, bar: float) -> dict:
        return {
            "width": self.width,
            "height": self.height,
            "left": self.left,
            "right": self.width - self.right,
            "base": self.base,
            "bar": round(bar, 1),
            "label_y": self.height - 8,
        }
