"""Every minute: each feed due is claimed (its due time moved a lease ahead) and one read of it queued on the feed
queue, where the feed function reads it. Hundreds of feeds per tenant are read side by side by that function's
concurrent batches, not one after another by this one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from sigap.kernel.models import TenantId
from sigap.platform.side_by_side import side_by_side
from sigap.platform.sqs import Queue, attributes
from sigap.sources.domain import SourceName
from sigap.sources.feed_store import FEED_SHARDS, DueRead, FeedSchedule
from sigap.sources.feeds import READ_LEASE

MAX_READS_PER_RUN = 20_000
CLAIMERS = 16
SAFETY_MILLIS = 10_000  # stop claiming with this much of the run left: what is left is due again next minute


class FeedReadRequest(BaseModel):
    """One read of one feed source, as queued."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: TenantId
    source: SourceName


class FeedReadQueue(Queue):
    def send(self, requests: Sequence[FeedReadRequest]) -> None:
        self._send_all([(request.model_dump_json(), attributes(tenant_id=request.tenant_id)) for request in requests])


@dataclass(frozen=True)
class ScheduledReads:
    queued: int
    taken_elsewhere: int  # due, but claimed by another run meanwhile
    stopped_early: bool


def schedule_reads(schedule: FeedSchedule, queue: FeedReadQueue, now: datetime,
                   remaining_millis: Callable[[], int]) -> ScheduledReads:  # fmt: skip
    """Claims and queues every feed due by `now`, shard by shard, until done or the run's time is short."""
    queued = taken = 0
    for shard in range(FEED_SHARDS):
        after = None
        while True:
            if queued >= MAX_READS_PER_RUN or remaining_millis() < SAFETY_MILLIS:
                return ScheduledReads(queued, taken, stopped_early=True)
            due, after = schedule.due(shard, now, after=after)
            claimed = _claim(schedule, due, now)
            taken += len(due) - len(claimed)
            if claimed:
                queue.send([FeedReadRequest(tenant_id=read.tenant_id, source=read.source) for read in claimed])
                queued += len(claimed)
            if after is None:
                break
    return ScheduledReads(queued, taken, stopped_early=False)


def _claim(schedule: FeedSchedule, due: list[DueRead], now: datetime) -> list[DueRead]:
    # Side by side: one conditional update per feed, so a page of 500 would otherwise add 500 latencies.
    claimed = side_by_side(lambda read: schedule.claim(read, now + READ_LEASE), due, CLAIMERS)
    return [read for read, won in zip(due, claimed, strict=True) if won]
