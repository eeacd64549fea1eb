"""Storing scored mentions without a transaction, under moto: each mention stored once and counted once, whether a
run is retried, duplicated, or stops between its mentions and their partial aggregate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from sigap.kernel.aggregates import CountLater
from sigap.kernel.errors import StorageError
from sigap.kernel.models import Mention, Score, ScoredMention, Sentiment
from sigap.mentions.aggregate_store import AggregateStore
from sigap.mentions.scored_writes import RECOVER_AFTER, ScoredWrites
from sigap.mentions.store import MentionStore
from tests.conftest import mention_payload
from tests.integration.conftest import AwsStack

TENANT = "brand-a"
AT = datetime(2026, 12, 4, 9, 0, 10, tzinfo=UTC)


def scored(mention_id: str, author: str = "", at: datetime = AT) -> ScoredMention:
    payload = mention_payload(mention_id, created_at=at.isoformat(), author={"handle": author or f"@{mention_id}"})
    mention = Mention.model_validate(payload | {"tenant_id": TENANT, "received_at": at})
    score = Score(sentiment=Sentiment.NEGATIVE, polarity=-0.5, lang="id", risk=0.5, scorer="test")
    return ScoredMention(mention=mention, score=score, scored_at=at)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def store(aws: AwsStack, clock: Clock) -> MentionStore:
    return MentionStore(aws.table("MentionsTable"), aws.table("AggregatesTable"), aggregate_shards=8, clock=clock)


def counted(aws: AwsStack) -> tuple[int, int]:
    """(mentions, distinct authors) the tenant's aggregates count, over all time."""
    window = AggregateStore(aws.table("AggregatesTable"), shards=8).window(
        TENANT, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    )
    from sigap.kernel.minute_counts import MinuteCounts

    whole = MinuteCounts.sum_of("", window.minutes)
    return whole.total, len(whole.authors)


def batch(*ids: str) -> list[tuple[ScoredMention, int]]:
    return [(scored(mention_id), 2_000_000_000) for mention_id in ids]


@pytest.fixture
def stopping_before_partials(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The next run stores its mentions and then fails to write its partial aggregates (once)."""
    failures = [1]
    original = ScoredWrites._write_partial

    def flaky(self: ScoredWrites, *args: Any, **kwargs: Any) -> None:
        if failures[0]:
            failures[0] -= 1
            raise StorageError("PutItem on aggregates: throttled")
        original(self, *args, **kwargs)

    monkeypatch.setattr(ScoredWrites, "_write_partial", flaky)
    return failures


def test_a_batch_is_stored_and_counted_once_and_its_retry_changes_nothing(aws: AwsStack) -> None:
    # Given a batch stored once
    clock = Clock(AT + timedelta(seconds=5))
    first = store(aws, clock).store_scored(batch("m1", "m2", "m3"))
    # When it is delivered again, and again with a new mention beside an old one
    again = store(aws, clock).store_scored(batch("m1", "m2", "m3"))
    mixed = store(aws, clock).store_scored(batch("m3", "m4"))
    # Then each mention was stored by the first run that had it, and counted once
    assert first == {(TENANT, "m1"): True, (TENANT, "m2"): True, (TENANT, "m3"): True}
    assert again == {(TENANT, "m1"): False, (TENANT, "m2"): False, (TENANT, "m3"): False}
    assert mixed == {(TENANT, "m3"): False, (TENANT, "m4"): True}
    assert counted(aws) == (4, 4)


def test_a_scored_put_replaces_the_claim_and_never_a_scored_mention(aws: AwsStack) -> None:
    clock = Clock(AT + timedelta(seconds=5))
    mentions = store(aws, clock)
    mentions.claim(TENANT, [scored("m1").mention], 2_000_000_000)
    assert mentions.store_scored(batch("m1")) == {(TENANT, "m1"): True}
    other = scored("m1", author="@someone-else")
    assert mentions.store_scored([(other, 2_000_000_000)]) == {(TENANT, "m1"): False}
    kept = mentions.get(TENANT, "m1")
    assert kept is not None
    assert kept.mention.author.handle == "@m1"
    assert counted(aws) == (1, 1)


def test_a_run_that_stops_before_its_partial_is_counted_once_its_retries_come(
    aws: AwsStack, stopping_before_partials: list[int]
) -> None:
    # Given a run that stored three mentions and then failed to write their partial aggregate
    clock = Clock(AT + timedelta(seconds=5))
    stopped = store(aws, clock).store_scored(batch("m1", "m2", "m3"))
    assert all(isinstance(result, StorageError) for result in stopped.values())
    assert counted(aws) == (0, 0)
    # When SQS retries the records at once (the run might still be alive), they are to be looked at later: once
    # that run can no longer be alive
    early = store(aws, clock).store_scored(batch("m1"))
    assert early == {(TENANT, "m1"): CountLater(after=RECOVER_AFTER - timedelta(seconds=5) + timedelta(seconds=1))}
    assert counted(aws) == (0, 0)
    # And when the retries come after the run can no longer be alive, in other groupings and twice over
    clock.now = AT + RECOVER_AFTER + timedelta(seconds=10)
    late = store(aws, clock).store_scored(batch("m1", "m4"))
    rest = store(aws, clock).store_scored(batch("m2", "m3"))
    twice = store(aws, clock).store_scored(batch("m1", "m2", "m3"))
    # Then every mention is counted exactly once, and none is stored twice
    assert late == {(TENANT, "m1"): False, (TENANT, "m4"): True}
    assert rest == {(TENANT, "m2"): False, (TENANT, "m3"): False}
    assert set(twice.values()) == {False}
    assert counted(aws) == (4, 4)


def test_two_runs_with_the_same_mention_count_it_in_one_of_them(aws: AwsStack) -> None:
    # Given two runs delivered the same message (SQS delivers at least once), each with a mention of its own
    clock = Clock(AT + timedelta(seconds=5))
    one = store(aws, clock).store_scored(batch("shared", "a"))
    other = store(aws, clock).store_scored(batch("shared", "b"))
    # Then the first stores and counts it, the second finds it counted
    assert one[(TENANT, "shared")] is True
    assert other[(TENANT, "shared")] is False
    assert counted(aws) == (3, 3)


def test_a_partial_written_late_is_marked_for_the_roll_up(aws: AwsStack) -> None:
    # Given a mention from long ago (an import), stored now
    clock = Clock(AT + timedelta(hours=3))
    store(aws, clock).store_scored(batch("old"))
    # Then its partial carries a late marker, so its minute is rolled up again
    items = boto3.client("dynamodb").scan(TableName=aws.table("AggregatesTable"))["Items"]
    markers = [item for item in items if item["pk"]["S"] == f"{TENANT}#AL"]
    assert [marker["sk"]["S"][:16] for marker in markers] == ["2026-12-04T09:00"]
    assert counted(aws) == (1, 1)


def test_after_an_unclean_stop_only_the_claims_not_yet_scored_are_found_to_queue_again(aws: AwsStack) -> None:
    from sigap.mentions.claim_store import ClaimStore

    # Given three mentions claimed by a door, one of which scoring then stored
    claims = ClaimStore(aws.table("MentionsTable"))
    mentions = [entry.mention for entry, _ in batch("m-1", "m-2", "m-3")]
    assert claims.claim(TENANT, mentions, 2_000_000_000).claimed == ["m-1", "m-2", "m-3"]
    store(aws, Clock(AT)).store_scored(batch("m-2"))
    # When the local stack, restored after a kill, looks for claims whose queue message was lost with it
    found = sorted(mention.id for mention in claims.unscored_claims())
    # Then it finds the two still waiting, as they were received, and not the scored one
    assert found == ["m-1", "m-3"]
    assert claims.known(TENANT, ["m-1", "m-2", "m-4"]) == {"m-1", "m-2"}
