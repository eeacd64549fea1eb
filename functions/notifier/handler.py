"""SQS: alert events and timers into incidents, alert groups, escalations and queued deliveries."""

from typing import Any

from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from sigap.notify.notifier_consumer import NotifierBatchProcessor
from sigap.notify.settings import notifier_settings
from sigap.platform.observability import logger, metrics


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    processor = NotifierBatchProcessor(notifier_settings())
    return process_partial_response(
        event=event, context=context, processor=processor, record_handler=processor.handle_record
    )
