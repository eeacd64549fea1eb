"""SQS (from SES's SNS events): bounces and complaints into the suppression list; pauses a tenant's subscriber
e-mail when its complaint rate climbs."""

from typing import Any

from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from sigap.platform.observability import logger, metrics
from sigap.statements.settings import feedback_settings
from sigap.statements.wiring import FeedbackBatchProcessor


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    processor = FeedbackBatchProcessor(feedback_settings())
    return process_partial_response(
        event=event, context=context, processor=processor, record_handler=processor.handle_record
    )
