"""A tenant's mentions per hour against the usual for that hour of the day: what a person glances at to judge
whether today is a fire. The usual is the median of the same hour on the days before (hours while an alert was
firing left out, so a crisis does not become the norm); with no such hour yet, there is no usual to show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from statistics import median

from pydantic import BaseModel, ConfigDict, Field

from sigap.detection.domain.baseline import HOUR, HourRecord, hour_key

USUAL_DAYS = 7


class HourVolume(BaseModel):
    model_config = ConfigDict(frozen=True)

    hour: str = Field(description="UTC hour, '2026-11-22T03'")
    total: int
    negative: int
    usual_total: float | None = Field(description="Median of the same hour on the previous days; null: no history")
    usual_negative: float | None


class VolumeSeries(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[HourVolume] = Field(description="Completed hours, oldest first")
    usual_days: int = Field(description="How many previous days the usual is taken from")


def history_start(last_hour: datetime, hours: int) -> datetime:
    """The first hour the series needs: its own first hour, less the days its usual looks back over."""
    return last_hour - HOUR * (hours - 1) - timedelta(days=USUAL_DAYS)


def volume_series(records: Sequence[HourRecord], last_hour: datetime, hours: int) -> VolumeSeries:
    by_hour = {record.hour: record for record in records}
    items = []
    for step in range(hours - 1, -1, -1):
        moment = last_hour - HOUR * step
        record = by_hour.get(hour_key(moment))
        earlier = [
            by_hour[key]
            for day in range(1, USUAL_DAYS + 1)
            if (key := hour_key(moment - timedelta(days=day))) in by_hour and not by_hour[key].alerted
        ]
        items.append(
            HourVolume(
                hour=hour_key(moment),
                total=record.total if record else 0,
                negative=record.negative if record else 0,
                usual_total=float(median(r.total for r in earlier)) if earlier else None,
                usual_negative=float(median(r.negative for r in earlier)) if earlier else None,
            )
        )
    return VolumeSeries(items=items, usual_days=USUAL_DAYS)
