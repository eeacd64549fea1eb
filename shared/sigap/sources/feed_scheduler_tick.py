"""The feed scheduler function's wiring: each minute, every feed due claimed and one read of it queued (the
feed function, `sigap.sources.feed_consumer`, reads them)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from sigap.kernel.models import utc_now
from sigap.platform.observability import logger, metrics
from sigap.sources.feed_scheduler import FeedReadQueue, schedule_reads
from sigap.sources.feed_store import FeedSchedule
from sigap.sources.settings import FeedSchedulerSettings


def schedule_tick(settings: FeedSchedulerSettings, context: LambdaContext) -> dict[str, Any]:
    """The scheduler's run: every feed due now claimed and queued."""
    outcome = schedule_reads(
        FeedSchedule(settings.tenants_table),
        FeedReadQueue(settings.feed_queue_url),
        utc_now(),
        context.get_remaining_time_in_millis,
    )
    if outcome.queued:  # a metric of zero every idle minute would cost $0.30 a month
        metrics.add_metric(name="FeedReadsQueued", unit="Count", value=outcome.queued)
    logger.info("feed reads queued", extra=outcome.__dict__)
    return {
        "queued": outcome.queued,
        "taken_elsewhere": outcome.taken_elsewhere,
        "stopped_early": outcome.stopped_early,
    }
