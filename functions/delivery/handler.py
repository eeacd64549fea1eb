"""SQS: send each (notification, channel), side by side, reporting only the records that failed."""

from sigap.notify.delivery_consumer import DeliveryBatchProcessor
from sigap.notify.settings import delivery_settings
from sigap.platform.batch import sqs_handler

lambda_handler = sqs_handler(lambda: DeliveryBatchProcessor(delivery_settings()))
