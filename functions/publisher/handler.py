"""SQS: one step of publishing a statement version per record (staff, page, a channel, a slice of subscribers)."""

from typing import Any

from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from sigap.platform.observability import logger, metrics
from sigap.statements.settings import publisher_settings
from sigap.statements.wiring import PublisherBatchProcessor


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    processor = PublisherBatchProcessor(publisher_settings())
    return process_partial_response(
        event=event, context=context, processor=processor, record_handler=processor.handle_record
    )
