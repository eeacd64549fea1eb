"""What is normal for a brand at this hour: a seasonal baseline (hour of day, day of week) from hourly history.

Each completed hour of a tenant is rolled up into one small `HourRecord`. Once an hour the baseline for the hour
ahead is worked out from the last four weeks of them:
- the same hour on each of the last seven days, and the same hour of the week on each of the last four weeks,
  each smoothed with the hours either side (sparse brands), each reduced by its **median**, so a past burst (an
  earlier crisis, a campaign) does not become the new normal; hours an alert was firing in are left out too;
- the larger of the daily and weekly estimates is taken, so a Monday rush is never judged against Sunday;
- a brand with less than three days of history is blended with priors, a new brand starts on them alone.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sigap.kernel.minute_counts import MinuteCounts

HOUR = timedelta(hours=1)
HISTORY_DAYS = 28
PRIOR_HOURS = 72  # history needed before priors no longer weigh in


class Count(StrEnum):
    """What an hour record counts, and the baseline expects per hour."""

    TOTAL = "total"
    NEGATIVE = "negative"
    NEGATIVE_AUTHORS = "negative_authors"
    MAX_STORY_AUTHORS = "max_story_authors"


@dataclass(frozen=True)
class SignalAuthors:
    """The distinct authors raising one crisis signal (a category such as 'safety' or 'hoax')."""

    category: str


type Measure = Count | SignalAuthors

# Priors for a brand Sigap knows nothing about, per hour: a small brand's quiet day.
PRIOR: dict[Count, float] = {
    Count.TOTAL: 20.0,
    Count.NEGATIVE: 4.0,
    Count.NEGATIVE_AUTHORS: 4.0,
    Count.MAX_STORY_AUTHORS: 2.0,
}
PRIOR_SIGNAL_AUTHORS = 1.0  # any one signal; a signal the brand has no history of expects a quarter of it
PRIOR_NEGATIVE_SHARE = 0.25
_LEGACY_SIGNAL = "signal:"  # how state written before typed measures named a signal's baseline


def hour_key(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H}"


def hour_start(key: str) -> datetime:
    return datetime.strptime(key, "%Y-%m-%dT%H").replace(tzinfo=UTC)


class HourRecord(BaseModel):
    """One tenant-hour, rolled up from its minutes: what baselines are computed from."""

    model_config = ConfigDict(frozen=True)

    hour: str = Field(description="UTC hour, '2026-11-22T03'")
    total: int = 0
    negative: int = 0
    negative_authors: int = 0
    max_story_authors: int = 0
    signal_authors: dict[str, int] = Field(default_factory=dict)
    alerted: bool = Field(default=False, description="An alert was firing: kept out of baselines")

    @classmethod
    def of(cls, hour: str, minutes: Iterable[MinuteCounts], *, alerted: bool = False) -> HourRecord:
        whole = MinuteCounts.sum_of(hour, minutes)
        return cls(
            hour=hour,
            total=whole.total,
            negative=whole.negative,
            negative_authors=len(whole.negative_authors),
            max_story_authors=max((len(story.authors) for story in whole.stories.values()), default=0),
            signal_authors={category: len(authors) for category, authors in sorted(whole.signal_authors.items())},
            alerted=alerted,
        )

    def value(self, measure: Measure) -> float:
        if isinstance(measure, SignalAuthors):
            return float(self.signal_authors.get(measure.category, 0))
        return float(getattr(self, measure.value))


class Expectation(BaseModel):
    """The baseline for one hour: expected counts per hour of each measure, and where they came from."""

    model_config = ConfigDict(frozen=True)

    hour: str
    per_hour: dict[Count, float]
    signals_per_hour: dict[str, float] = Field(
        default_factory=dict, description="Distinct authors per hour raising each crisis signal the brand has seen"
    )
    negative_share: float
    history_hours: int
    source: str
    dispersion: float | None = Field(
        default=None, description="How bursty this brand's hours are (negative-binomial k); None: not known yet"
    )

    @model_validator(mode="before")
    @classmethod
    def _signals_apart(cls, data: Any) -> Any:
        """State saved before signals had a field of their own kept them in per_hour as 'signal:<category>',
        beside the 'signal_any' (now computed) and the priors' 'signal_authors' (now PRIOR_SIGNAL_AUTHORS)."""
        if not isinstance(data, dict) or "signals_per_hour" in data or not isinstance(data.get("per_hour"), dict):
            return data
        per_hour: dict[str, float] = data["per_hour"]
        return data | {
            "per_hour": {name: value for name, value in per_hour.items() if name in set(Count)},
            "signals_per_hour": {
                name.removeprefix(_LEGACY_SIGNAL): value
                for name, value in per_hour.items()
                if name.startswith(_LEGACY_SIGNAL)
            },
        }

    @property
    def any_signal_per_hour(self) -> float:
        """The busiest signal's rate: what a signal this brand never raised before is measured against."""
        return max(self.signals_per_hour.values(), default=PRIOR_SIGNAL_AUTHORS)

    def per_minute(self, measure: Measure) -> float:
        if isinstance(measure, SignalAuthors):
            if measure.category in self.signals_per_hour:
                return self.signals_per_hour[measure.category] / 60
            return self.any_signal_per_hour / 60 / 4
        return self.per_hour.get(measure, PRIOR[measure]) / 60

    @property
    def on_priors(self) -> bool:
        return self.history_hours < PRIOR_HOURS


def prior_expectation(hour: str) -> Expectation:
    return Expectation(
        hour=hour,
        per_hour=dict(PRIOR),
        negative_share=PRIOR_NEGATIVE_SHARE,
        history_hours=0,
        source="priors (no history yet)",
    )


def _neighbourhoods(
    by_hour: dict[str, HourRecord], target: datetime
) -> tuple[list[list[HourRecord]], list[list[HourRecord]]]:
    """The usable records around the same hour on each of the last 7 days, and of the last 4 weeks."""

    def around(moment: datetime) -> list[HourRecord]:
        keys = (hour_key(moment + HOUR * shift) for shift in (-1, 0, 1))
        return [by_hour[key] for key in keys if key in by_hour and not by_hour[key].alerted]

    daily = [near for days in range(1, 8) if (near := around(target - timedelta(days=days)))]
    weekly = [near for weeks in range(1, HISTORY_DAYS // 7 + 1) if (near := around(target - timedelta(weeks=weeks)))]
    return daily, weekly


def _seasonal(daily: list[list[HourRecord]], weekly: list[list[HourRecord]], measure: Measure) -> float | None:
    estimates = []
    for groups in (daily, weekly):
        if len(groups) >= 2:
            estimates.append(statistics.median(sum(r.value(measure) for r in near) / len(near) for near in groups))
    return max(estimates) if estimates else None


MIN_DISPERSION, MAX_DISPERSION = 2.0, 50.0


def estimate_dispersion(records: Sequence[HourRecord], measure: Measure = Count.NEGATIVE_AUTHORS) -> float | None:
    """The negative-binomial k of a brand's hours around their seasonal level, by the method of moments: each
    hour against the median of the same hour of the day over the week, excess variance over the mean. A
    bursty brand gets a small k (wide tails, fewer false alarms), a steady one a large k (tighter, earlier)."""
    by_hour_of_day: dict[str, list[float]] = {}
    for record in records:
        if not record.alerted:
            by_hour_of_day.setdefault(record.hour[11:13], []).append(record.value(measure))
    pairs: list[tuple[float, float]] = []
    for values in by_hour_of_day.values():
        if len(values) >= 3:
            level = statistics.median(values)
            pairs.extend((value, level) for value in values)
    if len(pairs) < 48:
        return None
    mean_level = sum(level for _, level in pairs) / len(pairs)
    if mean_level <= 0:
        return MAX_DISPERSION
    excess = sum((value - level) ** 2 for value, level in pairs) / len(pairs) - mean_level
    if excess <= 0:
        return MAX_DISPERSION
    return round(min(MAX_DISPERSION, max(MIN_DISPERSION, mean_level**2 / excess)), 2)


def expectation_for(hour: str, history: Sequence[HourRecord]) -> Expectation:
    """The baseline for `hour` from the hours before it (any order, gaps allowed)."""
    usable = [record for record in history if record.hour < hour]
    if not usable:
        return prior_expectation(hour)
    by_hour = {record.hour: record for record in usable}
    target = hour_start(hour)
    quiet = [record for record in usable if not record.alerted] or usable
    recent = [record for record in quiet if record.hour >= hour_key(target - timedelta(days=7))] or quiet
    categories = sorted({category for record in quiet for category in record.signal_authors})
    measures: list[Measure] = [*Count, *(SignalAuthors(category) for category in categories)]
    weight = min(1.0, len(usable) / PRIOR_HOURS)
    daily, weekly = _neighbourhoods(by_hour, target)
    per_hour: dict[Count, float] = {}
    signals_per_hour: dict[str, float] = {}
    columns: dict[Measure, list[float]] = {measure: [] for measure in measures}
    for record in recent:  # one pass over the week, every measure at once
        for measure in measures:
            columns[measure].append(record.value(measure))
    for measure in measures:
        # the level: a trimmed mean of the last week, so one burst hour does not lift it
        values = sorted(columns[measure])
        trimmed = values[: max(1, int(len(values) * 0.95))]
        level = sum(trimmed) / len(trimmed)
        seasonal = _seasonal(daily, weekly, measure)
        estimate = max(seasonal, 0.5 * level) if seasonal is not None else level
        prior = PRIOR_SIGNAL_AUTHORS / 4 if isinstance(measure, SignalAuthors) else PRIOR[measure]
        # three decimals are plenty for a rate per hour, and keep the detector's state item one write unit
        expected = round(weight * estimate + (1 - weight) * max(prior, estimate), 3)
        if isinstance(measure, SignalAuthors):
            signals_per_hour[measure.category] = expected
        else:
            per_hour[measure] = expected
    total = sum(record.total for record in recent)
    share = sum(record.negative for record in recent) / total if total else PRIOR_NEGATIVE_SHARE
    share = weight * share + (1 - weight) * max(share, PRIOR_NEGATIVE_SHARE)
    days = len(usable) / 24
    source = (
        f"seasonal baseline from {days:.0f} days of history"
        if weight >= 1
        else f"{len(usable)} hours of history blended with priors"
    )
    return Expectation(
        hour=hour,
        per_hour=per_hour,
        signals_per_hour=signals_per_hour,
        negative_share=round(share, 4),
        history_hours=len(usable),
        source=source,
        dispersion=estimate_dispersion(recent) if weight >= 1 else None,
    )
