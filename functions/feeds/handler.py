"""SQS: one read of one feed source (queued by the feed scheduler or the sources API) -> mentions."""

from sigap.platform.batch import sqs_handler
from sigap.sources.feed_consumer import FeedReadProcessor
from sigap.sources.settings import feed_settings

lambda_handler = sqs_handler(lambda: FeedReadProcessor(feed_settings()))
