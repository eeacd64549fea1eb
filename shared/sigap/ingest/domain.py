"""Ingestion logic: validated mentions in, queued mentions out, each (tenant, id) accepted once: the first copy.

A mention is *claimed* before it is queued: a conditional write of the mention as received, keyed on (tenant,
id). The first request to claim an id wins; every later copy, in the same body or another request, whatever
its text, is answered as a duplicate, and scoring stores the claimed copy. A duplicate whose first copy is
claimed but not scored yet is queued again from the claim (scoring stores it once either way), so a crash
between the claim and the queue, or a queue outage answered 503, loses nothing once the client retries.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel

from sigap.kernel.errors import MentionTooLargeError
from sigap.kernel.models import Mention, MentionIn
from sigap.mentions.domain import Claims

MAX_MESSAGE_BYTES = 256 * 1024  # SQS's limit for one message
# How long a claim outlives its mention's queueing: the queue keeps a message 4 days and its DLQ 14.
CLAIM_LIFETIME = timedelta(days=15)


def message_body(mention: Mention) -> str:
    return mention.model_dump_json()


class MentionLedger(Protocol):
    def claim(self, tenant_id: str, mentions: Sequence[Mention], expires_at: int) -> Claims: ...


class MentionSink(Protocol):
    def send(self, mentions: Sequence[Mention], correlation_id: str | None = None) -> None: ...


class IngestResult(BaseModel):
    accepted: list[str]
    duplicates: list[str]
    received_at: datetime


def accept_mentions(
    tenant_id: str,
    batch: Sequence[MentionIn],
    *,
    ledger: MentionLedger,
    sink: MentionSink,
    now: datetime,
    correlation_id: str | None = None,
) -> IngestResult:
    """Claims and queues the mentions the tenant has not sent before; every other copy is a duplicate."""
    unique: dict[str, Mention] = {}
    repeated: list[str] = []
    for index, incoming in enumerate(batch):
        if incoming.id in unique:
            repeated.append(incoming.id)
            continue
        mention = Mention(**incoming.model_dump(), tenant_id=tenant_id, received_at=now)
        size = len(message_body(mention).encode("utf-8"))
        if size > MAX_MESSAGE_BYTES:
            raise MentionTooLargeError(index, size, MAX_MESSAGE_BYTES)
        unique[incoming.id] = mention
    claims = ledger.claim(tenant_id, list(unique.values()), int((now + CLAIM_LIFETIME).timestamp()))
    claimed = set(claims.claimed)
    sink.send(
        [mention for mention_id, mention in unique.items() if mention_id in claimed] + claims.pending, correlation_id
    )
    return IngestResult(
        accepted=[mention_id for mention_id in unique if mention_id in claimed],
        duplicates=repeated + [mention_id for mention_id in unique if mention_id not in claimed],
        received_at=now,
    )
