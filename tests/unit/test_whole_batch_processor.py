"""The consumers' batch base: the whole batch is seen before its records, and what follows runs after every
record was handled or failed, each failure still reported alone (Powertools' public `process` only)."""

from __future__ import annotations

import threading
from typing import Any

from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from hypothesis import given
from hypothesis import strategies as st

from sigap.platform.batch import SideBySideProcessor, WholeBatchProcessor, lanes_of
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

    def lane_keys(self, record: SQSRecord) -> tuple[str]:
        return (record.body[0],)

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


def _letters(body: str) -> set[str]:
    return set(body.rstrip("0123456789"))


class KeyedByLetters(SideBySideProcessor[str]):
    """A record's lane keys are the letters of its body ("xy2": x and y). A record that finds another record of
    its lane still running fails; "x1" and "z1" meet at a barrier, so they must run at once."""

    def __init__(self) -> None:
        super().__init__()
        self.met = threading.Barrier(2, timeout=10)
        self.running: list[str] = []
        self.order: list[str] = []
        self.lock = threading.Lock()

    def lane_keys(self, record: SQSRecord) -> set[str]:
        return _letters(record.body)

    def work(self, record: SQSRecord) -> str:
        with self.lock:
            if any(_letters(record.body) & _letters(other) for other in self.running):
                raise RuntimeError(f"{record.body} ran beside another record sharing a key")
            self.running.append(record.body)
            self.order.append(record.body)
        if record.body in ("x1", "z1"):
            self.met.wait()
        with self.lock:
            self.running.remove(record.body)
        return record.body

    def finish(self, record: SQSRecord, outcome: str) -> str:
        return outcome


def test_a_record_with_several_lane_keys_joins_their_lanes_into_one_run_in_the_batchs_order() -> None:
    # Given x and y records, one record keyed by both (a message asking for two tenants), and a z record
    processor = KeyedByLetters()
    bodies = ["x1", "y1", "z1", "xy2", "y3", "x4"]
    # When Powertools processes the batch
    answer = process_partial_response(event=sqs_event(bodies), record_handler=processor.handle_record,
                                      processor=processor)  # fmt: skip
    # Then nothing sharing a key ran at once, the x and y records ran one after another in the batch's order,
    # and z ran beside them
    assert answer == {"batchItemFailures": []}
    assert [body for body in processor.order if body != "z1"] == ["x1", "y1", "xy2", "y3", "x4"]
    assert not processor.met.broken, "z1 did not run beside x1"


@given(st.lists(st.sets(st.sampled_from("abcdefgh"), min_size=1, max_size=3), max_size=30))
def test_lanes_hold_every_item_once_in_order_and_items_sharing_a_key_share_a_lane(keys: list[set[str]]) -> None:
    items = list(enumerate(keys))
    lanes = lanes_of(items, lambda item: item[1])
    # every item once, each lane in the items' order, lanes in the order of their first item
    assert sorted(item for lane in lanes for item in lane) == items
    assert all(lane == sorted(lane) for lane in lanes)
    assert [lane[0] for lane in lanes] == sorted(lane[0] for lane in lanes)
    lane_of = {position: number for number, lane in enumerate(lanes) for position, _ in lane}
    # items sharing a key share a lane
    for a, keys_a in items:
        for b, keys_b in items:
            if keys_a & keys_b:
                assert lane_of[a] == lane_of[b]
    # and a lane is no bigger than it must be: its items are linked by keys, one to the next
    for lane in lanes:
        reached, keys_reached = {lane[0][0]}, set(lane[0][1])
        grew = True
        while grew:
            grew = False
            for position, item_keys in lane:
                if position not in reached and item_keys & keys_reached:
                    reached.add(position)
                    keys_reached |= item_keys
                    grew = True
        assert reached == {position for position, _ in lane}
