"""The Now page's chart as drawing instructions for an inline SVG (no script, no image request): a bar per hour
(its negative part drawn over it), the usual for each hour as a dashed line, and readable ticks: a round number
scale on the left, the hour every few hours below, in the brand's time zone."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 26


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    total_y: float
    total_height: float
    negative_y: float
    negative_height: float
    label: str  # what a screen reader says for the bar


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    usual_points: str  # an SVG polyline's points; '' when there is no usual yet
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    baseline_y: float


def nice_ceiling(value: float) -> int:
    """The next round number at or above the value (1, 2 or 5 times a power of ten), for the scale's top."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return int(step * power)
    return int(10 * power)


def volume_chart(hours: list[dict[str, Any]], zone: ZoneInfo) -> Chart:
    """`hours`: the API's hour volumes (hour, total, negative, usual_total), oldest first."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(hours), 1)
    top = nice_ceiling(max([1.0, *(h["total"] for h in hours), *(h.get("usual_total") or 0 for h in hours)]))
    slot = plot_width / count
    baseline = TOP + plot_height

    def y_of(value: float) -> float:
        return round(baseline - plot_height * value / top, 1)

    bars, usual, x_ticks = [], [], []
    every = 3 if count <= 24 else 12
    for index, hour in enumerate(hours):
        x = LEFT + index * slot
        local = datetime.fromisoformat(f"{hour['hour']}:00:00+00:00").astimezone(zone)
        label = f"{local:%H}:00"
        total, negative = int(hour["total"]), int(hour["negative"])
        bars.append(
            Bar(
                x=round(x + slot * 0.1, 1),
                width=round(slot * 0.8, 1),
                total_y=y_of(total),
                total_height=round(baseline - y_of(total), 1),
                negative_y=y_of(negative),
                negative_height=round(baseline - y_of(negative), 1),
                label=f"{local:%d %b} {label}: {total} ({negative} negative)",
            )
        )
        if hour.get("usual_total") is not None:
            usual.append(f"{round(x + slot / 2, 1)},{y_of(float(hour['usual_total']))}")
        if index % every == 0:
            x_ticks.append(Tick(position=round(x + slot / 2, 1), text=label))
    y_ticks = [Tick(position=y_of(value), text=str(value)) for value in (0, top // 2, top) if value or top]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        usual_points=" ".join(usual),
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        baseline_y=baseline,
    )
