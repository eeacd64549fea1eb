"""Schedule (every minute): every feed source due is claimed and one read of it queued on the feed queue."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from sigap.platform.observability import logger, metrics
from sigap.sources.feed_scheduler_tick import schedule_tick
from sigap.sources.settings import feed_scheduler_settings


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return schedule_tick(feed_scheduler_settings(), context)
