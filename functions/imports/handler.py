"""SQS: the imports bucket's upload events and hand-overs -> each import streamed into mentions from its checkpoint."""

from sigap.platform.batch import sqs_handler
from sigap.sources.import_consumer import ImportProcessor
from sigap.sources.settings import import_settings

lambda_handler = sqs_handler(lambda: ImportProcessor(import_settings()))
