"""`sigap backtest --counts`: a volume series (a listening tool's export, NAB's Twitter volumes) replayed through the
deployed volume test, to see when Sigap would have alerted on a brand's own history.

A series holds mentions per interval, not authors or sentiment, so each mention counts as one person and no share
is asked to rise (`sigap.detection.domain.surge.MentionCounts`). Everything else is what runs on AWS: hours rolled up
as the detector rolls them (hours an alert was open left out of the baseline), `expectation_for` over four weeks,
the brand's own dispersion, `DetectionView.expected` with its warm-up, and alert episodes as `lifecycle.plan` runs
them (open while the condition holds, resolved after `resolve_after_minutes` of quiet, a no-worse re-fire within
that time suppressed). The series is evaluated at each of its own points.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO

from sigap.detection.domain.baseline import HOUR, Expectation, HourRecord, expectation_for, hour_key, hour_start
from sigap.detection.domain.evaluation import HISTORY
from sigap.detection.domain.models import DetectionSettings, Rule, Severity
from sigap.detection.domain.surge import MentionCounts, Surge, surge
from sigap.detection.domain.thresholds import WINDOW_MINUTES, limits
from sigap.detection.domain.view import DetectionView
from sigap.kernel.aggregates import minute_key
from sigap.kernel.minute_counts import MinuteCounts


@dataclass(frozen=True)
class CountPoint:
    at: datetime
    count: int


@dataclass
class CountAlert:
    fired_at: datetime
    severity: Severity
    surge: Surge
    last_seen_at: datetime
    resolved_at: datetime | None = None

    def as_line(self) -> dict[str, object]:
        """What `sigap backtest --counts` writes for the alert: when, how severe, and the count that fired it."""
        return {
            "fired_at": self.fired_at.isoformat(),
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
            "severity": self.severity.value,
            "window_minutes": self.surge.window,
            "observed": self.surge.observed,
            "expected": round(self.surge.expected, 2),
            "p_value": float(f"{self.surge.p_value:.3g}"),
            "slow_surge": self.surge.slow,
        }


class BadSeriesError(ValueError):
    pass


def read_series(handle: IO[str]) -> list[CountPoint]:
    """A CSV with a time column and a count column (`timestamp,value` as NAB writes them; the first two columns
    otherwise). Times without a zone are UTC. Points are sorted; a repeated time adds up."""
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        raise BadSeriesError("the series is empty")
    rows: dict[datetime, int] = {}
    for number, row in enumerate(reader, start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 2:
            raise BadSeriesError(f"line {number}: expected a time and a count, got {row!r}")
        try:
            moment = datetime.fromisoformat(row[0].strip())
            count = float(row[1])
        except ValueError as error:
            raise BadSeriesError(f"line {number}: {error}") from None
        if not math.isfinite(count) or count < 0 or count != int(count):
            raise BadSeriesError(f"line {number}: a count is a whole number of mentions, got {row[1]!r}")
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        rows[moment] = rows.get(moment, 0) + int(count)
    return [CountPoint(at, count) for at, count in sorted(rows.items())]


class _History:
    """Completed hours, rolled up the way evaluation._roll_up does: from the first hour with data, every hour
    (empty ones too), marked alerted if an alert was open when it was rolled up."""

    def __init__(self) -> None:
        self.records: dict[str, HourRecord] = {}
        self._counts: dict[str, int] = {}
        self._rolled: str | None = None
        self.expectation: Expectation | None = None
        self.earlier: list[Expectation] = []

    def add(self, point: CountPoint) -> None:
        key = hour_key(point.at)
        self._counts[key] = self._counts.get(key, 0) + point.count

    def roll_up(self, now: datetime, alerted: bool) -> None:
        current = hour_key(now)
        if self.expectation is not None and self.expectation.hour == current:
            return
        moment = hour_start(self._rolled) + HOUR if self._rolled else min(map(hour_start, self._counts))
        while hour_key(moment) < current:
            key = hour_key(moment)
            count = self._counts.pop(key, 0)
            self.records[key] = HourRecord(
                hour=key, total=count, negative=count, negative_authors=count, alerted=alerted
            )
            self._rolled = key
            moment += HOUR
        since = hour_key(hour_start(current) - HISTORY)
        for key in [key for key in self.records if key < since]:
            del self.records[key]
        if self.expectation is not None:
            self.earlier = [*self.earlier, self.expectation][-2:]
        self.expectation = expectation_for(current, list(self.records.values()))

    def recent(self) -> list[HourRecord]:
        return list(self.records.values())[-2:]


def replay_counts(points: Iterable[CountPoint], settings: DetectionSettings | None = None) -> Iterator[CountAlert]:
    """The negative-spike rule's alerts on a volume series, each yielded once it has resolved (or at the end)."""
    settings = settings or DetectionSettings()
    rule = limits(settings, Rule.NEGATIVE_SPIKE)
    quiet = timedelta(minutes=settings.resolve_after_minutes)
    history = _History()
    window: list[MinuteCounts] = []
    open_alert: CountAlert | None = None
    last_resolved: CountAlert | None = None
    for point in points:
        now = point.at.replace(second=0, microsecond=0)
        history.add(point)
        history.roll_up(now, alerted=open_alert is not None)
        assert history.expectation is not None
        first = minute_key(now - timedelta(minutes=WINDOW_MINUTES - 1))
        window = [item for item in window if item.minute >= first]
        window.append(MinuteCounts(minute=minute_key(now), total=point.count, negative=point.count))
        view = DetectionView(now, window, history.expectation, history.recent(), history.earlier)
        found = surge(view, rule, MentionCounts(view)) if rule.enabled else None
        at = now + timedelta(minutes=1)
        if open_alert is not None:
            if found is not None:
                open_alert.last_seen_at = at
                if found.severity.rank > open_alert.severity.rank:
                    open_alert.severity = found.severity
                continue
            if at - open_alert.last_seen_at >= quiet:
                open_alert.resolved_at = at
                last_resolved, open_alert = open_alert, None
                yield last_resolved
            continue
        if found is None:
            continue
        if (
            last_resolved is not None
            and last_resolved.resolved_at is not None
            and at - last_resolved.resolved_at < quiet
            and found.severity.rank <= last_resolved.severity.rank
        ):
            continue  # flapping: the same condition, no worse, soon after it cleared
        open_alert = CountAlert(fired_at=at, severity=found.severity, surge=found, last_seen_at=at)
    if open_alert is not None:
        yield open_alert
