"""Ingestion logic: validated mentions in, queued mentions out, each (tenant, id) accepted once: the first copy.

A mention is *claimed* before it is queued: a conditional write of the mention as received, keyed on (tenant,
id). The first request to claim an id wins; every later copy, in the same body or another request, whatever
its text, is answered as a duplicate, and scoring stores the claimed copy. A duplicate whose first copy is
claimed but not scored yet is queued again from the claim (scoring stores it once either way), so a crash
between the claim and the queue, or a queue outage answered 503, loses nothing once the client retries.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel

from sigap.kernel.errors import MentionTooLargeError
from sigap.kernel.models import Held, Mention, MentionIn
from sigap.mentions.claiming import Claims

# One mention, serialised: it is stored whole in one DynamoDB item (400 KB at most) with its scores and keys, and
# the scoring function is handed ten at once within Lambda's 6 MB invoke payload. SQS itself now takes messages of
# up to 1 MiB (it took 256 KiB): this limit is the store's and the batch's, not the queue's.
MAX_MESSAGE_BYTES = 256 * 1024
# How long a claim outlives its mention's queueing: the queue keeps a message 4 days and its DLQ 14.
CLAIM_LIFETIME = timedelta(days=15)


def message_body(mention: Mention) -> str:
    return mention.model_dump_json()


class MentionLedger(Protocol):
    def claim(self, tenant_id: str, mentions: Sequence[Mention], expires_at: int) -> Claims: ...


class KnownMentions(MentionLedger, Protocol):
    def known(self, tenant_id: str, mention_ids: Sequence[str]) -> set[str]:
        """The ids the tenant has sent before (claimed or stored)."""
        ...


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


class DailyQuota(Protocol):
    """A client's mentions a day, as the doors that cannot answer 429 (e-mail, feeds, imports) apply it: they take
    what is left of the day's quota for a batch, and give back what turned out to be duplicates, so a message
    delivered twice or a file imported again counts its mentions once. What a batch took is held under the
    batch's name until it settles: a batch whose process died in between finds it again when it is retried."""

    def take(self, wanted: int, batch: str) -> Held:
        """Holds up to `wanted` of what is left today for `batch`, or finds what an earlier attempt at the same
        batch holds (it died or failed before settling)."""
        ...

    def settle(self, batch: str, unused: int) -> None:
        """Gives back `unused` of what the batch holds, and forgets the batch."""
        ...

    def refusal(self) -> str:
        """Why a mention past the quota was not taken, and when it renews."""
        ...


@dataclass(frozen=True)
class Admitted:
    """What a door's batch came to under its client's quota: the ingestion's result, and the ids refused (the
    batch's last ones, past what was left of the day's quota) with the reason."""

    result: IngestResult
    refused: list[str]
    reason: str | None


def batch_name(mention_ids: Sequence[str]) -> str:
    """A door's batch named by its mentions' ids, the same on every attempt at it."""
    return hashlib.blake2b("\0".join(mention_ids).encode(), digest_size=12).hexdigest()


def _settle_quietly(quota: DailyQuota, batch: str, unused: int) -> None:
    # Never the reason a batch fails or is retried: its own failure is what the door must see, and a batch whose
    # mentions are already accepted must not be redone for bookkeeping. A settle that fails leaves the mentions
    # counted (the quota errs on the side of counting).
    with contextlib.suppress(Exception):
        quota.settle(batch, unused)


def accept_within_quota(
    tenant_id: str,
    batch: Sequence[MentionIn],
    *,
    quota: DailyQuota | None,
    ledger: KnownMentions,
    sink: MentionSink,
    now: datetime,
) -> Admitted:
    """`accept_mentions` for the batch's mentions the tenant has sent before (duplicates need no quota) and for as
    many of its new ones (in order) as the quota has left; the rest are refused. Only mentions accepted stay
    counted. With no quota, the whole batch.

    What the batch takes is held under its name (its ids) until it is settled. A batch that fails keeps its
    hold, and so does one whose process dies: its retry (SQS delivers it again) finds it, and settles it
    without giving any back. Its first attempt may have claimed some mentions before it stopped; they show as
    duplicates now and cannot be told from mentions sent before the batch, so all it holds stays counted."""
    if quota is None:
        return Admitted(accept_mentions(tenant_id, batch, ledger=ledger, sink=sink, now=now), [], None)
    ids = list(dict.fromkeys(mention.id for mention in batch))
    name = batch_name(ids)
    held = quota.take(len(ids), name) if ids else Held(0)
    taken = held.count
    refused: list[str] = []
    if taken < len(ids):  # not enough left for every id: those received before are let through as duplicates
        known = ledger.known(tenant_id, ids)
        # a resumed batch counts every known id against its hold (any may be its first attempt's): never past it
        room = taken - len(known) if held.resumed else taken
        refused = [mention_id for mention_id in ids if mention_id not in known][max(0, room) :]
    allowed = set(ids) - set(refused)
    positions = [index for index, mention in enumerate(batch) if mention.id in allowed]
    if not positions:
        return Admitted(IngestResult(accepted=[], duplicates=[], received_at=now), refused,
                        quota.refusal() if refused else None)  # fmt: skip
    try:
        result = accept_mentions(tenant_id, [batch[index] for index in positions], ledger=ledger, sink=sink, now=now)
    except MentionTooLargeError as exc:  # named by its place in the batch the door gave, not in what was taken
        # sizes are checked before anything is claimed, and the door goes on without the mention (a new batch)
        if taken:
            _settle_quietly(quota, name, taken)
        raise MentionTooLargeError(positions[exc.index], exc.size, exc.limit) from exc
    if taken:
        _settle_quietly(quota, name, 0 if held.resumed else taken - len(result.accepted))
    return Admitted(result, refused, quota.refusal() if refused else None)
