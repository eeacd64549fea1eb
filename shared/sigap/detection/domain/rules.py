"""The detection rules, each explainable: what it counted, against what baseline, and why it fired.

Every rule reads the tenant's last hour of minutes (`DetectionView`) and the baseline for this hour, and returns
a `Finding` per subject whose condition holds now. Counts that decide are **distinct authors**, never raw
mentions: thirty posts from one account are a rant, one author, and cannot fire a volume rule at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cached_property, partial

from sigap.detection.domain.baseline import PRIOR, Count, SignalAuthors, hour_start
from sigap.detection.domain.models import (
    DetectionSettings,
    Finding,
    Rule,
    Severity,
)
from sigap.detection.domain.stats import binomial_sf, negative_binomial_sf, smallest_significant
from sigap.detection.domain.surge import surge
from sigap.detection.domain.thresholds import (
    DESIGN_EFFECT,
    GROWTH_WINDOW,
    HIGH_REACH_MIN_REACH,
    HIGH_REACH_MIN_RISK,
    HIGH_REACH_MIN_SEVERITY,
    LONG_RATIO,
    MIN_RATIO,
    SEVERE_CATEGORIES,
    SHARE_MARGIN,
    SHIFT_MARGIN,
    SHIFT_SCREEN_SLACK,
    SIGNAL_WINDOW,
    STORY_MIN_NEGATIVE_SHARE,
    STORY_MIN_RISK,
    STORY_SIGNAL_RISK,
    WINDOW_MINUTES,
    limits,
)
from sigap.detection.domain.view import DetectionView, carries, evidence, has_signal, has_story
from sigap.kernel.aggregates import high_reach_entry, minute_key
from sigap.kernel.minute_counts import MinuteCounts
from sigap.kernel.models import ScoredMention


class NegativeAuthors:
    """People as the negative-spike rule counts them: distinct authors of negative mentions, and a surge only
    where the negative share rose too (a campaign's volume lowers it)."""

    def __init__(self, view: DetectionView) -> None:
        self._view = view

    def in_window(self, window: int) -> int:
        return len(self._view.total(window).negative_authors)

    def this_hour(self) -> int:
        return len(self.hour_so_far.negative_authors)

    @cached_property
    def hour_so_far(self) -> MinuteCounts:
        """This hour's minutes added up once (author sets joined): the slow surge, its gate and its summary share it."""
        first = minute_key(self._view.now.replace(minute=0))
        return MinuteCounts.sum_of("this hour", [item for item in self._view.minutes if item.minute >= first])

    def over_hours(self) -> tuple[int, int]:
        """Negative and all mentions over the completed recent hours and this one so far."""
        hours = self._view.recent_hours
        negative = sum(record.negative for record in hours) + self.hour_so_far.negative
        return negative, sum(record.total for record in hours) + self.hour_so_far.total

    def admits(self, window: int) -> bool:
        total = self._view.total(window)
        share = total.negative / total.total if total.total else 0.0
        return share >= self._view.expectation.negative_share + SHARE_MARGIN

    def admits_hours(self) -> bool:
        negative, total = self.over_hours()
        return bool(total) and negative / total >= self._view.expectation.negative_share + SHARE_MARGIN


def negative_spike(view: DetectionView, settings: DetectionSettings) -> list[Finding]:
    """More distinct authors posting negatively than this hour of this weekday has ever normally seen: a sharp
    spike, or a surge that builds over hours (see `surge`)."""
    rule = limits(settings, Rule.NEGATIVE_SPIKE)
    if not rule.enabled:
        return []
    people = NegativeAuthors(view)
    found = surge(view, rule, people)
    if found is None:
        return []
    window, observed, expected = found.window, found.observed, found.expected
    ratio = found.ratio
    if found.slow:
        whole = view.total(WINDOW_MINUTES)
        negative, total = people.over_hours()
        floor, ratio_floor = 2 * rule.min_authors, LONG_RATIO
        summary = (
            f"{observed} people posted negatively over the last {window} min, {ratio:.1f}x the usual "
            f"{expected:.1f} for these hours ({negative} negative of {total} mentions)"
        )
        started_at = hour_start(view.recent_hours[0].hour)
        measure = "distinct authors of negative mentions, summed by hour"
    else:
        whole = view.total(window)
        floor, ratio_floor = rule.min_authors, MIN_RATIO
        summary = (
            f"{observed} people posted negatively in {window} min, {ratio:.0f}x the usual {expected:.1f} "
            f"for this hour ({whole.negative} negative of {whole.total} mentions)"
        )
        started_at = view.started(window, lambda item: item.negative > 0)
        measure = "distinct authors of negative mentions"
    threshold = smallest_significant(expected, found.dispersion, rule.alpha, floor)
    return [
        Finding(
            rule=Rule.NEGATIVE_SPIKE,
            subject="brand",
            severity=found.severity,
            summary=summary,
            started_at=started_at,
            evidence=evidence(
                view,
                whole,
                measure=measure,
                observed=observed,
                expected=expected,
                threshold=max(threshold, math.ceil(ratio_floor * expected)),
                window=window,
                p_value=found.p_value,
            ),
        )
    ]


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
        expected = view.expected(SignalAuthors(category), SIGNAL_WINDOW)
        if observed < MIN_RATIO * expected:
            continue
        p_value = negative_binomial_sf(observed, expected, view.dispersion_over(SIGNAL_WINDOW))
        if p_value >= rule.alpha:
            continue
        severity = Severity.INFO
        if observed >= 6:
            severity = Severity.WARNING
        if category in SEVERE_CATEGORIES and (observed >= 12 or weight >= 15):
            severity = Severity.CRITICAL
        threshold = smallest_significant(expected, view.dispersion_over(SIGNAL_WINDOW), rule.alpha, rule.min_authors)
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
                started_at=view.started(SIGNAL_WINDOW, partial(has_signal, category)),
                evidence=evidence(
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
    usual = view.expectation.per_hour.get(Count.MAX_STORY_AUTHORS, PRIOR[Count.MAX_STORY_AUTHORS])
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
                started_at=view.started(WINDOW_MINUTES, partial(has_story, story_id)),
                evidence=evidence(
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
                started_at=view.started(WINDOW_MINUTES, partial(carries, mention_id)),
                evidence=evidence(
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
            evidence=evidence(
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
