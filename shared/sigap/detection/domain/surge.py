"""The volume test behind the negative-spike rule, apart from where its counts come from.

A surge is a count of people far above what is normal for these minutes: at least the rule's floor, at least
`MIN_RATIO` times the baseline (significance alone fires on busy brands), and improbable under the brand's own
negative-binomial spread. It is judged over the last 10, 30 and 60 minutes (a sharp burst) and over the last two
completed hours plus this one so far (a surge that only doubles, but for hours).

`People` says how many people a window holds. The rule counts distinct authors of negative mentions and asks the
negative share to rise too; a counts replay (a listening tool's volume export, NAB's series) has only mentions,
and `MentionCounts` counts each one as a person, with no share to ask about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sigap.detection.domain.baseline import Count
from sigap.detection.domain.models import Severity
from sigap.detection.domain.stats import negative_binomial_sf
from sigap.detection.domain.thresholds import LONG_HOURS, LONG_RATIO, MIN_RATIO, SPIKE_WINDOWS, WARMUP_HOURS, Limits
from sigap.detection.domain.view import DetectionView


class People(Protocol):
    def in_window(self, window: int) -> int:
        """The people counted in the last `window` minutes (called only once the mention counts allow a surge)."""
        ...

    def this_hour(self) -> int:
        """The people counted since this hour began."""
        ...

    def admits(self, window: int) -> bool:
        """Whether a surge over the last `window` minutes may fire (the rule: the negative share rose)."""
        ...

    def admits_hours(self) -> bool:
        """The same for the slow surge, over the completed hours and this one."""
        ...


@dataclass(frozen=True)
class Surge:
    window: int
    observed: int
    expected: float
    dispersion: float
    p_value: float
    severity: Severity
    slow: bool = False

    @property
    def ratio(self) -> float:
        return self.observed / max(self.expected, 0.1)


def _spike_severity(observed: int, ratio: float, p_value: float, alpha: float) -> Severity:
    if observed >= 30 and ratio >= 6 and p_value < alpha * 1e-3:
        return Severity.CRITICAL
    if observed >= 12 and ratio >= 4:
        return Severity.WARNING
    return Severity.INFO


def spike(view: DetectionView, rule: Limits, people: People) -> Surge | None:
    """The most severe of the 10, 30 and 60-minute windows in which negative talk surged, if any."""
    best: Surge | None = None
    for window in SPIKE_WINDOWS:
        bound = view.quick.negative.get(window, 0)  # mentions: an upper bound on their authors
        expected = view.expected(Count.NEGATIVE_AUTHORS, window)
        if bound < rule.min_authors or bound < MIN_RATIO * expected:
            continue
        observed = people.in_window(window)
        if observed < rule.min_authors or observed < MIN_RATIO * expected or not people.admits(window):
            continue
        dispersion = view.dispersion_over(window)
        p_value = negative_binomial_sf(observed, expected, dispersion)
        if p_value >= rule.alpha:
            continue
        severity = _spike_severity(observed, observed / max(expected, 0.1), p_value, rule.alpha)
        if best is None or severity.rank > best.severity.rank:
            best = Surge(window, observed, expected, dispersion, p_value, severity)
    return best


def slow_surge(view: DetectionView, rule: Limits, people: People) -> Surge | None:
    """The same test over the last two completed hours and this one so far: a surge that doubles the usual for
    hours fires even if no single hour looks like a spike. Hours sum their distinct authors, so one author
    counts once an hour at most."""
    if len(view.recent_hours) < LONG_HOURS or view.expectation.history_hours < WARMUP_HOURS:
        return None
    before = sum(record.negative_authors for record in view.recent_hours)
    bound = before + view.quick.negative_this_hour
    window = 60 * LONG_HOURS + view.now.minute + 1
    expected = view.expected(Count.NEGATIVE_AUTHORS, window)
    if bound < 2 * rule.min_authors or bound < LONG_RATIO * expected:
        return None
    observed = before + people.this_hour()
    if observed < 2 * rule.min_authors or observed < LONG_RATIO * expected or not people.admits_hours():
        return None
    dispersion = view.dispersion_over(window)
    p_value = negative_binomial_sf(observed, expected, dispersion)
    if p_value >= rule.alpha:
        return None
    severity = Severity.CRITICAL if observed >= 60 and observed / max(expected, 0.1) >= 4 else Severity.WARNING
    return Surge(window, observed, expected, dispersion, p_value, severity, slow=True)


def surge(view: DetectionView, rule: Limits, people: People) -> Surge | None:
    """The more severe of a spike and a slow surge (the spike when they tie)."""
    quick, slow = spike(view, rule, people), slow_surge(view, rule, people)
    if slow is not None and (quick is None or slow.severity.rank > quick.severity.rank):
        return slow
    return quick


class MentionCounts:
    """People as a volume series counts them: each mention one person, no sentiment to gate on."""

    def __init__(self, view: DetectionView) -> None:
        self._view = view

    def in_window(self, window: int) -> int:
        return self._view.quick.negative.get(window, 0)

    def this_hour(self) -> int:
        return self._view.quick.negative_this_hour

    def admits(self, window: int) -> bool:
        return True

    def admits_hours(self) -> bool:
        return True
