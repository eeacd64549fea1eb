"""SQS: send each (notification, channel), side by side, reporting only the records that failed."""

from typing import Any

from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from sigap.notify.delivery_consumer import DeliveryBatchProcessor
from sigap.notify.settings import delivery_settings
from sigap.platform.observability import logger, metrics


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    processor = DeliveryBatchProcessor(delivery_settings())
    return process_partial_response(
        event=event, context=context, processor=processor, record_handler=processor.handle_record
    )
