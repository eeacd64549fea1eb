"""SQS (from SES's SNS events): bounces and complaints into the suppression list; pauses a tenant's subscriber
e-mail when its complaint rate climbs."""

from sigap.platform.batch import sqs_handler
from sigap.statements.feedback_consumer import FeedbackBatchProcessor
from sigap.statements.settings import feedback_settings

lambda_handler = sqs_handler(lambda: FeedbackBatchProcessor(feedback_settings()))
