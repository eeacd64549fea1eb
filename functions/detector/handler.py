"""Schedule (every minute): one evaluation request per tenant onto the evaluation queue."""

from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from sigap.detection.detector_tick import schedule_tick
from sigap.detection.settings import detector_settings
from sigap.platform.observability import logger, metrics


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    tick = datetime.fromisoformat(str(event["time"]).replace("Z", "+00:00"))
    return schedule_tick(tick, detector_settings())
