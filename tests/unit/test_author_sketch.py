"""Distinct authors as sketches: exact while small, within 2 % at a viral minute's 50,000, the same whatever the
order or grouping of what is merged, and stored in a few kilobytes."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigap.kernel.aggregates import stable_hash
from sigap.kernel.minute_counts import MinuteCounts, StoryMinute, bounded, decode_item, encode_counts
from sigap.kernel.sketch import EXACT_LIMIT, AuthorSketch


def keys(prefix: str, count: int) -> list[str]:
    """Hex author keys as the scoring function makes them (`aggregates.author_key`)."""
    return [stable_hash(f"a:{prefix}{number}") for number in range(count)]


def test_a_small_sketch_counts_exactly_and_stays_exact_when_merged() -> None:
    # Given two small groups of authors that share some
    first, second = AuthorSketch.of_hex(keys("a", 60)), AuthorSketch.of_hex(keys("a", 100)[40:])
    # When they are joined
    joined = first | second
    # Then the count is exact, as every small brand's counts are
    assert joined.exact
    assert len(joined) == 100


@pytest.mark.parametrize("authors", [EXACT_LIMIT + 1, 1_000, 10_000, 50_000, 200_000])
def test_a_large_sketch_estimates_within_two_percent(authors: int) -> None:
    # Given five different crowds of this many distinct authors
    errors = []
    for crowd in range(5):
        sketch = AuthorSketch.of_hex(keys(f"crowd{crowd}-", authors))
        errors.append(abs(sketch.estimate() / authors - 1))
    # Then every estimate is within 2 %, and they are typically within 1 %
    assert max(errors) <= 0.02, errors
    assert statistics.median(errors) <= 0.01, errors


def test_a_viral_minute_of_50000_authors_merged_from_partials_counts_within_two_percent_and_stays_small() -> None:
    # Given 50,000 authors arriving in 5,000 scoring batches of 10, over 8 shards, some posting twice
    authors = keys("viral", 50_000)
    batches = [AuthorSketch.of_hex(authors[start : start + 10]) for start in range(0, 50_000, 10)]
    again = [AuthorSketch.of_hex(authors[start : start + 10]) for start in range(0, 5_000, 10)]
    shards = [AuthorSketch.union((batches + again)[shard::8]) for shard in range(8)]
    # When the shards are joined into the minute
    minute = AuthorSketch.union(shards)
    # Then the minute counts each author once, within 2 %, and its stored form is a few kilobytes
    assert abs(len(minute) / 50_000 - 1) <= 0.02
    assert len(minute.to_bytes()) < 10_000
    assert AuthorSketch.from_bytes(minute.to_bytes()) == minute


@settings(max_examples=40, deadline=None)
@given(
    groups=st.lists(st.lists(st.integers(min_value=0, max_value=3_000), max_size=400), min_size=1, max_size=6),
    order=st.randoms(use_true_random=False),
)
def test_merging_is_the_same_in_any_order_or_grouping(groups: list[list[int]], order: object) -> None:
    # Given groups of authors (some overlapping), each a sketch
    sketches = [AuthorSketch.of_hex(stable_hash(f"a:{n}") for n in group) for group in groups]
    # When they are merged all at once, and pairwise in a shuffled order
    at_once = AuthorSketch.union(sketches)
    shuffled = list(sketches)
    order.shuffle(shuffled)  # type: ignore[attr-defined]
    pairwise = AuthorSketch()
    for sketch in shuffled:
        pairwise = pairwise | sketch
    # Then both are the sketch of all the authors together
    everyone = {stable_hash(f"a:{n}") for group in groups for n in group}
    assert at_once == pairwise == AuthorSketch.of_hex(everyone)
    if len(everyone) <= EXACT_LIMIT:
        assert len(at_once) == len(everyone)
    else:
        assert abs(len(at_once) / len(everyone) - 1) <= 0.05  # a few hundred authors: a wider band than at 50,000


@given(st.binary(max_size=64))
def test_bytes_that_are_not_a_sketch_are_refused(data: bytes) -> None:
    try:
        AuthorSketch.from_bytes(data)
    except ValueError:
        return
    except Exception as exc:  # a corrupt item is a ValueError naming the problem, never zlib's own error
        pytest.fail(f"{type(exc).__name__}: {exc}")


def test_a_roll_up_stored_and_read_back_is_the_same_counts() -> None:
    # Given a minute with every kind of count, its authors beyond the exact limit
    counts = MinuteCounts(
        minute="2026-12-04T10:00",
        total=900,
        negative=500,
        neutral=300,
        positive=100,
        risk_sum=321.5,
        authors=AuthorSketch.of_hex(keys("x", 800)),
        negative_authors=AuthorSketch.of_hex(keys("x", 450)),
        signals={"hoax": 40},
        signal_weight={"hoax": 33.25},
        signal_authors={"hoax": AuthorSketch.of_hex(keys("x", 30))},
        stories={
            "s-1a2b": StoryMinute(
                mentions=300,
                authors=AuthorSketch.of_hex(keys("x", 290)),
                negative=280,
                risk_sum=200.5,
                channels={"twitter": 250, "news": 50},
                signals={"hoax": 40},
            )
        },
        channels={"twitter": 800, "news": 100},
        negative_channels={"twitter": 450},
        signal_channels={"hoax": {"twitter": 40}},
        sources={"api": 900},
        languages={"id": 900},
        countries={"ID": 700},
        regions={"id_jakarta": 300},
        high_reach=frozenset({"0.950|0.90|0.800|negative|news|s-1a2b|m1"}),
    )
    # When it is encoded as an item's attributes and decoded again
    again = decode_item(counts.minute, encode_counts(counts))
    # Then nothing changed
    assert again == counts


def test_a_roll_up_keeps_the_largest_stories_and_tallies_and_the_whole_totals() -> None:
    # Given a viral minute with 5,000 one-post stories and 1,000 regions
    stories = {f"s-{n:04x}": StoryMinute(mentions=1 + (n == 7) * 500) for n in range(5_000)}
    counts = MinuteCounts(
        minute="2026-12-04T10:00",
        total=5_500,
        stories=stories,
        regions={f"r{n}": 1 + n for n in range(1_000)},
        high_reach=frozenset(f"0.{n:03d}|x" for n in range(300)),
    )
    # When it is bounded for a roll-up
    kept = bounded(counts)
    # Then the biggest story and regions and the riskiest entries are kept, the tails cut, the totals whole
    assert "s-0007" in kept.stories
    assert len(kept.stories) == 100
    assert len(kept.regions) == 200
    assert kept.regions["r999"] == 1_000
    assert len(kept.high_reach) == 50
    assert "0.299|x" in kept.high_reach
    assert kept.total == 5_500


def test_a_summary_never_counts_more_people_than_posts() -> None:
    from datetime import UTC, datetime

    from sigap.kernel.minute_counts import AggregateWindow, summarise

    # Given 256 posts by 256 people: past the exact limit, the sketch's estimate may land a little above 256
    estimates = [AuthorSketch.of_hex(keys(f"s{seed}-", 256)) for seed in range(20)]
    assert any(len(sketch) > 256 for sketch in estimates)  # the case this guards against happens
    minute = MinuteCounts(minute="2026-12-04T10:00", total=256, authors=max(estimates, key=len))
    moment = datetime(2026, 12, 4, 10, tzinfo=UTC)
    summary = summarise(AggregateWindow(tenant_id="t", since=moment, until=moment, minutes=[minute]))
    # Then the summary says 256 at most
    assert summary.distinct_authors == 256
