"""SQS: score each queued mention and store it once, reporting only the records that failed."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from sigap.config import scoring_settings
from sigap.observability import logger, metrics
from sigap.scoring.consumer import scoring_run

# A batch whose every record failed is reported like any other, not raised: SQS retries the same records.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    run = scoring_run(event, scoring_settings())
    return process_partial_response(event=event, context=context, processor=processor, record_handler=run.handle_record)
