"""SQS: score each queued mention and store it once, reporting only the records that failed."""

from typing import Any

from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from sigap.platform.observability import logger, metrics
from sigap.scoring.consumer import ScoringBatchProcessor
from sigap.scoring.settings import scoring_settings


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    processor = ScoringBatchProcessor(scoring_settings())
    return process_partial_response(
        event=event, context=context, processor=processor, record_handler=processor.handle_record
    )
