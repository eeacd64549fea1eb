"""SQS: inbound e-mail (SES, the local SMTP server, `sigap ingest-email`) announced by the bucket -> mentions."""

from sigap.platform.batch import sqs_handler
from sigap.sources.email_consumer import EmailProcessor
from sigap.sources.settings import email_settings

lambda_handler = sqs_handler(lambda: EmailProcessor(email_settings()))
