"""The feed function: each queued read (`feed_scheduler`, or "read now" from the sources API) reads one feed
source's feed (`feed_door`), counts the read in the source's health and stores when the feed is read next. A feed
that fails to read is a failed read in the source's health, never a failed message; only a storage or queue
failure fails the message, which SQS retries whole (claims keep each item ingested once), then keeps in the DLQ.
"""

from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import ValidationError

from sigap.ingest.queue import ScoringQueue
from sigap.kernel.models import TenantStatus, utc_now
from sigap.mentions.claim_store import ClaimStore
from sigap.platform.batch import SqsRecordProcessor
from sigap.platform.observability import logger, metrics
from sigap.sources.domain import SourceKind
from sigap.sources.feed_door import FeedRead, read_source
from sigap.sources.feed_fetch import FeedFetcher
from sigap.sources.feed_scheduler import FeedReadRequest
from sigap.sources.feed_store import FeedSchedule
from sigap.sources.settings import FeedSettings
from sigap.sources.store import SourcesTable, health_update
from sigap.tenants.quotas import door_quota
from sigap.tenants.store import TenantStore


@lru_cache(maxsize=1)
def _adapters(
    settings: FeedSettings,
) -> tuple[SourcesTable, FeedSchedule, ClaimStore, ScoringQueue, FeedFetcher, TenantStore]:
    return (
        SourcesTable(settings.tenants_table),
        FeedSchedule(settings.tenants_table),
        ClaimStore(settings.mentions_table),
        ScoringQueue(settings.scoring_queue_url),
        FeedFetcher(allow_loopback=settings.allow_loopback_feeds),
        TenantStore(settings.tenants_table),
    )


class FeedReadProcessor(SqsRecordProcessor):
    def __init__(self, settings: FeedSettings) -> None:
        super().__init__()
        self._settings = settings

    def handle_record(self, record: SQSRecord) -> None:
        sources, schedule, mentions, queue, fetcher, tenants = _adapters(self._settings)
        try:
            request = FeedReadRequest.model_validate_json(record.body)
        except ValidationError:
            logger.warning("not a feed read request", extra={"body": record.body[:200]})
            return
        source = sources.get(request.tenant_id, request.source)
        if source is None or source.kind is not SourceKind.FEED:
            return  # removed since it was queued
        tenant = tenants.get(request.tenant_id)
        if tenant is None or tenant.status is not TenantStatus.ACTIVE:
            # A suspended client's feeds are not read (nothing is fetched or counted) until it is resumed; the
            # lease lapses and the feed is due again, so reading resumes with it.
            logger.info("feed of an inactive tenant not read", extra={"tenant_id": request.tenant_id})
            return
        now = utc_now()
        read = read_source(source, fetcher=fetcher, ledger=mentions, sink=queue, now=now,
                           quota=door_quota(tenants, tenant, now))  # fmt: skip
        health = health_update(accepted=len(read.accepted), duplicates=len(read.duplicates), rejected=read.rejected,
                               filtered=read.filtered, at=now, error=read.error, succeeded=read.succeeded)  # fmt: skip
        # If this fails the message is retried: the read is made again; its items already claimed are duplicates.
        schedule.record(source.tenant_id, source.name, read.state, health)
        _observe(source.tenant_id, source.name, read)


def _observe(tenant_id: str, name: str, read: FeedRead) -> None:
    metrics.add_metric(name="FeedReads", unit="Count", value=1)
    metrics.add_metric(name="FeedMentionsAccepted", unit="Count", value=len(read.accepted))
    if read.refused:
        metrics.add_metric(name="MentionsRefusedByQuota", unit="Count", value=read.refused)
    if read.error and not read.succeeded:
        metrics.add_metric(name="FeedReadsFailed", unit="Count", value=1)
    logger.info(
        "feed read",
        extra={
            "tenant": tenant_id,
            "source": name,
            "items": read.items,
            "not_modified": read.not_modified,
            "accepted": len(read.accepted),
            "duplicates": len(read.duplicates),
            "filtered": read.filtered,
            "rejected": read.rejected,
            "refused": read.refused,
            "error": read.error,
            "next_read_at": read.state.next_read_at.isoformat() if read.state.next_read_at else None,
        },
    )
