"""How many messages a queue holds (visible and in flight): how the demo and tests know the pipeline drained."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sigap.platform.aws import sqs_client

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


def queue_depth(queue_url: str, client: SQSClient | None = None) -> int:
    """Messages waiting or being handled (a handled one is deleted only after its handler returns); delayed
    messages are not counted."""
    attributes = (client or sqs_client()).get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes.get("ApproximateNumberOfMessages", 0)) + int(
        attributes.get("ApproximateNumberOfMessagesNotVisible", 0)
    )
