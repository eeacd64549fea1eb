"""Ingestion logic: validated mentions in, queued mentions out, each (tenant, id) accepted once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel

from sigap.dal.queue import MAX_MESSAGE_BYTES, message_body
from sigap.models import Mention, MentionIn, Tenant


class KnownMentions(Protocol):
    def existing_ids(self, tenant_id: str, mention_ids: Sequence[str]) -> set[str]: ...


class MentionSink(Protocol):
    def send(self, mentions: Sequence[Mention], correlation_id: str | None = None) -> None: ...


class MentionTooLargeError(ValueError):
    def __init__(self, index: int, size: int) -> None:
        super().__init__(f"mentions[{index}] is {size} bytes once serialised; the limit is {MAX_MESSAGE_BYTES} bytes")
        self.index = index


class IngestResult(BaseModel):
    accepted: list[str]
    duplicates: list[str]
    received_at: datetime


def accept_mentions(
    tenant: Tenant,
    batch: Sequence[MentionIn],
    *,
    known: KnownMentions,
    sink: MentionSink,
    now: datetime,
    correlation_id: str | None = None,
) -> IngestResult:
    """Queues the mentions the tenant has not sent before; repeats (in this request or earlier) are reported.

    A repeat that races past this check (two requests at once) is still stored once: scoring's write is
    conditional on the (tenant, id) key.
    """
    unique: dict[str, Mention] = {}
    repeated: list[str] = []
    for index, incoming in enumerate(batch):
        if incoming.id in unique:
            repeated.append(incoming.id)
            continue
        mention = Mention(**incoming.model_dump(), tenant_id=tenant.tenant_id, received_at=now)
        size = len(message_body(mention).encode("utf-8"))
        if size > MAX_MESSAGE_BYTES:
            raise MentionTooLargeError(index, size)
        unique[incoming.id] = mention
    stored_before = known.existing_ids(tenant.tenant_id, list(unique))
    fresh = [mention for mention_id, mention in unique.items() if mention_id not in stored_before]
    sink.send(fresh, correlation_id)
    return IngestResult(
        accepted=[mention.id for mention in fresh],
        duplicates=repeated + [mention_id for mention_id in unique if mention_id in stored_before],
        received_at=now,
    )
