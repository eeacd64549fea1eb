"""The local stack's moto server delivers every message once and keeps deleted ones deleted, with several
pollers and senders at once (moto alone resurrects deleted messages and can drop ones sent during a delete)."""

from __future__ import annotations

import collections
import os
import subprocess
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from sigap_tools.local.moto_process import spawn, wait_until_serving


@pytest.fixture
def moto_endpoint() -> Iterator[str]:
    server = spawn(subprocess.DEVNULL, parent=os.getpid())
    wait_until_serving({"sqs": server})
    yield server.url
    server.process.terminate()
    server.process.wait(timeout=10)


def test_concurrent_senders_and_consumers_see_each_message_exactly_once(moto_endpoint: str) -> None:
    options: Any = {
        "endpoint_url": moto_endpoint,
        "region_name": "us-east-1",
        "aws_access_key_id": "local",
        "aws_secret_access_key": "local",
    }
    queue = boto3.client("sqs", **options).create_queue(QueueName="q", Attributes={"VisibilityTimeout": "300"})
    url = queue["QueueUrl"]
    sent = [f"m{i}" for i in range(1500)]
    received: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()
    sending_done = threading.Event()

    def send() -> None:
        client = boto3.client("sqs", **options)
        for start in range(0, len(sent), 10):
            client.send_message_batch(
                QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(sent[start : start + 10])]
            )
        sending_done.set()

    def consume() -> None:
        client = boto3.client("sqs", **options)
        idle = 0
        while idle < 3:
            messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []
            )
            if not messages:
                idle += 1 if sending_done.is_set() else 0
                continue
            with lock:
                received.update(message["Body"] for message in messages)
            client.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )

    threads = [threading.Thread(target=send)] + [threading.Thread(target=consume) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    attributes = boto3.client("sqs", **options).get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    assert set(received) == set(sent)
    assert [body for body, count in received.items() if count > 1] == []
    assert attributes == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}
