"""Evaluating one tenant at one minute: the detection logic both the deployed evaluator and `sigap backtest` run.

The ports are protocols: DynamoDB and SQS adapters for the deployed function (`sigap.detection.store`,
`queues` and `samples`, and `sigap.mentions.aggregate_store`, wired in `sigap.detection.consumer`), in-memory ones
in `sigap_tools.backtest.memory` for the backtest. Only this module decides; adapters only store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from sigap.detection.domain.baseline import HOUR, Expectation, HourRecord, expectation_for, hour_key, hour_start
from sigap.detection.domain.lifecycle import Change, ResolvedMark, ScopedFinding, plan
from sigap.detection.domain.models import (
    Alert,
    AlertStatus,
    AlertTransition,
    DetectionSettings,
    SampleMention,
    TransitionKind,
)
from sigap.detection.domain.rules import findings_for
from sigap.detection.domain.scope import judge_scope
from sigap.detection.domain.thresholds import WINDOW_MINUTES
from sigap.detection.domain.view import DetectionView
from sigap.kernel.aggregates import minute_at, minute_key, minute_start
from sigap.kernel.minute_counts import AggregateWindow, MinuteCounts
from sigap.kernel.models import ScoredMention, is_story_id

BACKFILL_HOURS = 24
HISTORY = timedelta(days=29)
SAMPLES = 3


class AggregateSource(Protocol):
    def window(self, tenant_id: str, since: datetime, until: datetime, *, hourly: bool = False) -> AggregateWindow:
        """`hourly`: a rolled-up whole hour may come as one entry at its first minute."""
        ...


class HistoryStore(Protocol):
    def hours(self, tenant_id: str, since_hour: str, until_hour: str) -> list[HourRecord]: ...

    def put_hours(self, tenant_id: str, records: Sequence[HourRecord]) -> None: ...


class DetectorState(BaseModel):
    """Per tenant: the baseline for the current hour, what was rolled up, and recently resolved fingerprints."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    evaluated_minute: str = ""
    rolled_hour: str = ""
    active_since: str = Field(default="", description="First hour with any mention: history starts there")
    expectation: Expectation | None = None
    recent_hours: list[HourRecord] = Field(default_factory=list, description="The last completed hours")
    earlier: list[Expectation] = Field(default_factory=list, description="The baselines of those hours")
    open_alerts: int = 0
    recently_resolved: dict[str, ResolvedMark] = Field(default_factory=dict)
    version: int = 0


class StateStore(Protocol):
    def get(self, tenant_id: str) -> DetectorState | None: ...

    def put(self, state: DetectorState, expected_version: int) -> bool:
        """False if another evaluation stored a newer state first."""
        ...


class AlertStore(Protocol):
    def open_alerts(self, tenant_id: str) -> list[Alert]: ...

    def save(self, alert: Alert, expected_version: int, transition: AlertTransition | None) -> bool:
        """Stores the alert (and the transition in its outbox) if the stored version is still
        `expected_version` (0: no alert with this id yet); False if another evaluation got there first."""
        ...

    def outbox(self, tenant_id: str) -> list[AlertTransition]: ...

    def sent(self, tenant_id: str, transition_ids: Sequence[str]) -> None: ...


class EventSink(Protocol):
    def send(self, transitions: Sequence[AlertTransition]) -> None: ...


class SampleSource(Protocol):
    def samples(
        self, tenant_id: str, since: datetime, until: datetime, story_id: str | None, limit: int
    ) -> list[SampleMention]: ...


@dataclass(frozen=True)
class DetectorPorts:
    aggregates: AggregateSource
    history: HistoryStore
    state: StateStore
    alerts: AlertStore
    events: EventSink
    samples: SampleSource


@dataclass
class Evaluation:
    tenant_id: str
    minute: datetime
    skipped: str | None = None
    findings: int = 0
    transitions: list[AlertTransition] = field(default_factory=list)


def choose_samples(candidates: Sequence[ScoredMention], story_id: str | None, limit: int) -> list[SampleMention]:
    """The riskiest mentions of the story (or of all), quoted as an alert's examples."""
    chosen = [scored for scored in candidates if story_id is None or scored.score.story_id == story_id]
    chosen.sort(key=lambda scored: (-scored.score.risk, scored.mention.id))
    return [
        SampleMention(
            id=scored.mention.id,
            text=scored.mention.text[:280],
            channel=scored.mention.channel.value,
            sentiment=scored.score.sentiment.value,
            risk=scored.score.risk,
        )
        for scored in chosen[:limit]
    ]


def _roll_up(tenant_id: str, state: DetectorState, minute: datetime, ports: DetectorPorts) -> DetectorState:
    """Completed hours since the last roll-up become history, and the baseline for this hour is recomputed."""
    current = minute_key(minute)[:13]
    if state.expectation is not None and state.expectation.hour == current:
        return state
    first = hour_start(current) - HOUR * BACKFILL_HOURS
    if state.rolled_hour:
        first = max(first, hour_start(state.rolled_hour) + HOUR)
    last = hour_start(current) - HOUR
    records: list[HourRecord] = []
    active_since = state.active_since
    if first <= last:
        window = ports.aggregates.window(tenant_id, first, last + timedelta(minutes=59), hourly=True)
        by_hour: dict[str, list[MinuteCounts]] = {}
        for item in window.minutes:
            by_hour.setdefault(item.minute[:13], []).append(item)
        moment = first
        while moment <= last:
            key = hour_key(moment)
            if key in by_hour and not active_since:
                active_since = key
            if active_since and key >= active_since:
                records.append(HourRecord.of(key, by_hour.get(key, []), alerted=state.open_alerts > 0))
            moment += HOUR
    if records:
        ports.history.put_hours(tenant_id, records)
    history = ports.history.hours(tenant_id, hour_key(hour_start(current) - HISTORY), hour_key(last))
    return state.model_copy(
        update={
            "rolled_hour": hour_key(last),
            "active_since": active_since,
            "expectation": expectation_for(current, history),
            "recent_hours": [record for record in history if record.hour >= hour_key(last - HOUR)][-2:],
            "earlier": [*state.earlier, *([state.expectation] if state.expectation else [])][-2:],
        }
    )


def _with_samples(change: Change, minute: datetime, ports: DetectorPorts) -> Change:
    if change.transition is None or change.transition.kind is TransitionKind.RESOLVED:
        return change
    alert = change.alert
    story = alert.subject if is_story_id(alert.subject) else None
    samples = ports.samples.samples(alert.tenant_id, alert.started_at, minute + timedelta(minutes=1), story, SAMPLES)
    updated = alert.model_copy(update={"evidence": alert.evidence.model_copy(update={"samples": samples})})
    return Change(updated, change.expected_version, change.transition.model_copy(update={"alert": updated}))


def evaluate_tenant(
    tenant_id: str,
    minute: datetime,
    settings: DetectionSettings,
    ports: DetectorPorts,
    *,
    stored: DetectorState | None = None,
    advance: bool = True,
) -> Evaluation:
    """Detection for one tenant at one minute (the window ends with it). Safe to run twice, or twice at once:
    every stored change is conditional on what the evaluation read. `stored`: the state, if just read.
    `advance=False` (an urgent evaluation between ticks) leaves the evaluated minute where it was, so the
    schedule still evaluates every minute before this one, in order."""
    minute = minute_start(minute)
    result = Evaluation(tenant_id, minute)
    stored = stored or ports.state.get(tenant_id)
    state = stored or DetectorState(tenant_id=tenant_id)
    if state.evaluated_minute and minute_key(minute) < state.evaluated_minute:
        result.skipped = f"minute {minute_key(minute)} is older than {state.evaluated_minute}, evaluated already"
        return result
    rolled = _roll_up(tenant_id, state, minute, ports)
    window = ports.aggregates.window(tenant_id, minute - timedelta(minutes=WINDOW_MINUTES - 1), minute)
    if not window.minutes and not state.open_alerts:
        if rolled is not state:  # an hour rolled up: its history and baseline are kept, and the minute with them
            _store_state(ports, state, rolled, minute, advance)
        result.skipped = "nothing to evaluate"
        return result
    assert rolled.expectation is not None
    view = DetectionView(minute, window.minutes, rolled.expectation, rolled.recent_hours, rolled.earlier)
    findings = findings_for(view, settings)
    result.findings = len(findings)
    scoped = [
        ScopedFinding(finding, *judge_scope(finding, view.total(WINDOW_MINUTES), settings.home_country))
        for finding in findings
    ]
    open_alerts = (
        {alert.fingerprint: alert for alert in ports.alerts.open_alerts(tenant_id)}
        if (findings or state.open_alerts)
        else {}
    )
    recent = {
        print_: mark
        for print_, mark in rolled.recently_resolved.items()
        if minute - mark.resolved_at < timedelta(minutes=2 * settings.resolve_after_minutes)
    }
    open_count = len(open_alerts)
    at = minute + timedelta(minutes=1)  # the minute is complete: this is when its evaluation runs
    for change in plan(tenant_id, at, scoped, open_alerts, recent, settings):
        change = _with_samples(change, minute, ports)
        if not ports.alerts.save(change.alert, change.expected_version, change.transition):
            continue  # another evaluation stored this change (or a newer one) first
        if change.transition is not None:
            result.transitions.append(change.transition)
            if change.transition.kind is TransitionKind.FIRED:
                open_count += 1
            elif change.alert.status is AlertStatus.RESOLVED:
                open_count -= 1
                recent[change.alert.fingerprint] = ResolvedMark(resolved_at=at, severity=change.alert.severity)
    pending = ports.alerts.outbox(tenant_id) if (result.transitions or state.open_alerts or findings) else []
    if pending:
        ports.events.send(pending)
        ports.alerts.sent(tenant_id, [item.transition_id for item in pending])
    _store_state(ports, state, rolled, minute, advance, open_alerts=max(0, open_count), recently_resolved=recent)
    return result


def _store_state(
    ports: DetectorPorts,
    read: DetectorState,
    rolled: DetectorState,
    minute: datetime,
    advance: bool,
    **changes: object,
) -> None:
    """Written every evaluated minute (one small item, one write unit), conditionally on the version read: the
    minute evaluated is what tells the next evaluation whether minutes were missed and must be caught up."""
    clock = minute_key(minute) if advance else read.evaluated_minute
    ports.state.put(
        rolled.model_copy(update={"evaluated_minute": clock, "version": read.version + 1, **changes}), read.version
    )


CATCH_UP_MINUTES = 360


def _quiet_through(
    tenant_id: str, state: DetectorState, first: datetime, minute: datetime, ports: DetectorPorts
) -> Evaluation:
    """Minutes `first` to `minute` when no window holds anything and no alert is open: each would find nothing,
    so only the hours they cross are rolled up, in order, as minute by minute would. Nothing is written unless
    an hour is (an idle tenant's minute costs no write): the evaluated minute stays where it was, and the next
    evaluation finds the same quiet minutes after it, however long the tenant is idle."""
    rolled, moment = state, first
    while moment <= minute:
        rolled = _roll_up(tenant_id, rolled, moment, ports)
        moment = hour_start(minute_key(moment)[:13]) + HOUR
    if rolled is not state:
        _store_state(ports, state, rolled, minute, True)
    return Evaluation(tenant_id, minute, skipped="nothing to evaluate")


class _PreloadedAggregates:
    """One read of a span of minutes, served to every evaluation of a catch-up (one query per shard instead of
    one per minute); windows outside the span go to the real source."""

    def __init__(self, source: AggregateSource, window: AggregateWindow) -> None:
        self._source, self._window = source, window

    def window(self, tenant_id: str, since: datetime, until: datetime, *, hourly: bool = False) -> AggregateWindow:
        span = self._window
        if tenant_id != span.tenant_id or since < span.since or until > span.until:
            return self._source.window(tenant_id, since, until, hourly=hourly)
        low, high = minute_key(since), minute_key(until)
        minutes = [item for item in span.minutes if low <= item.minute <= high]
        return AggregateWindow(tenant_id=tenant_id, since=since, until=until, minutes=minutes)


def evaluate_through(
    tenant_id: str,
    minute: datetime,
    settings_of: Callable[[], DetectionSettings],
    ports: DetectorPorts,
    *,
    urgent: bool = False,
    out_of_time: Callable[[], bool] = lambda: False,
) -> list[Evaluation]:
    """Evaluates every minute the tenant has not been evaluated for, in order, up to `minute` (at most the last
    CATCH_UP_MINUTES): after an outage, a throttled hour or a new deployment, alerts fire at the minutes their
    conditions began, not all at once or never. Normally that is the one minute asked for. `settings_of`: the
    tenant's detection settings, asked for only when there is something to evaluate (quiet minutes need none).

    `out_of_time` is asked before each minute of a catch-up after its first: once it says so, the minutes left
    wait for the tenant's next request, which starts where this one stopped (each minute's state is stored as it
    is evaluated, so none is lost or evaluated twice). A batch of long catch-ups ends within its time, instead of
    being cut off by its timeout and retried whole."""
    minute = minute_start(minute)
    state = ports.state.get(tenant_id)
    if urgent and state is not None and state.evaluated_minute:
        return [evaluate_tenant(tenant_id, minute, settings_of(), ports, stored=state, advance=False)]
    # (an urgent ask for a tenant never evaluated is a first evaluation like any other: catch up, in order)
    first = minute - timedelta(minutes=CATCH_UP_MINUTES - 1)
    known = state or DetectorState(tenant_id=tenant_id)
    if known.evaluated_minute:
        first = min(max(first, minute_at(known.evaluated_minute) + timedelta(minutes=1)), minute)
    if minute_key(minute) > known.evaluated_minute and not known.open_alerts:
        # Most tenants, most minutes: nothing in any window to evaluate, one read (free when the tenant's
        # activity mark is older than the window) instead of a catch-up's
        recent = ports.aggregates.window(tenant_id, first - timedelta(minutes=WINDOW_MINUTES - 1), minute)
        if not recent.minutes:
            return [_quiet_through(tenant_id, known, first, minute, ports)]
        if first >= minute:  # the one minute asked for: its window is the one just read
            served = replace(ports, aggregates=_PreloadedAggregates(ports.aggregates, recent))
            return [evaluate_tenant(tenant_id, minute, settings_of(), served, stored=state)]
    settings = settings_of()
    if first >= minute:
        return [evaluate_tenant(tenant_id, minute, settings, ports, stored=state)]
    since = first - timedelta(minutes=WINDOW_MINUTES) - HOUR * (BACKFILL_HOURS + 1)
    span = ports.aggregates.window(tenant_id, since, minute)
    preloaded = DetectorPorts(
        aggregates=_PreloadedAggregates(ports.aggregates, span),
        history=ports.history,
        state=ports.state,
        alerts=ports.alerts,
        events=ports.events,
        samples=ports.samples,
    )
    evaluations: list[Evaluation] = []
    moment = first
    while moment <= minute and not (evaluations and out_of_time()):
        evaluations.append(evaluate_tenant(tenant_id, moment, settings, preloaded))
        moment += timedelta(minutes=1)
    return evaluations
