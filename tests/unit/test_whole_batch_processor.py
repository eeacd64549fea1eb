"""The consumers' batch base: the whole batch is seen before its records, and what follows runs after every
record was handled or failed, each failure still reported alone (Powertools' public `process` only)."""

from __future__ import annotations

import threading
from typing import Any

from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from sigap.platform.batch import SideBySideProcessor, WholeBatchProcessor
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


class AllAtOnce(SideBySideProcessor[str]):
    """Each record waits until every record of the batch has started: it can only finish if they run at once."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.started = threading.Barrier(size, timeout=10)

    def work(self, record: SQSRecord) -> str:
        self.started.wait()
        if record.body == "bad":
            raise ValueError("bad record")
        return f"did {record.body}"

    def finish(self, record: SQSRecord, outcome: str) -> str:
        return outcome


def test_side_by_side_records_run_at_once_and_each_failure_is_still_its_own_record() -> None:
    # Given a batch of five records that each wait for all five to have started, the fourth failing
    bodies = ["one", "two", "three", "bad", "five"]
    processor = AllAtOnce(len(bodies))
    # When Powertools processes it
    answer = process_partial_response(
        event=sqs_event(bodies), record_handler=processor.handle_record, processor=processor
    )
    # Then every record ran (none waited for another to finish), and only the failing one is retried
    assert not processor.started.broken
    assert answer == {"batchItemFailures": [{"itemIdentifier": "message-3"}]}
    assert [record["body"] for record in processor.success_messages] == ["one", "two", "three", "five"]
    assert processor.handle_record(SQSRecord(processor.success_messages[0])) == "did one"


class OneLaneAtATime(SideBySideProcessor[str]):
    """Lane = the body's letter. Records of different lanes meet at a barrier (so they must run at once); a
    record that finds another of its own lane still running fails."""

    def __init__(self, lanes: int) -> None:
        super().__init__()
        self.met = threading.Barrier(lanes, timeout=10)
        self.running: set[str] = set()
        self.order: list[str] = []
        self.lock = threading.Lock()

    def lane(self, record: SQSRecord) -> str:
        return record.body[0]

    def work(self, record: SQSRecord) -> str:
        with self.lock:
            if record.body[0] in self.running:
                raise RuntimeError(f"{record.body} ran beside another of its lane")
            self.running.add(record.body[0])
            self.order.append(record.body)
        if record.body.endswith("1"):
            self.met.wait()
        with self.lock:
            self.running.discard(record.body[0])
        return record.body

    def finish(self, record: SQSRecord, outcome: str) -> str:
        return outcome


def test_records_of_one_lane_run_one_after_another_in_order_and_lanes_side_by_side() -> None:
    processor = OneLaneAtATime(lanes=2)
    answer = process_partial_response(
        event=sqs_event(["a1", "b1", "a2", "a3", "b2"]), record_handler=processor.handle_record, processor=processor
    )
    assert answer == {"batchItemFailures": []}
    assert not processor.met.broken, "the two lanes' first records ran at once"
    assert [body for body in processor.order if body[0] == "a"] == ["a1", "a2", "a3"]
    assert [body for body in processor.order if body[0] == "b"] == ["b1", "b2"]
