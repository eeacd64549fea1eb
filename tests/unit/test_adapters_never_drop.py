"""Adapters with fake AWS clients: what DynamoDB or SQS leaves unprocessed is retried with backoff and, if it
is still left, raised as a domain error; never dropped, never retried forever."""

from __future__ import annotations

from typing import Any

import pytest

from sigap.ingest.queue import ScoringQueue
from sigap.kernel.errors import QueueError, StorageError
from sigap.kernel.models import Mention
from sigap.platform import retry
from sigap.scoring.story_index import DynamoBandIndex
from tests.conftest import mention_payload


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr(retry.time, "sleep", waits.append)
    return waits


class _StubbornDynamo:
    """Answers every batch call by leaving the first `unprocessed_calls` calls' requests unprocessed."""

    def __init__(self, unprocessed_calls: int) -> None:
        self.calls = 0
        self.unprocessed_calls = unprocessed_calls

    def batch_get_item(self, RequestItems: Any) -> Any:  # noqa: N803 - boto3's parameter name
        self.calls += 1
        ((table, request),) = RequestItems.items()
        if self.calls <= self.unprocessed_calls:
            return {"Responses": {table: []}, "UnprocessedKeys": RequestItems}
        found = [{"pk": key["pk"], "story": {"S": "s-1"}} for key in request["Keys"]]
        return {"Responses": {table: found}, "UnprocessedKeys": {}}


def test_keys_left_unprocessed_a_few_times_are_read_after_backing_off(no_waiting: list[float]) -> None:
    index = DynamoBandIndex("stories", 14, client=_StubbornDynamo(unprocessed_calls=3))  # type: ignore[arg-type]
    assert index.lookup("brand-a", ["b1", "b2"]) == {"b1": "s-1", "b2": "s-1"}
    assert len(no_waiting) == 3
    assert all(0 <= wait <= retry.MAX_DELAY for wait in no_waiting)  # jittered, bounded


def test_keys_never_processed_raise_instead_of_returning_a_partial_answer() -> None:
    client = _StubbornDynamo(unprocessed_calls=10**6)
    with pytest.raises(StorageError, match="unprocessed"):
        DynamoBandIndex("stories", 14, client=client).lookup("brand-a", ["b1"])  # type: ignore[arg-type]
    assert client.calls == retry.ATTEMPTS


class _ClaimingDynamo:
    """Band claims: b-taken is held by another batch's story; any other write fails with `error` if given."""

    def __init__(self, error: str | None = None) -> None:
        self.error = error

    def put_item(self, **request: Any) -> Any:
        from botocore.exceptions import ClientError

        if request["Item"]["pk"]["S"].endswith("b-taken"):
            answer = {"Error": {"Code": "ConditionalCheckFailedException"}, "Item": {"story": {"S": "s-first"}}}
            raise ClientError(answer, "PutItem")  # type: ignore[arg-type]
        if self.error:
            raise ClientError({"Error": {"Code": self.error}}, "PutItem")
        return {}


def test_a_band_claimed_first_by_another_batch_answers_that_batchs_story() -> None:
    index = DynamoBandIndex("stories", 14, client=_ClaimingDynamo())  # type: ignore[arg-type]
    assert index.remember("brand-a", {"b-new": "s-mine", "b-taken": "s-mine"}) == {
        "b-new": "s-mine",
        "b-taken": "s-first",
    }


def test_a_band_claim_that_fails_raises_instead_of_being_dropped() -> None:
    index = DynamoBandIndex("stories", 14, client=_ClaimingDynamo("ProvisionedThroughputExceededException"))  # type: ignore[arg-type]
    with pytest.raises(StorageError, match="PutItem on stories"):
        index.remember("brand-a", {"b-new": "s-mine"})


class _RefusingSqs:
    def __init__(self, refusals: int) -> None:
        self.calls = 0
        self.refusals = refusals
        self.sent: list[str] = []

    def send_message_batch(self, QueueUrl: str, Entries: Any) -> Any:  # noqa: N803
        self.calls += 1
        refused = Entries[:1] if self.calls <= self.refusals else []  # SQS takes the rest of a batch
        self.sent.extend(entry["MessageBody"] for entry in Entries[len(refused) :])
        return {"Failed": [{"Id": entry["Id"], "Code": "InternalError"} for entry in refused]}


def _mentions(count: int) -> list[Mention]:
    return [
        Mention.model_validate(
            mention_payload(f"m{i}") | {"tenant_id": "brand-a", "received_at": "2026-11-22T00:00:00Z"}
        )
        for i in range(count)
    ]


def test_messages_sqs_refuses_are_resent_until_taken() -> None:
    # Given SQS refusing one entry of the first two calls
    sqs, mentions = _RefusingSqs(refusals=2), _mentions(3)
    ScoringQueue("url", client=sqs).send(mentions)  # type: ignore[arg-type]
    # Then every mention is on the queue exactly once
    assert sorted(Mention.model_validate_json(body).id for body in sqs.sent) == ["m0", "m1", "m2"]


def test_messages_sqs_keeps_refusing_are_a_queue_error_not_a_silent_drop() -> None:
    with pytest.raises(QueueError, match="refused 1"):
        ScoringQueue("url", client=_RefusingSqs(refusals=10**6)).send(_mentions(2))  # type: ignore[arg-type]


class _CountingDynamo:
    """Answers a band lookup with the bands it holds, counting the keys it was asked for."""

    def __init__(self, held: dict[str, str]) -> None:
        self.held = held
        self.asked: list[str] = []

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803 - boto3's name
        ((table, request),) = RequestItems.items()
        keys = [key["pk"]["S"] for key in request["Keys"]]
        self.asked.extend(keys)
        found = [{"pk": {"S": key}, "story": {"S": self.held[key]}} for key in keys if key in self.held]
        return {"Responses": {table: found}}


def test_a_band_seen_once_is_not_read_again_but_a_band_not_found_always_is() -> None:
    # Given a story index holding one of two bands
    client = _CountingDynamo({"brand-a#B#b1": "s-1"})
    index = DynamoBandIndex("stories", 7, client=client)  # type: ignore[arg-type]
    assert index.lookup("brand-a", ["b1", "b2"]) == {"b1": "s-1"}
    # When a viral story's next copy looks the same bands up
    client.asked.clear()
    assert index.lookup("brand-a", ["b1", "b2"]) == {"b1": "s-1"}
    # Then the band it found is not read again; the one it did not find is (another sandbox may claim it)
    assert client.asked == ["brand-a#B#b2"]
    # And another tenant's same band is its own
    client.asked.clear()
    index.lookup("brand-b", ["b1"])
    assert client.asked == ["brand-b#B#b1"]
