"""The consumers' batch base: the whole batch is seen before its records, and what follows runs after every
record was handled or failed, each failure still reported alone (Powertools' public `process` only)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from sigap.platform.batch import WholeBatchProcessor
from tests.conftest import sqs_event


class Recording(WholeBatchProcessor):
    def __init__(self) -> None:
        super().__init__()
        self.steps: list[str] = []

    def before_records(self, records: list[dict[str, Any]]) -> None:
        self.steps.append(f"batch of {len(records)}")

    def after_records(self) -> None:
        self.steps.append("after")

    def handle_record(self, record: SQSRecord) -> str:
        self.steps.append(record.body)
        if record.body == "bad":
            raise ValueError("bad record")
        return "ok"


def test_the_batch_is_seen_first_each_record_alone_and_the_after_step_last_even_when_a_record_fails() -> None:
    # Given a batch of three records, the second of which fails
    processor = Recording()
    # When Powertools processes it
    answer = process_partial_response(
        event=sqs_event(["one", "bad", "three"]), record_handler=processor.handle_record, processor=processor
    )
    # Then the whole batch came first, every record was handled in order, and the after step ran last
    assert processor.steps == ["batch of 3", "one", "bad", "three", "after"]
    # And only the failing record is reported for retry
    assert answer == {"batchItemFailures": [{"itemIdentifier": "message-1"}]}
