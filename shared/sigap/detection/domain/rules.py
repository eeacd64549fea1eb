"""The detection rules, each explainable: what it counted, against what baseline, and why it fired.

Every rule reads the tenant's last hour of minutes (`DetectionView`) and the baseline for this hour, and returns
a `Finding` per subject whose condition holds now. Counts that decide are **distinct authors**, never raw
mentions: thirty posts from one account are a rant, one author, and cannot fire a volume rule at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

from sigap.detection.domain.baseline import PRIOR, Count, SignalAuthors, hour_start
from sigap.detection.domain.models import (
    DetectionSettings,
    Finding,
    Rule,
    Severity,
)
from sigap.detection.domain.stats import binomial_sf, negative_binomial_sf, smallest_significant
from sigap.detection.domain.thresholds import (
    DESIGN_EFFECT,
    GROWTH_WINDOW,
    HIGH_REACH_MIN_REACH,
    HIGH_REACH_MIN_RISK,
    HIGH_REACH_MIN_SEVERITY,
    LONG_HOURS,
    LONG_RATIO,
    MIN_RATIO,
    SEVERE_CATEGORIES,
    SHARE_MARGIN,
    SHIFT_MARGIN,
    SHIFT_SCREEN_SLACK,
    SIGNAL_WINDOW,
    SPIKE_WINDOWS,
    STORY_MIN_NEGATIVE_SHARE,
    STORY_MIN_RISK,
    STORY_SIGNAL_RISK,
    WARMUP_HOURS,
    WINDOW_MINUTES,
    Limits,
    limits,
)
from sigap.detection.domain.view import DetectionView, carries, evidence, has_signal, has_story
from sigap.kernel.aggregates import high_reach_entry, minute_key
from sigap.kernel.minute_counts import MinuteCounts
from sigap.kernel.models import ScoredMention


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
        expected = view.expected(Count.NEGATIVE_AUTHORS, window)
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
            evidence=evidence(
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
    expected = view.expected(Count.NEGATIVE_AUTHORS, window)
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
        evidence=evidence(
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
        expected = view.expected(SignalAuthors(category), SIGNAL_WINDOW)
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
