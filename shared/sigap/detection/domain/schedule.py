"""The scheduled detector's logic: which minute a schedule tick evaluates, and a request for each tenant for it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from itertools import batched
from typing import Protocol

from sigap.detection.domain.models import EvaluationRequests
from sigap.kernel.aggregates import minute_start

# Messages sent at a time: SQS takes ten a request (the tenant directory is read page by page meanwhile).
FAN_OUT_MESSAGES = 10


class EvaluationSink(Protocol):
    def send(self, requests: Sequence[EvaluationRequests]) -> None: ...


def minute_to_evaluate(tick: datetime) -> datetime:
    """A tick at 10:01:00.4 evaluates 10:00, the last complete minute (mentions of 10:01 are still arriving)."""
    return minute_start(tick) - timedelta(minutes=1)


def fan_out(minute: datetime, tenant_ids: Iterable[str], sink: EvaluationSink) -> int:
    """Asks for every tenant's evaluation at `minute`, TENANTS_PER_MESSAGE tenants a message; the tenants asked."""
    sent = 0
    for messages in batched(EvaluationRequests.packed(tenant_ids, minute), FAN_OUT_MESSAGES):
        sink.send(messages)
        sent += sum(len(message.tenant_ids) for message in messages)
    return sent


def urgent_requests(asked: Iterable[tuple[str, datetime]]) -> list[EvaluationRequests]:
    """Urgent evaluations of (tenant, minute) pairs, the tenants of a minute packed together."""
    by_minute: dict[datetime, list[str]] = {}
    for tenant_id, minute in sorted(set(asked)):
        by_minute.setdefault(minute, []).append(tenant_id)
    return [
        request
        for minute, tenant_ids in sorted(by_minute.items())
        for request in EvaluationRequests.packed(tenant_ids, minute, urgent=True)
    ]
