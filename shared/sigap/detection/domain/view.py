"""What every rule reads: the tenant's last hour of minutes at `now` with the window sums the rules share
(computed once), the baseline behind each count, and the evidence a finding carries."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from sigap.detection.domain.baseline import Count, Expectation, HourRecord, Measure, SignalAuthors, hour_key
from sigap.detection.domain.models import (
    Evidence,
    Ranked,
)
from sigap.detection.domain.thresholds import (
    DISPERSION_HISTORY,
    DISPERSION_PRIORS,
    LONG_HOURS,
    SEVERE_CATEGORIES,
    SIGNAL_WINDOW,
    TOP,
    WARMUP_HOURS,
    WINDOW_MINUTES,
)
from sigap.kernel.aggregates import minute_at, minute_key
from sigap.kernel.minute_counts import MinuteCounts

WINDOWS = (10, 15, 30, 60)


@dataclass
class QuickCounts:
    negative: dict[int, int] = field(default_factory=dict)
    total: dict[int, int] = field(default_factory=dict)
    signals: dict[str, int] = field(default_factory=dict)
    signals_hour: dict[str, int] = field(default_factory=dict)
    stories: dict[str, int] = field(default_factory=dict)
    high_reach: int = 0
    negative_this_hour: int = 0


class DetectionView:
    """The last hour of a tenant's minutes at `now`, with the window sums rules share (computed once)."""

    def __init__(
        self,
        now: datetime,
        minutes: Sequence[MinuteCounts],
        expectation: Expectation,
        recent_hours: Sequence[HourRecord] = (),
        earlier: Sequence[Expectation] = (),
    ) -> None:
        self.now = now
        self.minutes = list(minutes)  # oldest first, as every AggregateWindow holds them
        self.expectation = expectation
        # the baselines of the hours just before this one, and those hours (for surges that build over hours)
        self._earlier = {expectation.hour: expectation for expectation in earlier}
        self._recent_hours = recent_hours
        self._expected: dict[tuple[Measure, int], float] = {}
        self._sums: dict[int, MinuteCounts] = {}

    @cached_property
    def recent_hours(self) -> list[HourRecord]:
        """The completed hours just before this one, at most LONG_HOURS of them."""
        last, this = hour_key(self.now - timedelta(hours=LONG_HOURS)), hour_key(self.now)
        return [record for record in self._recent_hours if last <= record.hour < this]

    def _since(self, window: int) -> list[MinuteCounts]:
        first = minute_key(self.now - timedelta(minutes=window - 1))
        return [item for item in self.minutes if item.minute >= first]

    def total(self, window: int) -> MinuteCounts:
        """The last `window` minutes added up (one of WINDOWS). Smaller windows are summed first and each larger
        one adds its extra minutes to the one before, and only as far as a rule asks: most evaluations need none."""
        if window not in self._sums:
            previous: MinuteCounts | None = None
            previous_first = "~"  # after every minute key
            for size in WINDOWS:
                first = minute_key(self.now - timedelta(minutes=size - 1))
                if size not in self._sums:
                    extra = [item for item in self.minutes if first <= item.minute < previous_first]
                    parts = [previous, *extra] if previous is not None else extra
                    self._sums[size] = MinuteCounts.sum_of(f"last {size} min", parts)
                previous, previous_first = self._sums[size], first
                if size == window:
                    break
        return self._sums[window]

    @cached_property
    def quick(self) -> QuickCounts:
        """Plain counts of mentions, an upper bound on every distinct-author count: rules that cannot fire on
        them stop before any author set is joined (most minutes of most brands)."""
        quick = QuickCounts()
        firsts = [(window, minute_key(self.now - timedelta(minutes=window - 1))) for window in WINDOWS]
        signal_first = minute_key(self.now - timedelta(minutes=SIGNAL_WINDOW - 1))
        hour_first = minute_key(self.now.replace(minute=0))
        this_hour = 0
        negative = dict.fromkeys(WINDOWS, 0)
        total = dict.fromkeys(WINDOWS, 0)
        signals, signals_hour, stories = quick.signals, quick.signals_hour, quick.stories
        high_reach = 0
        for item in self.minutes:
            minute = item.minute
            if minute >= hour_first:
                this_hour += item.negative
            for window, first in firsts:
                if minute >= first:
                    negative[window] += item.negative
                    total[window] += item.total
            if item.signals:
                recent = minute >= signal_first
                for category, count in item.signals.items():
                    signals_hour[category] = signals_hour.get(category, 0) + count
                    if recent:
                        signals[category] = signals.get(category, 0) + count
            for story_id, story in item.stories.items():
                stories[story_id] = stories.get(story_id, 0) + story.mentions
            if item.high_reach:
                high_reach += len(item.high_reach)
        quick.negative, quick.total, quick.high_reach = negative, total, high_reach
        quick.negative_this_hour = this_hour
        return quick

    def expected(self, measure: Measure, window: int) -> float:
        """The baseline count of `measure` in a window. A brand with under WARMUP_HOURS of history is also
        held to its own last hour's rate: priors alone would make a busy brand's first hour look like a
        spike. Severe crisis signals (safety, hoax, fraud...) are the exception: held to priors only."""
        key = (measure, window)
        if key not in self._expected:
            self._expected[key] = self._own_or_seasonal(measure, window)
        return self._expected[key]

    def _own_or_seasonal(self, measure: Measure, window: int) -> float:
        base = self._seasonal(measure, window)
        signal = measure.category if isinstance(measure, SignalAuthors) else None
        if self.expectation.history_hours >= WARMUP_HOURS or signal in SEVERE_CATEGORIES:
            return base  # a new brand's first poisoning or fraud claims are worth an alert whatever came before
        if measure in (Count.NEGATIVE_AUTHORS, Count.NEGATIVE):
            own = self.quick.negative.get(WINDOW_MINUTES, 0)
        elif signal is not None:
            own = self.quick.signals_hour.get(signal, 0)
        else:
            own = self.quick.total.get(WINDOW_MINUTES, 0)
        return max(base, own / WINDOW_MINUTES * window)

    def _seasonal(self, measure: Measure, window: int) -> float:
        """The baseline over a window that may reach back into earlier hours: each hour's minutes at that hour's
        own rate (an evening peak's last minutes are not judged at the night's rate)."""
        take = min(window, self.now.minute + 1)
        total, left, hour = self.expectation.per_minute(measure) * take, window - take, self.now.replace(minute=0)
        while left > 0:
            hour -= timedelta(hours=1)
            take = min(left, 60)
            total += self._earlier.get(hour_key(hour), self.expectation).per_minute(measure) * take
            left -= take
        return total

    def started(self, window: int, matches: Callable[[MinuteCounts], bool]) -> datetime:
        """The first minute of the window in which the subject counted: when the condition began."""
        for item in self._since(window):
            if matches(item):
                return minute_at(item.minute)
        return self.now

    @property
    def dispersion(self) -> float:
        """The brand's own burstiness over an hour once history shows it; a wide default before."""
        if self.expectation.on_priors:
            return DISPERSION_PRIORS
        return self.expectation.dispersion or DISPERSION_HISTORY

    def dispersion_over(self, window: int) -> float:
        """The negative-binomial k of a count over `window` minutes: k is estimated on hours, and a count over n
        hours is taken as the sum of n independent hours (k times n), over 10 minutes as a sixth of an hour
        (k / 6: a short window's relative spread is much wider, or every retweet wave would be a spike).

        Chosen on real series, NAB's ten brands (data/nab_realtweets; bench/detection/nab.py), not on a guess.
        Their quiet days' variance alone would scale k as about the square root of the length (k over 10
        minutes 0.23-0.62 of an hour's, over 3 hours 1.3-1.9 times), but a burst's tail is heavier than a
        variance-matched negative binomial: on the five series held out while choosing, the linear law scored
        NAB 61.3 with 1.44 false alarms per brand-week, the square root 59.5 with 2.03, one k for every window
        32.8 with 4.78."""
        return self.dispersion * window / 60


def has_signal(category: str, item: MinuteCounts) -> bool:
    return category in item.signals


def has_story(story_id: str, item: MinuteCounts) -> bool:
    return story_id in item.stories


def carries(mention_id: str, item: MinuteCounts) -> bool:
    return any(entry.endswith(f"|{mention_id}") for entry in item.high_reach)


def ranked(counts: dict[str, int]) -> list[Ranked]:
    return [Ranked(name=name, mentions=count) for name, count in sorted(counts.items(), key=lambda p: -p[1])[:TOP]]


def stories(total: MinuteCounts, only: str | None = None) -> list[Ranked]:
    chosen = [(only, total.stories[only])] if only and only in total.stories else total.stories.items()
    ranked = sorted(chosen, key=lambda pair: (-len(pair[1].authors), -pair[1].mentions, pair[0]))
    return [Ranked(name=story_id, mentions=s.mentions, authors=len(s.authors)) for story_id, s in ranked[:TOP]]


def evidence(
    view: DetectionView,
    total: MinuteCounts,
    *,
    measure: str,
    observed: float,
    expected: float,
    threshold: float,
    window: int,
    p_value: float | None,
    story: str | None = None,
) -> Evidence:
    return Evidence(
        measure=measure,
        observed=observed,
        expected=round(expected, 3),
        threshold=threshold,
        window_minutes=window,
        p_value=None if p_value is None else float(f"{p_value:.3g}"),
        mentions=total.total,
        distinct_authors=len(total.authors),
        negative_share=round(total.negative / total.total, 3) if total.total else 0.0,
        baseline_negative_share=view.expectation.negative_share,
        top_stories=stories(total, story),
        channels=ranked(total.stories[story].channels if story and story in total.stories else total.channels),
        sources=ranked(total.sources),
        signals=dict(sorted(total.signals.items(), key=lambda p: -p[1])),
        baseline=view.expectation.source,
    )
