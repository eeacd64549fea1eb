"""SQS: one step of publishing a statement version per record (staff, page, a channel, a slice of subscribers)."""

from sigap.platform.batch import sqs_handler
from sigap.statements.publisher_consumer import PublisherBatchProcessor
from sigap.statements.settings import publisher_settings

lambda_handler = sqs_handler(lambda: PublisherBatchProcessor(publisher_settings()))
