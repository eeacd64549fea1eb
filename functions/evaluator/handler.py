"""SQS: evaluate each requested tenant-minute, reporting only the records that failed."""

from sigap.detection.consumer import DetectionBatchProcessor
from sigap.detection.settings import evaluator_settings
from sigap.platform.batch import sqs_handler

lambda_handler = sqs_handler(lambda: DetectionBatchProcessor(evaluator_settings()))
