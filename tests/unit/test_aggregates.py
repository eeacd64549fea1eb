"""Per-minute aggregate contributions: merged per batch into partials spread over shards, summed into summaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sigap.kernel.aggregates import contribution_for, merge_contributions
from sigap.kernel.minute_counts import AggregateWindow, decode_item, merge_minutes, summarise
from sigap.kernel.models import Mention, Score, ScoredMention, Sentiment, Signal
from sigap.kernel.sketch import AuthorSketch
from tests.conftest import mention_payload

NOW = datetime(2026, 11, 22, 10, 30, 15, tzinfo=UTC)


def scored(
    mention_id: str, author: str | None, sentiment: Sentiment = Sentiment.NEGATIVE, **score: object
) -> ScoredMention:
    payload = mention_payload(mention_id, created_at=NOW.isoformat(), author={"handle": author})
    mention = Mention.model_validate(payload | {"tenant_id": "brand-a", "received_at": NOW})
    values = {"sentiment": sentiment, "polarity": -0.5, "lang": "id", "risk": 0.5, "scorer": "test"} | score
    return ScoredMention(mention=mention, score=Score.model_validate(values), scored_at=NOW)


def test_a_mention_counts_in_its_minute_with_its_sentiment_story_and_signals() -> None:
    item = contribution_for(
        scored("m1", "@a", story_id="s-1", signals=[Signal(category="safety", severity=0.9, evidence="beracun")])
    )
    assert item.minute == "2026-11-22T10:30"
    assert item.counters["n_total"] == item.counters["n_negative"] == item.counters["st_s_1"] == 1
    assert item.counters["sig_safety"] == item.counters["sn_s_1"] == 1
    assert item.counters["risk_sum"] == item.counters["sx_s_1"] == 0.5
    assert {"authors", "na", "sa_s_1", "sga_safety"} <= set(item.sets)


def test_what_a_batch_writes_decodes_back_to_the_counts_of_its_mentions() -> None:
    # Given a minute of mentions over channels, stories and places, written as one shard's item
    mentions = [
        scored("m1", "@a", story_id="s-1a", signals=[Signal(category="hoax", severity=0.8, evidence="hoaks")]),
        scored("m2", "@b", story_id="s-1a", reach=0.9, signals=[Signal(category="safety", severity=0.9, evidence="x")]),
        scored("m3", "@a", Sentiment.POSITIVE, story_id="s-2b"),
    ]
    [item] = merge_contributions(contribution_for(one) for one in mentions)
    # When it is read back
    counts = decode_item(item.minute, {**item.counters, **item.sets})
    # Then every tally is what the mentions add up to
    assert (counts.total, counts.negative, counts.positive) == (3, 2, 1)
    assert len(counts.authors) == 2
    assert len(counts.negative_authors) == 2
    assert counts.stories["s-1a"].mentions == 2
    assert counts.stories["s-1a"].negative == 2
    assert len(counts.stories["s-1a"].authors) == 2
    assert counts.stories["s-2b"].negative == 0
    assert counts.signals == {"hoax": 1, "safety": 1}
    assert len(counts.signal_authors["safety"]) == 1
    assert sum(counts.channels.values()) == 3
    assert sum(counts.languages.values()) == 3
    [entry] = counts.high_reach  # only the far-reaching mention with a severe signal
    assert entry.endswith("|s-1a|m2")


def test_the_same_mentions_make_the_same_partial_and_partials_spread_over_every_shard() -> None:
    # Given a batch's mentions, merged in one order and then in another
    batch = [contribution_for(scored(f"m{i}", "@same")) for i in range(5)]
    [forwards] = merge_contributions(batch)
    [backwards] = merge_contributions(reversed(batch))
    # Then a retried batch rewrites the same partial, never a second one
    assert forwards.partial_id == backwards.partial_id
    assert forwards.mention_ids == {f"m{i}" for i in range(5)}
    # And one author's many mentions (a viral author) still spread their partials over every shard
    spread = {contribution_for(scored(f"m{i}", "@same")).shard(8) for i in range(200)}
    assert len(spread) == 8


def test_a_future_dated_mention_counts_when_it_was_received() -> None:
    mention = scored("m1", "@a")
    future = mention.model_copy(
        update={"mention": mention.mention.model_copy(update={"created_at": NOW + timedelta(days=2)})}
    )
    assert contribution_for(future).minute == "2026-11-22T10:30"


def test_a_batch_merges_into_one_update_per_item() -> None:
    items = [contribution_for(scored(f"m{i}", "@same", story_id="s1")) for i in range(5)]
    [merged] = merge_contributions(items)
    assert merged.counters["n_total"] == 5
    assert merged.counters["risk_sum"] == 2.5
    assert len(merged.sets["authors"]) == 1


def window(*items: dict[str, float | frozenset[str]], minute: str = "2026-11-22T10:30") -> AggregateWindow:
    """A window from stored items as the adapter decodes them (every item one shard of the same minute)."""
    minutes = merge_minutes(decode_item(minute, item) for item in items)
    return AggregateWindow(tenant_id="brand-a", since=NOW - timedelta(hours=1), until=NOW, minutes=minutes)


def test_shard_items_of_one_minute_merge_into_one_typed_minute() -> None:
    # Given two shard items of one minute, naming the same story and author
    merged = window(
        {
            "n_total": 2.0,
            "n_negative": 2.0,
            "st_s_aaa": 2.0,
            "sa_s_aaa": frozenset({"0a"}),
            "authors": frozenset({"0a"}),
        },
        {
            "n_total": 1.0,
            "n_positive": 1.0,
            "st_s_aaa": 1.0,
            "sa_s_aaa": frozenset({"0b"}),
            "authors": frozenset({"0b"}),
        },
    ).minutes
    # Then the window holds one minute with the counters summed and the author sets joined
    assert len(merged) == 1
    assert (merged[0].total, merged[0].negative, merged[0].positive) == (3, 2, 1)
    assert merged[0].stories["s-aaa"].mentions == 3
    assert merged[0].stories["s-aaa"].authors == AuthorSketch.of_hex({"0a", "0b"})


def test_summaries_add_counts_and_count_each_author_once() -> None:
    summary = summarise(
        window(
            {"n_total": 3.0, "n_negative": 2.0, "n_positive": 1.0, "risk_sum": 1.5, "authors": frozenset({"0a", "0b"})},
            {"n_total": 1.0, "n_neutral": 1.0, "risk_sum": 0.1, "authors": frozenset({"0b"})},
        )
    )
    assert (summary.total, summary.negative, summary.neutral, summary.positive) == (4, 2, 1, 1)
    assert summary.distinct_authors == 2
    assert summary.mean_risk == 0.4


def test_summaries_rank_stories_and_count_signals() -> None:
    summary = summarise(
        window(
            {
                "n_total": 3.0,
                "st_s_aaa": 2.0,
                "st_s_bbb": 1.0,
                "sa_s_aaa": frozenset({"0a", "0b"}),
                "sig_safety_health": 2.0,
            },
            {
                "n_total": 2.0,
                "st_s_bbb": 2.0,
                "sa_s_bbb": frozenset({"0c"}),
                "sig_safety_health": 1.0,
                "sig_legal": 1.0,
            },
        )
    )
    assert summary.signals == {"legal": 1, "safety_health": 3}
    assert [(s.story_id, s.mentions, s.distinct_authors) for s in summary.top_stories] == [
        ("s-bbb", 3, 1),
        ("s-aaa", 2, 2),
    ]
