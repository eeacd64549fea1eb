"""SQS: score each queued mention and store it once, reporting only the records that failed."""

from sigap.platform.batch import sqs_handler
from sigap.scoring.consumer import ScoringBatchProcessor
from sigap.scoring.settings import scoring_settings

lambda_handler = sqs_handler(lambda: ScoringBatchProcessor(scoring_settings()))
