"""The scoring function under moto: partial batch failures, storing once, counting once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from sigap.kernel.models import Mention
from sigap.mentions.aggregate_store import AggregateStore
from sigap.mentions.store import MentionStore
from tests.conftest import load_handler, mention_payload, sqs_event
from tests.integration.conftest import AwsStack


@pytest.fixture
def scoring(aws: AwsStack) -> Any:
    aws.use_function_environment("ScoringFunction")
    return load_handler("scoring")


def queued(mention_id: str, tenant: str = "brand-a", **overrides: Any) -> str:
    payload = mention_payload(mention_id, **overrides) | {"tenant_id": tenant, "received_at": datetime.now(UTC)}
    return Mention.model_validate(payload).model_dump_json()


def stored_ids(aws: AwsStack, tenant: str = "brand-a") -> set[str]:
    items = boto3.client("dynamodb").scan(TableName=aws.table("MentionsTable"))["Items"]
    return {item["mention_id"]["S"] for item in items if item["tenant_id"]["S"] == tenant}


def counted(aws: AwsStack, tenant: str = "brand-a") -> int:
    store = AggregateStore(aws.table("AggregatesTable"), shards=8)
    window = store.window(tenant, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    return sum(minute.total for minute in window.minutes)


def test_a_poison_message_does_not_block_its_batch(aws: AwsStack, scoring: Any, lambda_context: Any) -> None:
    # Given a batch with two valid mentions, one body that is not JSON and one that is not a mention
    event = sqs_event([queued("m1"), "{not json", queued("m2"), '{"id": "x"}'])
    # When the scoring function handles it
    result = scoring.lambda_handler(event, lambda_context)
    # Then only the broken records are reported for retry, and the good ones are stored and counted
    assert result == {
        "batchItemFailures": [
            {"itemIdentifier": event["Records"][1]["messageId"]},
            {"itemIdentifier": event["Records"][3]["messageId"]},
        ]
    }
    assert stored_ids(aws) == {"m1", "m2"}
    assert counted(aws) == 2


def test_the_poison_reason_is_logged(
    aws: AwsStack, scoring: Any, lambda_context: Any, caplog: pytest.LogCaptureFixture
) -> None:
    result = scoring.lambda_handler(sqs_event(["{not json"], {"tenant_id": "brand-a"}), lambda_context)
    assert len(result["batchItemFailures"]) == 1
    [record] = [r for r in caplog.records if r.getMessage() == "poison message"]
    assert record.reason.startswith("message body is not JSON")  # type: ignore[attr-defined]
    assert record.tenant_id == "brand-a"  # type: ignore[attr-defined]


def test_a_retried_batch_stores_and_counts_each_mention_once(aws: AwsStack, scoring: Any, lambda_context: Any) -> None:
    # Given a batch that was already handled once
    event = sqs_event([queued("m1"), queued("m2")])
    scoring.lambda_handler(event, lambda_context)
    # When SQS delivers it again (a retry after a timeout, say), and a re-sent copy arrives with a new mention
    again = scoring.lambda_handler(event, lambda_context)
    mixed = scoring.lambda_handler(sqs_event([queued("m1"), queued("m3")]), lambda_context)
    # Then nothing fails, and every mention is stored and counted exactly once
    assert again == {"batchItemFailures": []}
    assert mixed == {"batchItemFailures": []}
    assert stored_ids(aws) == {"m1", "m2", "m3"}
    assert counted(aws) == 3


def test_the_same_mention_twice_in_one_batch_is_stored_once(aws: AwsStack, scoring: Any, lambda_context: Any) -> None:
    result = scoring.lambda_handler(sqs_event([queued("m1"), queued("m1"), queued("m2")]), lambda_context)
    assert result == {"batchItemFailures": []}
    assert stored_ids(aws) == {"m1", "m2"}
    assert counted(aws) == 2


def test_tenants_are_kept_apart(aws: AwsStack, scoring: Any, lambda_context: Any) -> None:
    scoring.lambda_handler(sqs_event([queued("m1", "brand-a"), queued("m1", "brand-b")]), lambda_context)
    assert stored_ids(aws, "brand-a") == {"m1"}
    assert stored_ids(aws, "brand-b") == {"m1"}
    assert counted(aws, "brand-a") == 1
    assert counted(aws, "brand-b") == 1


def test_a_stored_mention_carries_its_score(aws: AwsStack, scoring: Any, lambda_context: Any) -> None:
    scoring.lambda_handler(
        sqs_event([queued("m1", text="Kecewa banget, pelayanannya lambat dan kasar")]), lambda_context
    )
    stored = MentionStore(aws.table("MentionsTable")).get("brand-a", "m1")
    assert stored is not None
    assert stored.score.sentiment == "negative"
    assert stored.score.lang == "id"
    assert 0 < stored.score.risk <= 1


def test_a_mention_stored_by_a_run_that_has_not_counted_it_yet_is_queued_again_for_later(
    aws: AwsStack, scoring: Any, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sigap.kernel.errors import StorageError
    from sigap.mentions.scored_writes import ScoredWrites

    # Given a run that stored a mention a moment ago and has not written its partial aggregate (yet)
    body = queued("m1")
    original = ScoredWrites._write_partial

    def failing(self: ScoredWrites, *args: Any, **kwargs: Any) -> None:
        raise StorageError("throttled")

    monkeypatch.setattr(ScoredWrites, "_write_partial", failing)
    assert len(scoring.lambda_handler(sqs_event([body]), lambda_context)["batchItemFailures"]) == 1
    monkeypatch.setattr(ScoredWrites, "_write_partial", original)
    # When its message comes straight back
    result = scoring.lambda_handler(sqs_event([body]), lambda_context)
    # Then the record succeeds (no retries burnt towards the dead-letter queue), and the message waits on the
    # queue, delayed, for when that run can no longer be alive
    assert result == {"batchItemFailures": []}
    queue = boto3.client("sqs").get_queue_attributes(
        QueueUrl=aws.queue_url("ScoringQueue"), AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    assert queue["ApproximateNumberOfMessagesDelayed"] == "1"
    assert counted(aws) == 0


def test_a_storage_outage_fails_every_record_for_retry(aws: AwsStack, scoring: Any, lambda_context: Any) -> None:
    boto3.client("dynamodb").delete_table(TableName=aws.table("AggregatesTable"))
    event = sqs_event([queued("m1"), queued("m2")])
    result = scoring.lambda_handler(event, lambda_context)
    assert len(result["batchItemFailures"]) == 2
    assert stored_ids(aws) == set()


def test_copies_in_later_batches_join_the_same_story_and_are_counted_by_it(
    aws: AwsStack, scoring: Any, lambda_context: Any
) -> None:
    hoax = "PENTING!!! Jangan minum teh botol merk X, sudah ada 3 anak keracunan. Tolong sebarkan ke keluarga"
    scoring.lambda_handler(sqs_event([queued("m1", text=hoax)]), lambda_context)
    scoring.lambda_handler(sqs_event([queued("m2", text="FW: " + hoax), queued("m3", text="Enak!")]), lambda_context)
    store = MentionStore(aws.table("MentionsTable"))
    stories = {m: store.get("brand-a", m).score.story_id for m in ("m1", "m2", "m3")}  # type: ignore[union-attr]
    assert stories["m1"] == stories["m2"] != stories["m3"]
    first = store.get("brand-a", "m1")
    assert first is not None
    assert first.score.signals[0].category == "safety_health"
    minutes = (
        AggregateStore(aws.table("AggregatesTable"), shards=8)
        .window("brand-a", datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
        .minutes
    )
    story = str(stories["m1"])
    assert sum(minute.stories[story].mentions for minute in minutes if story in minute.stories) == 2
    assert sum(minute.signals.get("safety_health", 0) for minute in minutes) == 2


def test_a_batch_that_cannot_be_scored_fails_every_record_with_its_reason_logged(
    aws: AwsStack, scoring: Any, lambda_context: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # Given the story index cannot be read (its table is gone), so the batch as a whole cannot be scored
    boto3.client("dynamodb").delete_table(TableName=aws.table("StoriesTable"))
    event = sqs_event([queued("m1"), queued("m2")])
    # When the scoring function handles the batch
    result = scoring.lambda_handler(event, lambda_context)
    # Then it does not raise: every record is reported for retry (and, in the end, the DLQ keeps them)
    assert result == {"batchItemFailures": [{"itemIdentifier": record["messageId"]} for record in event["Records"]]}
    # And the reason is logged once for the batch, and nothing was stored
    assert "the batch could not be scored" in caplog.text
    assert "ResourceNotFoundException" in caplog.text
    assert stored_ids(aws) == set()
