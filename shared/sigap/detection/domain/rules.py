"""The detection rules, each explainable: what it counted, against what baseline, and why it fired.

Every rule reads the tenant's last hour of minutes (`DetectionView`) and the baseline for this hour, and returns
a `Finding` per subject whose condition holds now. Counts that decide are **distinct authors**, never raw
mentions: thirty posts from one account are a rant, one author, and cannot fire a volume rule at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, partial

from sigap.detection.domain.baseline import Expectation, HourRecord, hour_key, hour_start
from sigap.detection.domain.models import (
    DetectionSettings,
    Evidence,
    Finding,
    Ranked,
    Rule,
    RuleSettings,
    Sensitivity,
    Severity,
)
from sigap.detection.domain.stats import binomial_sf, negative_binomial_sf, smallest_significant
from sigap.kernel.aggregates import MinuteCounts, high_reach_entry, minute_at, minute_key
from sigap.kernel.models import ScoredMention

WINDOW_MINUTES = 60
WARMUP_HOURS = 3
LONG_HOURS = 2  # completed hours a slow-building surge is also judged over, with the current hour so far
LONG_RATIO = 2.0
SPIKE_WINDOWS = (10, 30, 60)
SIGNAL_WINDOW = 30
GROWTH_WINDOW = 15
# How unlikely a count must be on a normal day to fire, and how much the volume floors scale, per sensitivity.
ALPHA = {Sensitivity.LOW: 1e-7, Sensitivity.NORMAL: 1e-5, Sensitivity.HIGH: 1e-3}
FLOOR_SCALE = {Sensitivity.LOW: 1.5, Sensitivity.NORMAL: 1.0, Sensitivity.HIGH: 0.6}
MIN_AUTHORS = {
    Rule.NEGATIVE_SPIKE: 6,
    Rule.SIGNAL_SURGE: 4,
    Rule.STORY_SPREAD: 8,
    Rule.HIGH_REACH: 1,
    Rule.SENTIMENT_SHIFT: 12,
}
# Dispersion of counts around the baseline: wide while a brand is on priors, narrower once history backs it.
DISPERSION_HISTORY = 8.0
DISPERSION_PRIORS = 3.0
MIN_RATIO = 3.0  # a count must also be this many times the baseline: significance alone fires on busy brands
SHARE_MARGIN = 0.08  # a negative spike must also raise the negative share (a campaign's volume lowers it)
SHIFT_MARGIN = 0.25
SHIFT_SCREEN_SLACK = 0.15
DESIGN_EFFECT = 3
SEVERE_CATEGORIES = frozenset(
    {"safety_health", "hoax_misinformation", "data_privacy", "fraud", "legal", "discrimination"}
)
HIGH_REACH_MIN_REACH = 0.8  # ~2 million followers on social, a national outlet's account on news
HIGH_REACH_MIN_RISK = 0.6
HIGH_REACH_MIN_SEVERITY = 0.8
STORY_MIN_RISK = 0.2  # a negative story's copies with no signal score about 0.25
STORY_SIGNAL_RISK = 0.4  # a neutral-toned story carrying a crisis signal (a recall notice) scores above this
STORY_MIN_NEGATIVE_SHARE = 0.5
TOP = 5


_DEFAULT_RULE = RuleSettings()


@dataclass(frozen=True)
class Limits:
    alpha: float
    min_authors: int
    enabled: bool


def limits(settings: DetectionSettings, rule: Rule) -> Limits:
    own = settings.rules.get(rule) or _DEFAULT_RULE
    floor = own.min_authors or max(1, math.ceil(MIN_AUTHORS[rule] * FLOOR_SCALE[settings.sensitivity]))
    return Limits(alpha=own.max_p_value or ALPHA[settings.sensitivity], min_authors=floor, enabled=own.enabled)


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
        self._expected: dict[tuple[str, int], float] = {}
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

    def expected(self, measure: str, window: int) -> float:
        """The baseline count of `measure` in a window. A brand with under WARMUP_HOURS of history is also
        held to its own last hour's rate: priors alone would make a busy brand's first hour look like a
        spike. Severe crisis signals (safety, hoax, fraud...) are the exception: held to priors only."""
        key = (measure, window)
        if key not in self._expected:
            self._expected[key] = self._own_or_seasonal(measure, window)
        return self._expected[key]

    def _own_or_seasonal(self, measure: str, window: int) -> float:
        base = self._seasonal(measure, window)
        if self.expectation.history_hours >= WARMUP_HOURS or measure.removeprefix("signal:") in SEVERE_CATEGORIES:
            return base  # a new brand's first poisoning or fraud claims are worth an alert whatever came before
        if measure in ("negative_authors", "negative"):
            own = self.quick.negative.get(WINDOW_MINUTES, 0)
        elif measure.startswith("signal:"):
            own = self.quick.signals_hour.get(measure.removeprefix("signal:"), 0)
        else:
            own = self.quick.total.get(WINDOW_MINUTES, 0)
        return max(base, own / WINDOW_MINUTES * window)

    def _seasonal(self, measure: str, window: int) -> float:
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
        """The brand's own burstiness once history shows it; a wide default before."""
        if self.expectation.on_priors:
            return DISPERSION_PRIORS
        return self.expectation.dispersion or DISPERSION_HISTORY


def _has_signal(category: str, item: MinuteCounts) -> bool:
    return category in item.signals


def _has_story(story_id: str, item: MinuteCounts) -> bool:
    return story_id in item.stories


def _carries(mention_id: str, item: MinuteCounts) -> bool:
    return any(entry.endswith(f"|{mention_id}") for entry in item.high_reach)


def _ranked(counts: dict[str, int]) -> list[Ranked]:
    return [Ranked(name=name, mentions=count) for name, count in sorted(counts.items(), key=lambda p: -p[1])[:TOP]]


def _stories(total: MinuteCounts, only: str | None = None) -> list[Ranked]:
    chosen = [(only, total.stories[only])] if only and only in total.stories else total.stories.items()
    ranked = sorted(chosen, key=lambda pair: (-len(pair[1].authors), -pair[1].mentions, pair[0]))
    return [Ranked(name=story_id, mentions=s.mentions, authors=len(s.authors)) for story_id, s in ranked[:TOP]]


def _evidence(
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
        top_stories=_stories(total, story),
        channels=_ranked(total.stories[story].channels if story and story in total.stories else total.channels),
        sources=_ranked(total.sources),
        signals=dict(sorted(total.signals.items(), key=lambda p: -p[1])),
        baseline=view.expectation.source,
    )


def negative_spike(view: DetectionView, settings: DetectionSettings) -> list[Finding]:
    """More distinct authors posting negatively than this hour of this weekday has ever normally seen."""
    rule = limits(settings, Rule.NEGATIVE_SPIKE)
    if not rule.enabled:
        return []
    best: Finding | None = None
    for window in SPIKE_WINDOWS:
        bound = view.quick.negative.get(window, 0)
        if bound < rule.min_authors:
            continue
        expected = view.expected("negative_authors", window)
        if bound < MIN_RATIO * expected:
            continue
        total = view.total(window)
        observed = len(total.negative_authors)
        if observed < rule.min_authors or observed < MIN_RATIO * expected:
            continue
        share = total.negative / total.total if total.total else 0.0
        if share < view.expectation.negative_share + SHARE_MARGIN:
            continue
        p_value = negative_binomial_sf(observed, expected, view.dispersion)
        if p_value >= rule.alpha:
            continue
        ratio = observed / max(expected, 0.1)
        severity = Severity.INFO
        if observed >= 12 and ratio >= 4:
            severity = Severity.WARNING
        if observed >= 30 and ratio >= 6 and p_value < rule.alpha * 1e-3:
            severity = Severity.CRITICAL
        if best is not None and severity.rank <= best.severity.rank:
            continue
        threshold = smallest_significant(expected, view.dispersion, rule.alpha, rule.min_authors)
        best = Finding(
            rule=Rule.NEGATIVE_SPIKE,
            subject="brand",
            severity=severity,
            summary=(
                f"{observed} people posted negatively in {window} min, {ratio:.0f}x the usual {expected:.1f} "
                f"for this hour ({total.negative} negative of {total.total} mentions)"
            ),
            started_at=view.started(window, lambda item: item.negative > 0),
            evidence=_evidence(
                view,
                total,
                measure="distinct authors of negative mentions",
                observed=observed,
                expected=expected,
                threshold=max(threshold, math.ceil(MIN_RATIO * expected)),
                window=window,
                p_value=p_value,
            ),
        )
    slow = _slow_negative_surge(view, rule)
    if slow is not None and (best is None or slow.severity.rank > best.severity.rank):
        best = slow
    return [best] if best else []


def _slow_negative_surge(view: DetectionView, rule: Limits) -> Finding | None:
    """The same test over the last two completed hours and this one so far: a surge that doubles the usual for
    hours fires even if no single hour looks like a spike. Hours sum their distinct authors, so one author
    counts once an hour at most; the tail widens with the window (k grows with the hours summed)."""
    if len(view.recent_hours) < LONG_HOURS or view.expectation.history_hours < WARMUP_HOURS:
        return None
    before = sum(record.negative_authors for record in view.recent_hours)
    bound = before + view.quick.negative_this_hour  # mentions: an upper bound on their authors
    if bound < 2 * rule.min_authors:
        return None
    window = 60 * LONG_HOURS + view.now.minute + 1
    expected = view.expected("negative_authors", window)
    if bound < LONG_RATIO * expected:
        return None
    first = minute_key(view.now.replace(minute=0))
    this_hour = [item for item in view.minutes if item.minute >= first]
    current = MinuteCounts.sum_of("this hour", this_hour)
    observed = before + len(current.negative_authors)
    if observed < 2 * rule.min_authors or observed < LONG_RATIO * expected:
        return None
    total = sum(record.total for record in view.recent_hours) + current.total
    negative = sum(record.negative for record in view.recent_hours) + current.negative
    if not total or negative / total < view.expectation.negative_share + SHARE_MARGIN:
        return None
    dispersion = view.dispersion * window / 60
    p_value = negative_binomial_sf(observed, expected, dispersion)
    if p_value >= rule.alpha:
        return None
    ratio = observed / max(expected, 0.1)
    severity = Severity.CRITICAL if observed >= 60 and ratio >= 4 else Severity.WARNING
    threshold = smallest_significant(expected, dispersion, rule.alpha, 2 * rule.min_authors)
    whole = view.total(WINDOW_MINUTES)
    return Finding(
        rule=Rule.NEGATIVE_SPIKE,
        subject="brand",
        severity=severity,
        summary=(
            f"{observed} people posted negatively over the last {window} min, {ratio:.1f}x the usual "
            f"{expected:.1f} for these hours ({negative} negative of {total} mentions)"
        ),
        started_at=hour_start(view.recent_hours[0].hour),
        evidence=_evidence(
            view,
            whole,
            measure="distinct authors of negative mentions, summed by hour",
            observed=observed,
            expected=expected,
            threshold=max(threshold, math.ceil(LONG_RATIO * expected)),
            window=window,
            p_value=p_value,
        ),
    )


def signal_surge(view: DetectionView, settings: DetectionSettings) -> list[Finding]:
    """Several people raising one kind of crisis (safety, hoax, legal...) at once, weighted by severity and reach."""
    rule = limits(settings, Rule.SIGNAL_SURGE)
    if not rule.enabled:
        return []
    if max(view.quick.signals.values(), default=0) < rule.min_authors:
        return []
    total = view.total(SIGNAL_WINDOW)
    findings = []
    for category, authors in total.signal_authors.items():
        observed = len(authors)
        if observed < rule.min_authors:
            continue
        weight = total.signal_weight.get(category, 0.0)
        mentions = total.signals.get(category, 0)
        if mentions and weight / mentions < 0.45:
            continue  # mostly weak words ("viral", "isu") from small accounts: talk, not a crisis
        expected = view.expected(f"signal:{category}", SIGNAL_WINDOW)
        if observed < MIN_RATIO * expected:
            continue
        p_value = negative_binomial_sf(observed, expected, view.dispersion)
        if p_value >= rule.alpha:
            continue
        severity = Severity.INFO
        if observed >= 6:
            severity = Severity.WARNING
        if category in SEVERE_CATEGORIES and (observed >= 12 or weight >= 15):
            severity = Severity.CRITICAL
        threshold = smallest_significant(expected, view.dispersion, rule.alpha, rule.min_authors)
        label = category.replace("_", " ")
        findings.append(
            Finding(
                rule=Rule.SIGNAL_SURGE,
                subject=category,
                severity=severity,
                summary=(
                    f"{observed} people raised {label} in {SIGNAL_WINDOW} min ({mentions} mentions, "
                    f"weight {weight:.1f}); usually {expected:.1f}"
                ),
                started_at=view.started(SIGNAL_WINDOW, partial(_has_signal, category)),
                evidence=_evidence(
                    view,
                    total,
                    measure=f"distinct authors raising {label}",
                    observed=observed,
                    expected=expected,
                    threshold=max(threshold, math.ceil(MIN_RATIO * expected)),
                    window=SIGNAL_WINDOW,
                    p_value=p_value,
                ),
            )
        )
    return findings


def story_spread(view: DetectionView, settings: DetectionSettings) -> list[Finding]:
    """One story (forwarded copies of one text) reaching many people fast, or jumping from channel to channel."""
    rule = limits(settings, Rule.STORY_SPREAD)
    if not rule.enabled:
        return []
    usual = view.expectation.per_hour.get("max_story_authors", 2.0)
    floor = max(rule.min_authors, math.ceil(MIN_RATIO * usual))
    if max(view.quick.stories.values(), default=0) < floor:
        return []
    total = view.total(WINDOW_MINUTES)
    recent = view.total(GROWTH_WINDOW)
    findings = []
    for story_id, story in total.stories.items():
        authors = len(story.authors)
        if authors < floor:
            continue
        negative_share = story.negative / story.mentions if story.mentions else 0.0
        mean_risk = story.risk_sum / story.mentions if story.mentions else 0.0
        threatening = negative_share >= STORY_MIN_NEGATIVE_SHARE and mean_risk >= STORY_MIN_RISK
        if not threatening and mean_risk < STORY_SIGNAL_RISK:
            continue  # a campaign or a spam flood copied many times: spread, but no threat
        fresh = recent.stories.get(story_id)
        growing = fresh is not None and len(fresh.authors) * 4 >= authors
        channels = sorted(name for name, count in story.channels.items() if count)
        if not growing and len(channels) < 2:
            continue  # an old story that has stopped spreading
        severe_claim = any(story.signals.get(category) for category in SEVERE_CATEGORIES)
        severity = Severity.INFO
        if authors >= 12 or len(channels) >= 2:
            severity = Severity.WARNING
        if (
            authors >= 25
            or (authors >= 12 and (severe_claim or len(channels) >= 3))
            or ("news" in channels and authors >= 10)
        ):
            severity = Severity.CRITICAL  # a poisoning or fraud claim forwarded by a dozen people is already one
        findings.append(
            Finding(
                rule=Rule.STORY_SPREAD,
                subject=story_id,
                story_id=story_id,
                severity=severity,
                summary=(
                    f"Story {story_id} spread to {authors} people in {WINDOW_MINUTES} min "
                    f"({story.mentions} copies via {', '.join(channels)}; mean risk {mean_risk:.2f})"
                ),
                started_at=view.started(WINDOW_MINUTES, partial(_has_story, story_id)),
                evidence=_evidence(
                    view,
                    total,
                    measure="distinct authors of one story",
                    observed=authors,
                    expected=usual,
                    threshold=floor,
                    window=WINDOW_MINUTES,
                    p_value=None,
                    story=story_id,
                ),
            )
        )
    return findings


def _alarming(entry: str) -> bool:
    """A high-reach entry (see aggregates.high_reach_entry) that this rule would fire on."""
    risk, severity, reach, sentiment, channel = entry.split("|", 6)[:5]
    if float(risk) < HIGH_REACH_MIN_RISK or float(severity) < HIGH_REACH_MIN_SEVERITY:
        return False
    return float(reach) >= HIGH_REACH_MIN_REACH and (sentiment == "negative" or channel == "news")


def calls_for_evaluation(scored: ScoredMention) -> bool:
    """A mention the high-reach rule fires on: scoring asks for its tenant's evaluation at once instead of
    waiting for the next minute's schedule."""
    entry = high_reach_entry(scored)
    return entry is not None and _alarming(entry)


def high_reach(view: DetectionView, settings: DetectionSettings) -> list[Finding]:
    """A national news outlet or a very large account carrying a severe signal: at once, without volume."""
    rule = limits(settings, Rule.HIGH_REACH)
    if not rule.enabled or not view.quick.high_reach:
        return []
    total = view.total(WINDOW_MINUTES)
    by_subject: dict[str, tuple[float, float, float, str, str, str]] = {}
    for entry in sorted(total.high_reach):  # sorted: equal risks pick the same mention on every run
        if not _alarming(entry):
            continue
        risk_text, severity_text, reach_text, _, channel, story, mention_id = entry.split("|", 6)
        risk, severity, reach = float(risk_text), float(severity_text), float(reach_text)
        subject = story or mention_id
        if subject not in by_subject or risk > by_subject[subject][0]:
            by_subject[subject] = (risk, severity, reach, channel, mention_id, story)
    findings = []
    for subject, (risk, severity, reach, channel, mention_id, story) in by_subject.items():
        level = Severity.CRITICAL if channel == "news" and severity >= 0.85 and risk >= 0.6 else Severity.WARNING
        where = "a news outlet" if channel == "news" else f"a {channel} account"
        findings.append(
            Finding(
                rule=Rule.HIGH_REACH,
                subject=subject,
                story_id=story or None,
                severity=level,
                summary=f"{where.capitalize()} with reach {reach:.2f} carried a severe signal (risk {risk:.2f})",
                started_at=view.started(WINDOW_MINUTES, partial(_carries, mention_id)),
                evidence=_evidence(
                    view,
                    total,
                    measure="risk of one far-reaching mention",
                    observed=risk,
                    expected=0.0,
                    threshold=HIGH_REACH_MIN_RISK,
                    window=WINDOW_MINUTES,
                    p_value=None,
                    story=story or None,
                ),
            )
        )
    return findings


def sentiment_shift(view: DetectionView, settings: DetectionSettings) -> list[Finding]:
    """The share of people posting negatively far above the brand's normal share, on enough people to mean it.

    Counted in distinct authors (one ranting account is one person), and tested with a binomial tail on a
    third of them: an hour's share swings more than independent coin flips would (replies, threads), and the
    design effect keeps the test honest about that."""
    rule = limits(settings, Rule.SENTIMENT_SHIFT)
    if not rule.enabled:
        return []
    mentions, negative_mentions = view.quick.total.get(WINDOW_MINUTES, 0), view.quick.negative.get(WINDOW_MINUTES, 0)
    usual = view.expectation.negative_share
    if mentions < 2 * rule.min_authors or negative_mentions < rule.min_authors:
        return []
    if negative_mentions / mentions < usual + SHIFT_MARGIN - SHIFT_SCREEN_SLACK:
        return []  # people's share follows mentions' closely; far below, it cannot clear the margin
    total = view.total(WINDOW_MINUTES)
    people, negative_people = len(total.authors), len(total.negative_authors)
    if people < 2 * rule.min_authors or negative_people < rule.min_authors:
        return []
    share = negative_people / people
    if share < usual + SHIFT_MARGIN:
        return []
    effective = max(1, people // DESIGN_EFFECT)
    p_value = binomial_sf(math.floor(share * effective), effective, usual)
    if p_value >= rule.alpha:
        return []
    severity = Severity.WARNING
    if share >= 0.7 and negative_people >= 30:
        severity = Severity.CRITICAL
    threshold = next(
        (
            n
            for n in range(math.ceil(people * (usual + SHIFT_MARGIN)), people + 1)
            if binomial_sf(math.floor(n / people * effective), effective, usual) < rule.alpha
        ),
        people,
    )
    return [
        Finding(
            rule=Rule.SENTIMENT_SHIFT,
            subject="brand",
            severity=severity,
            summary=(f"{share:.0%} of the {people} people posting in the last hour were negative; usually {usual:.0%}"),
            started_at=view.started(WINDOW_MINUTES, lambda item: item.total > 0),
            evidence=_evidence(
                view,
                total,
                measure="distinct authors posting negatively, of all distinct authors",
                observed=negative_people,
                expected=round(people * usual, 2),
                threshold=threshold,
                window=WINDOW_MINUTES,
                p_value=p_value,
            ),
        )
    ]


RULES: tuple[Callable[[DetectionView, DetectionSettings], list[Finding]], ...] = (
    negative_spike,
    signal_surge,
    story_spread,
    high_reach,
    sentiment_shift,
)


def findings_for(view: DetectionView, settings: DetectionSettings) -> list[Finding]:
    """Every rule's findings, in rule order and by subject within a rule: the same data gives the same alerts
    in the same order on every run (sets of strings iterate in an order Python randomises per process)."""
    return [finding for rule in RULES for finding in sorted(rule(view, settings), key=lambda f: f.subject)]
