"""Partial aggregates rolled up under moto (tables from template.yaml): a window reads the same counts before and
after a roll-up, minute by minute or an hour at a time; a late post's minute is rolled up again; nothing is
counted twice however often, or however concurrently, the roll-up runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3

from sigap.kernel.aggregates import minute_key
from sigap.kernel.minute_counts import AggregateWindow
from sigap.kernel.models import Mention, Score, ScoredMention, Sentiment
from sigap.mentions.aggregate_rollup import AggregateRollup
from sigap.mentions.aggregate_store import AggregateStore
from sigap.mentions.store import MentionStore
from sigap.platform.keys import aggregate_late_pk, aggregate_pk
from tests.conftest import mention_payload
from tests.integration.conftest import AwsStack

TENANT = "brand-a"
# Two whole hours and a bit, ending well before `NOW` less the roll-up's settling time.
START = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 4, 11, 0, 30, tzinfo=UTC)


def scored(number: int, at: datetime, author: str, sentiment: Sentiment = Sentiment.NEGATIVE) -> ScoredMention:
    payload = mention_payload(f"m{number}", created_at=at.isoformat(), author={"handle": author})
    mention = Mention.model_validate(payload | {"tenant_id": TENANT, "received_at": at})
    score = Score(sentiment=sentiment, polarity=-0.5, lang="id", risk=0.5, scorer="test", story_id="s-1a2b")
    return ScoredMention(mention=mention, score=score, scored_at=at)


def store_batches(aws: AwsStack, mentions: list[ScoredMention], now: datetime, size: int = 10) -> None:
    """As the scoring function stores them: a batch's mentions, then its partials."""
    store = MentionStore(
        aws.table("MentionsTable"), aws.table("AggregatesTable"), aggregate_shards=8, clock=lambda: now
    )
    for start in range(0, len(mentions), size):
        batch = mentions[start : start + size]
        assert set(store.store_scored([(one, 2_000_000_000) for one in batch]).values()) == {True}


def stores(aws: AwsStack) -> tuple[AggregateStore, AggregateRollup]:
    store = AggregateStore(aws.table("AggregatesTable"), shards=8)
    return store, AggregateRollup(store, aws.table("AggregatesTable"))


def by_minute(window: AggregateWindow) -> dict[str, tuple[int, int, int]]:
    return {m.minute: (m.total, m.negative, len(m.authors)) for m in window.minutes}


def whole(window: AggregateWindow) -> tuple[int, int, int]:
    from sigap.kernel.minute_counts import MinuteCounts

    total = MinuteCounts.sum_of("", window.minutes)
    return total.total, total.negative, len(total.authors)


def test_a_window_reads_the_same_counts_before_and_after_the_roll_up(aws: AwsStack) -> None:
    # Given 2 h 10 min of mentions by 300 authors, written as scoring writes them (on time)
    mentions = [
        scored(
            n,
            START + timedelta(minutes=n % 130, seconds=n % 60),
            f"@p{n % 300}",
            Sentiment(["negative", "neutral"][n % 2]),
        )
        for n in range(390)
    ]
    store_batches(aws, mentions, now=START)
    store, rollup = stores(aws)
    since, until = START, START + timedelta(hours=3)
    before = store.window(TENANT, since, until)
    # When the settled minutes are rolled up
    done = rollup.settle(TENANT, NOW)
    # Then the rolled-up window holds the same minutes with the same counts, and hour by hour the same whole
    assert done.minutes_rolled == 130
    assert done.hours_rolled == 2
    after = store.window(TENANT, since, until)
    assert by_minute(after) == by_minute(before)
    hourly = store.window(TENANT, since, until, hourly=True)
    assert [m.minute for m in hourly.minutes] == [
        "2026-12-04T08:00",
        "2026-12-04T09:00",
        *sorted(minute for minute in by_minute(before) if minute >= "2026-12-04T10:00"),
    ]
    assert whole(hourly) == whole(before)
    assert whole(before)[:2] == (390, 195)
    assert abs(whole(before)[2] - 300) <= 6  # 300 authors are past the exact sketch's limit: an estimate
    # And running it again changes nothing
    assert rollup.settle(TENANT, NOW).minutes_rolled == 0
    assert by_minute(store.window(TENANT, since, until)) == by_minute(before)


def test_a_late_post_is_counted_at_once_and_its_minute_and_hour_are_rolled_up_again(aws: AwsStack) -> None:
    # Given two rolled-up hours
    store_batches(aws, [scored(n, START + timedelta(minutes=n), f"@p{n}") for n in range(120)], now=START)
    store, rollup = stores(aws)
    rollup.settle(TENANT, NOW)
    # When a feed brings a post from 08:30 at 11:00, by a new author
    late = scored(999, START + timedelta(minutes=30, seconds=5), "@newcomer")
    store_batches(aws, [late], now=NOW)
    # Then it is marked late, and every window counts it at once
    markers = boto3.client("dynamodb").query(
        TableName=aws.table("AggregatesTable"),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": aggregate_late_pk(TENANT)}},
    )["Items"]
    assert len(markers) == 1
    window = (START, START + timedelta(hours=2, minutes=-1))
    assert whole(store.window(TENANT, *window)) == (121, 121, 121)
    assert whole(store.window(TENANT, *window, hourly=True)) == (121, 121, 121)
    assert by_minute(store.window(TENANT, *window))["2026-12-04T08:30"] == (2, 2, 2)
    # And after the next roll-up its minute and hour include it and the marker is gone
    done = rollup.settle(TENANT, NOW + timedelta(minutes=1))
    assert done.late_rerolled == 1
    assert store.late_minutes(TENANT, minute_key(START), minute_key(NOW)) == []
    assert whole(store.window(TENANT, *window, hourly=True)) == (121, 121, 121)
    assert by_minute(store.window(TENANT, *window))["2026-12-04T08:30"] == (2, 2, 2)


def test_a_roll_up_read_before_a_late_post_never_replaces_one_that_counts_it(aws: AwsStack) -> None:
    # Given a rolled-up hour, and a roll-up run that read the minute before a late post came
    store_batches(aws, [scored(n, START + timedelta(minutes=n), f"@p{n}") for n in range(60)], now=START)
    store, rollup = stores(aws)
    rollup.settle(TENANT, NOW)
    stale = store.partials(TENANT, "2026-12-04T08:10", "2026-12-04T08:10", consistent=True)
    store_batches(aws, [scored(500, START + timedelta(minutes=10, seconds=9), "@late")], now=NOW)
    rollup.settle(TENANT, NOW)  # counts the late post
    # When the slower run writes what it read
    rollup._roll_minute(TENANT, "2026-12-04T08:10", stale)
    # Then the minute still counts the late post
    assert by_minute(store.window(TENANT, START, START + timedelta(minutes=59)))["2026-12-04T08:10"] == (2, 2, 2)


def test_a_first_roll_up_starts_at_the_oldest_partial_and_catches_up_a_few_hours_at_a_time(aws: AwsStack) -> None:
    # Given a tenant whose partials go back ten hours, never rolled up
    early = NOW - timedelta(hours=10)
    store_batches(aws, [scored(n, early + timedelta(minutes=n * 6), f"@p{n}") for n in range(100)], now=early)
    store, rollup = stores(aws)
    everything = whole(store.window(TENANT, early - timedelta(hours=1), NOW))
    # When the roll-up runs minute after minute
    first = rollup.settle(TENANT, NOW)
    # Then each run rolls at most six hours, and every window reads the same whole meanwhile and after
    assert first.minutes_rolled == 60
    assert whole(store.window(TENANT, early - timedelta(hours=1), NOW, hourly=True)) == everything
    rollup.settle(TENANT, NOW + timedelta(minutes=1))
    assert store.cursor(TENANT).minutes == minute_key(NOW - timedelta(minutes=4))
    assert whole(store.window(TENANT, early - timedelta(hours=1), NOW, hourly=True)) == everything == (100, 100, 100)


def test_a_tenant_with_nothing_new_costs_the_roll_up_one_read_and_a_new_post_wakes_it(aws: AwsStack) -> None:
    # Given a tenant whose minutes are all rolled up
    store_batches(aws, [scored(n, START + timedelta(minutes=n), f"@p{n}") for n in range(20)], now=START)
    store, rollup = stores(aws)
    rollup.settle(TENANT, NOW)
    calls: list[str] = []
    client = store._client
    client.meta.events.register("provide-client-params.dynamodb.*", lambda model, **_: calls.append(model.name))
    # When the evaluator settles it again a minute later
    assert rollup.settle(TENANT, NOW + timedelta(minutes=1)).minutes_rolled == 0
    # Then that was one read and no write
    assert calls == ["Query"]
    # And once a new post is scored, the next run rolls its minute up
    store_batches(aws, [scored(77, NOW + timedelta(minutes=1), "@new")], now=NOW + timedelta(minutes=1))
    assert rollup.settle(TENANT, NOW + timedelta(minutes=7)).minutes_rolled == 1
    assert whole(store.window(TENANT, START, NOW + timedelta(minutes=7))) == (21, 21, 21)


def test_aggregates_written_before_roll_ups_existed_are_read_and_then_rolled_up(aws: AwsStack) -> None:
    # Given a shard item as scoring wrote it before partials and sketches (an older local stack's snapshot)
    boto3.client("dynamodb").put_item(
        TableName=aws.table("AggregatesTable"),
        Item={
            "pk": {"S": aggregate_pk(TENANT, 3)},
            "sk": {"S": "2026-12-04T08:05"},
            "n_total": {"N": "3"},
            "n_negative": {"N": "3"},
            "authors": {"SS": ["0a", "0b"]},
            "na": {"SS": ["0a", "0b"]},
        },
    )
    store, rollup = stores(aws)
    window = (START, START + timedelta(hours=1))
    # Then it is counted before any roll-up has run, and after the first one rolled it up
    assert whole(store.window(TENANT, *window)) == (3, 3, 2)
    assert rollup.settle(TENANT, NOW).minutes_rolled == 1
    assert whole(store.window(TENANT, *window)) == (3, 3, 2)
    assert whole(store.window(TENANT, *window, hourly=True)) == (3, 3, 2)
