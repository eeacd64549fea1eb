"""The scheduled detector's logic: which minute a schedule tick evaluates, and one request per tenant for it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sigap.detection.domain.models import EvaluationRequest
from sigap.kernel.aggregates import minute_start

FAN_OUT_CHUNK = 100


class EvaluationSink(Protocol):
    def send(self, requests: Sequence[EvaluationRequest]) -> None: ...


def minute_to_evaluate(tick: datetime) -> datetime:
    """A tick at 10:01:00.4 evaluates 10:00, the last complete minute (mentions of 10:01 are still arriving)."""
    return minute_start(tick) - timedelta(minutes=1)


def fan_out(minute: datetime, tenant_ids: Iterable[str], sink: EvaluationSink) -> int:
    """Sends one evaluation request per tenant, a hundred at a time (the directory is read page by page)."""
    sent = 0
    chunk: list[EvaluationRequest] = []
    for tenant_id in tenant_ids:
        chunk.append(EvaluationRequest(tenant_id=tenant_id, minute=minute))
        if len(chunk) == FAN_OUT_CHUNK:
            sink.send(chunk)
            sent += len(chunk)
            chunk = []
    if chunk:
        sink.send(chunk)
        sent += len(chunk)
    return sent
