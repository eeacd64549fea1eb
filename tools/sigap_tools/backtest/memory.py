"""In-memory adapters for the detection ports: what `sigap backtest` (and unit tests) run the deployed detection
code on, with the same conditional-write semantics as the DynamoDB adapters and no AWS at all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sigap.detection.domain.baseline import HourRecord
from sigap.detection.domain.evaluation import DetectorState, choose_samples
from sigap.detection.domain.models import Alert, AlertStatus, AlertTransition, SampleMention
from sigap.kernel.aggregates import bucket_time, contribution_for
from sigap.kernel.minute_counts import AggregateWindow, MinuteCounts, decode_item
from sigap.kernel.models import ScoredMention


def _epoch_minute(moment: datetime) -> int:
    return int(moment.timestamp()) // 60


class MemoryAggregates:
    """Per tenant and minute: the scored mentions' contributions summed raw, decoded once when first read.
    Minutes are keyed by their number since the epoch: a window is then 60 dictionary lookups, not 60
    formatted dates."""

    def __init__(self) -> None:
        self._raw: dict[str, dict[int, tuple[str, dict[str, float], dict[str, set[str]]]]] = {}
        self._decoded: dict[tuple[str, int], MinuteCounts] = {}

    def add(self, scored: ScoredMention) -> None:
        contribution = contribution_for(scored)
        number = _epoch_minute(bucket_time(scored))
        minutes = self._raw.setdefault(contribution.tenant_id, {})
        _, counters, sets = minutes.setdefault(number, (contribution.minute, {}, {}))
        for name, amount in contribution.counters.items():
            counters[name] = counters.get(name, 0) + amount
        for name, members in contribution.sets.items():
            sets.setdefault(name, set()).update(members)
        self._decoded.pop((contribution.tenant_id, number), None)

    def _minute(self, tenant_id: str, number: int) -> MinuteCounts | None:
        cached = self._decoded.get((tenant_id, number))
        if cached is not None:
            return cached
        raw = self._raw.get(tenant_id, {}).get(number)
        if raw is None:
            return None
        key, counters, sets = raw
        decoded = decode_item(key, {**counters, **{name: frozenset(members) for name, members in sets.items()}})
        self._decoded[(tenant_id, number)] = decoded
        return decoded

    def window(self, tenant_id: str, since: datetime, until: datetime, *, hourly: bool = False) -> AggregateWindow:
        minutes = []
        stored = self._raw.get(tenant_id)
        if stored:
            for number in range(_epoch_minute(since), _epoch_minute(until) + 1):
                if number in stored:
                    counts = self._minute(tenant_id, number)
                    if counts is not None:
                        minutes.append(counts)
        return AggregateWindow(tenant_id=tenant_id, since=since, until=until, minutes=minutes)

    def forget_before(self, tenant_id: str, moment: datetime) -> None:
        """Drops minutes no evaluation will read again (older than the roll-up and the window)."""
        minutes = self._raw.get(tenant_id, {})
        first = _epoch_minute(moment)
        for old in [number for number in minutes if number < first]:
            del minutes[old]
            self._decoded.pop((tenant_id, old), None)


class MemoryHistory:
    def __init__(self) -> None:
        self._hours: dict[str, dict[str, HourRecord]] = {}

    def hours(self, tenant_id: str, since_hour: str, until_hour: str) -> list[HourRecord]:
        return [
            record for key, record in sorted(self._hours.get(tenant_id, {}).items()) if since_hour <= key <= until_hour
        ]

    def put_hours(self, tenant_id: str, records: Sequence[HourRecord]) -> None:
        stored = self._hours.setdefault(tenant_id, {})
        for record in records:
            stored[record.hour] = record


class MemoryState:
    def __init__(self) -> None:
        self._states: dict[str, DetectorState] = {}

    def get(self, tenant_id: str) -> DetectorState | None:
        return self._states.get(tenant_id)

    def put(self, state: DetectorState, expected_version: int) -> bool:
        current = self._states.get(state.tenant_id)
        if (current.version if current else 0) != expected_version:
            return False
        self._states[state.tenant_id] = state
        return True


class MemoryAlerts:
    def __init__(self) -> None:
        self.alerts: dict[str, dict[str, Alert]] = {}  # tenant → alert id → alert
        self._open: dict[str, dict[str, str]] = {}  # tenant → fingerprint → open alert id
        self._outbox: dict[str, dict[str, AlertTransition]] = {}

    def open_alerts(self, tenant_id: str) -> list[Alert]:
        alerts = self.alerts.get(tenant_id, {})
        return [alerts[alert_id] for alert_id in self._open.get(tenant_id, {}).values()]

    def save(self, alert: Alert, expected_version: int, transition: AlertTransition | None) -> bool:
        alerts = self.alerts.setdefault(alert.tenant_id, {})
        opened = self._open.setdefault(alert.tenant_id, {})
        current = alerts.get(alert.alert_id)
        if (current.version if current else 0) != expected_version:
            return False
        if current is None and alert.fingerprint in opened:
            return False  # one open alert per fingerprint
        alerts[alert.alert_id] = alert
        if alert.status is AlertStatus.FIRING:
            opened[alert.fingerprint] = alert.alert_id
        else:
            opened.pop(alert.fingerprint, None)
        if transition is not None:
            self._outbox.setdefault(alert.tenant_id, {})[transition.transition_id] = transition
        return True

    def outbox(self, tenant_id: str) -> list[AlertTransition]:
        return list(self._outbox.get(tenant_id, {}).values())

    def sent(self, tenant_id: str, transition_ids: Sequence[str]) -> None:
        outbox = self._outbox.get(tenant_id, {})
        for transition_id in transition_ids:
            outbox.pop(transition_id, None)


class MemoryEvents:
    def __init__(self) -> None:
        self.sent: list[AlertTransition] = []

    def send(self, transitions: Sequence[AlertTransition]) -> None:
        self.sent.extend(transitions)


class MemorySamples:
    """The most recent scored mentions per tenant, enough to quote a few in an alert's evidence."""

    KEEP = 5000

    def __init__(self) -> None:
        self._recent: dict[str, list[ScoredMention]] = {}

    def add(self, scored: ScoredMention) -> None:
        recent = self._recent.setdefault(scored.mention.tenant_id, [])
        recent.append(scored)
        if len(recent) > 2 * self.KEEP:
            del recent[: len(recent) - self.KEEP]

    def samples(
        self, tenant_id: str, since: datetime, until: datetime, story_id: str | None, limit: int
    ) -> list[SampleMention]:
        recent = [scored for scored in self._recent.get(tenant_id, []) if since <= scored.mention.created_at < until]
        return choose_samples(recent, story_id, limit)
