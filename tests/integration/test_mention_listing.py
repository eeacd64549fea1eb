"""The newest-first listing read from the partial aggregates (no index), under moto: every counted mention once,
in order, page after page, whatever batches and shards its mentions were stored in."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from sigap.kernel.errors import StorageError
from sigap.kernel.models import Mention, Score, ScoredMention, Sentiment, Signal
from sigap.mentions.domain import MentionFilter
from sigap.mentions.listing import MentionListing
from sigap.mentions.scored_writes import ScoredWrites
from sigap.mentions.store import MentionStore
from tests.conftest import mention_payload
from tests.integration.conftest import AwsStack

TENANT = "brand-a"
START = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def scored(number: int, at: datetime, **score: object) -> ScoredMention:
    payload = mention_payload(f"m{number:03d}", created_at=at.isoformat(), author={"handle": f"@p{number}"})
    mention = Mention.model_validate(payload | {"tenant_id": TENANT, "received_at": at + timedelta(seconds=1)})
    fields: dict[str, object] = {"sentiment": Sentiment.NEUTRAL, "polarity": 0, "lang": "id", "risk": 0.2}
    return ScoredMention(mention=mention, score=Score.model_validate(fields | score | {"scorer": "t"}), scored_at=at)


def stored(aws: AwsStack, mentions: list[ScoredMention], batch_sizes: list[int]) -> None:
    store = MentionStore(
        aws.table("MentionsTable"), aws.table("AggregatesTable"), aggregate_shards=8, clock=lambda: START
    )
    start = 0
    for size in batch_sizes:
        batch = mentions[start : start + size]
        if batch:
            assert set(store.store_scored([(one, 2_000_000_000) for one in batch]).values()) == {True}
        start += size


def listing(aws: AwsStack) -> MentionListing:
    return MentionListing(aws.table("MentionsTable"), aws.table("AggregatesTable"), shards=8)


def every_page(
    aws: AwsStack, since: datetime, until: datetime, limit: int, only: MentionFilter | None = None
) -> list[list[str]]:
    pages, after = [], None
    while True:
        page = listing(aws).list_newest_first(TENANT, since=since, until=until, limit=limit, only=only, after=after)
        pages.append([item.mention.id for item in page.items])
        if page.next_position is None:
            return pages
        after = page.next_position


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pages_list_every_mention_once_newest_first_across_batches_and_shards(aws: AwsStack, seed: int) -> None:
    # Given 120 mentions over three minutes, arriving out of order in batches of 1 to 12
    chooser = random.Random(seed)
    times = [START + timedelta(milliseconds=chooser.randrange(180_000)) for _ in range(120)]
    mentions = [scored(number, at) for number, at in enumerate(times)]
    chooser.shuffle(mentions)
    stored(aws, mentions, [chooser.randint(1, 12) for _ in range(120)])
    # When they are listed page by page
    limit = chooser.choice([1, 7, 25, 50])
    pages = every_page(aws, START, START + timedelta(minutes=5), limit)
    # Then every page is full but the last, and together they are every mention once, newest first
    listed = [mention_id for page in pages for mention_id in page]
    newest_first = [one.mention.id for one in sorted(mentions, key=lambda m: (m.mention.created_at, m.mention.id))]
    assert listed == newest_first[::-1]
    assert all(len(page) == limit for page in pages[:-1])


def test_the_window_is_inclusive_at_both_ends_and_keeps_nothing_outside(aws: AwsStack) -> None:
    mentions = [scored(number, START + timedelta(seconds=20 * number)) for number in range(10)]
    stored(aws, mentions, [10])
    window = every_page(aws, START + timedelta(seconds=40), START + timedelta(seconds=100), limit=50)
    assert window == [["m005", "m004", "m003", "m002"]]


def test_filters_keep_only_what_matches_every_field_given(aws: AwsStack) -> None:
    poisoning = Signal(category="safety_health", severity=0.9, evidence="beracun")
    mentions = [
        scored(0, START, sentiment=Sentiment.NEGATIVE, story_id="s-1a2b", signals=[poisoning]),
        scored(1, START + timedelta(seconds=1), sentiment=Sentiment.NEGATIVE),
        scored(2, START + timedelta(seconds=2), sentiment=Sentiment.POSITIVE, story_id="s-1a2b"),
        scored(3, START + timedelta(seconds=3), lang="en"),
    ]
    stored(aws, mentions, [2, 2])
    until = START + timedelta(minutes=1)
    assert every_page(aws, START, until, 10, MentionFilter(sentiment=Sentiment.NEGATIVE)) == [["m001", "m000"]]
    assert every_page(aws, START, until, 10, MentionFilter(story="s-1a2b")) == [["m002", "m000"]]
    assert every_page(aws, START, until, 10, MentionFilter(signal="safety_health")) == [["m000"]]
    assert every_page(aws, START, until, 10, MentionFilter(language="en")) == [["m003"]]
    both = MentionFilter(story="s-1a2b", sentiment=Sentiment.POSITIVE)
    assert every_page(aws, START, until, 10, both) == [["m002"]]


def test_a_mention_is_listed_once_it_is_counted(aws: AwsStack, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a run that stored a mention and could not write its partial aggregate
    def failing(self: ScoredWrites, *args: object, **kwargs: object) -> None:
        raise StorageError("throttled")

    original = ScoredWrites._write_partial
    monkeypatch.setattr(ScoredWrites, "_write_partial", failing)
    store = MentionStore(
        aws.table("MentionsTable"), aws.table("AggregatesTable"), aggregate_shards=8, clock=lambda: START
    )
    store.store_scored([(scored(0, START), 2_000_000_000)])
    # Then it can be read by its id, but is not listed
    assert store.get(TENANT, "m000") is not None
    assert every_page(aws, START, START + timedelta(minutes=1), 10) == [[]]
    # Until the retry that counts it
    monkeypatch.setattr(ScoredWrites, "_write_partial", original)
    later = MentionStore(
        aws.table("MentionsTable"),
        aws.table("AggregatesTable"),
        aggregate_shards=8,
        clock=lambda: START + timedelta(minutes=5),
    )
    assert later.store_scored([(scored(0, START), 2_000_000_000)]) == {(TENANT, "m000"): False}
    assert every_page(aws, START, START + timedelta(minutes=1), 10) == [["m000"]]
