"""SQS: alert events and timers into incidents, alert groups, escalations and queued deliveries."""

from sigap.notify.notifier_consumer import NotifierBatchProcessor
from sigap.notify.settings import notifier_settings
from sigap.platform.batch import sqs_handler

lambda_handler = sqs_handler(lambda: NotifierBatchProcessor(notifier_settings()))
