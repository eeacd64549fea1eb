"""Per-tenant, per-minute aggregates the scoring function writes and alerting reads.

Pure logic: which counters and sets one scored mention adds to which aggregate item. Writes are spread over
`shards` items per tenant-minute by the author's hash, so a viral brand's writes land on many partitions, and
because one author always lands on the same shard, distinct authors add up exactly across shards.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from sigap.models import ScoredMention

_ATTRIBUTE_SAFE = re.compile(r"[^A-Za-z0-9_]")


def minute_key(moment: datetime) -> str:
    """The UTC minute a moment falls in, as aggregate items are keyed: '2026-11-22T03:00'."""
    return f"{moment:%Y-%m-%dT%H:%M}"


def stable_hash(value: str, length: int = 16) -> str:
    return hashlib.blake2b(value.encode("utf-8"), digest_size=16).hexdigest()[:length]


def shard_for(value: str, shards: int) -> int:
    return int(stable_hash(value, 8), 16) % shards


class AggregateContribution(BaseModel):
    """What one mention adds to the aggregate item of its tenant, minute and shard."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    minute: str
    shard: int
    counters: dict[str, float]
    sets: dict[str, frozenset[str]] = Field(default_factory=dict)


def author_key(scored: ScoredMention) -> str:
    mention = scored.mention
    handle = (mention.author.handle or "").strip().lower()
    # A mention with no author counts as its own author, so "distinct authors" never undercounts.
    return stable_hash(f"a:{handle}" if handle else f"m:{mention.id}")


def attribute_name(prefix: str, value: str) -> str:
    return f"{prefix}_{_ATTRIBUTE_SAFE.sub('_', value)}"[:255]


def bucket_time(scored: ScoredMention) -> datetime:
    """Mentions count in the minute they were published; a clock-skewed future date counts when received."""
    mention = scored.mention
    return min(mention.created_at, mention.received_at)


def contribution_for(scored: ScoredMention, shards: int) -> AggregateContribution:
    author = author_key(scored)
    score = scored.score
    counters: dict[str, float] = {"n_total": 1, f"n_{score.sentiment.value}": 1, "risk_sum": score.risk}
    sets: dict[str, frozenset[str]] = {"authors": frozenset({author})}
    if score.story_id:
        counters[attribute_name("st", score.story_id)] = 1
        sets[attribute_name("sa", score.story_id)] = frozenset({author})
    for category in sorted({signal.category for signal in score.signals}):
        counters[attribute_name("sig", category)] = 1
    return AggregateContribution(
        tenant_id=scored.mention.tenant_id,
        minute=minute_key(bucket_time(scored)),
        shard=shard_for(author, shards),
        counters=counters,
        sets=sets,
    )


def merge_contributions(contributions: Iterable[AggregateContribution]) -> list[AggregateContribution]:
    """Pre-aggregates a batch: one contribution per (tenant, minute, shard) item, counters summed, sets joined."""
    merged: dict[tuple[str, str, int], AggregateContribution] = {}
    for item in contributions:
        key = (item.tenant_id, item.minute, item.shard)
        if key not in merged:
            merged[key] = item
            continue
        current = merged[key]
        counters = dict(current.counters)
        for name, amount in item.counters.items():
            counters[name] = counters.get(name, 0) + amount
        sets = dict(current.sets)
        for name, members in item.sets.items():
            sets[name] = sets.get(name, frozenset()) | members
        merged[key] = current.model_copy(update={"counters": counters, "sets": sets})
    return list(merged.values())


class StoryCount(BaseModel):
    story_id: str
    mentions: int
    distinct_authors: int


class SentimentSummary(BaseModel):
    since: datetime
    until: datetime
    total: int
    negative: int
    neutral: int
    positive: int
    distinct_authors: int
    mean_risk: float
    signals: dict[str, int] = Field(default_factory=dict, description="Mentions per crisis-signal category")
    top_stories: list[StoryCount] = Field(default_factory=list, description="Most-mentioned stories")


TOP_STORIES = 5
_COUNTERS = {"n_total": "total", "n_negative": "negative", "n_neutral": "neutral", "n_positive": "positive"}


class StoryMinute(BaseModel):
    """One story's share of a minute: its mentions and the (hashed) authors who posted them."""

    model_config = ConfigDict(frozen=True)

    mentions: int = 0
    authors: frozenset[str] = frozenset()


class MinuteCounts(BaseModel):
    """Everything counted for one tenant in one UTC minute, merged across shards: what detection reads."""

    model_config = ConfigDict(frozen=True)

    minute: str = Field(description="UTC minute, '2026-11-22T03:00'")
    total: int = 0
    negative: int = 0
    neutral: int = 0
    positive: int = 0
    risk_sum: float = 0.0
    authors: frozenset[str] = frozenset()
    signals: dict[str, int] = Field(default_factory=dict, description="Mentions per crisis-signal category")
    stories: dict[str, StoryMinute] = Field(default_factory=dict, description="By story id")

    @classmethod
    def sum_of(cls, minute: str, parts: Iterable[MinuteCounts]) -> MinuteCounts:
        """The parts added up (one minute's shards, or a window's minutes): counters summed, author sets
        joined, in one pass, so a day of minutes with many stories is not copied minute after minute."""
        counts = {"total": 0, "negative": 0, "neutral": 0, "positive": 0}
        risk_sum = 0.0
        authors: set[str] = set()
        signals: dict[str, int] = {}
        story_mentions: dict[str, int] = {}
        story_authors: dict[str, set[str]] = {}
        for part in parts:
            for name in counts:
                counts[name] += getattr(part, name)
            risk_sum += part.risk_sum
            authors |= part.authors
            for category, count in part.signals.items():
                signals[category] = signals.get(category, 0) + count
            for story_id, story in part.stories.items():
                story_mentions[story_id] = story_mentions.get(story_id, 0) + story.mentions
                story_authors.setdefault(story_id, set()).update(story.authors)
        stories = {
            story_id: StoryMinute(mentions=mentions, authors=frozenset(story_authors[story_id]))
            for story_id, mentions in story_mentions.items()
        }
        return cls(
            minute=minute, risk_sum=risk_sum, authors=frozenset(authors), signals=signals, stories=stories, **counts
        )


class AggregateWindow(BaseModel):
    """A tenant's minutes in [since, until], oldest first, one entry per minute that counted anything."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    since: datetime
    until: datetime
    minutes: list[MinuteCounts]


def story_id_of(attribute: str) -> str:
    """'st_s_1a2b' → 's-1a2b': story ids are 's-' and hex, so the first '_' after the prefix was the '-'."""
    return attribute.removeprefix("st_").removeprefix("sa_").replace("_", "-", 1)


def decode_item(minute: str, attributes: Mapping[str, float | frozenset[str]]) -> MinuteCounts:
    """One stored aggregate item (attribute name → number or string set) as typed counts: the inverse of the
    names `contribution_for` writes, kept beside it so the naming lives in one module."""
    counts: dict[str, int] = {}
    risk_sum = 0.0
    authors: frozenset[str] = frozenset()
    signals: dict[str, int] = {}
    story_mentions: dict[str, int] = {}
    story_authors: dict[str, frozenset[str]] = {}
    for name, value in attributes.items():
        if isinstance(value, frozenset):
            if name == "authors":
                authors = value
            elif name.startswith("sa_"):
                story_authors[story_id_of(name)] = value
        elif name in _COUNTERS:
            counts[_COUNTERS[name]] = round(value)
        elif name == "risk_sum":
            risk_sum = float(value)
        elif name.startswith("sig_"):
            signals[name.removeprefix("sig_")] = round(value)
        elif name.startswith("st_"):
            story_mentions[story_id_of(name)] = round(value)
    stories = {
        story_id: StoryMinute(
            mentions=story_mentions.get(story_id, 0), authors=story_authors.get(story_id, frozenset())
        )
        for story_id in story_mentions.keys() | story_authors.keys()
    }
    return MinuteCounts(minute=minute, risk_sum=risk_sum, authors=authors, signals=signals, stories=stories, **counts)


def merge_minutes(parts: Iterable[MinuteCounts]) -> list[MinuteCounts]:
    """Shard items of the same minutes merged into one entry per minute, oldest first."""
    by_minute: dict[str, list[MinuteCounts]] = {}
    for part in parts:
        by_minute.setdefault(part.minute, []).append(part)
    return [MinuteCounts.sum_of(minute, by_minute[minute]) for minute in sorted(by_minute)]


def summarise(window: AggregateWindow) -> SentimentSummary:
    """Adds up a window's minutes into one summary."""
    total = MinuteCounts.sum_of("", window.minutes)
    ranked = sorted(total.stories.items(), key=lambda pair: (-pair[1].mentions, pair[0]))[:TOP_STORIES]
    return SentimentSummary(
        since=window.since,
        until=window.until,
        total=total.total,
        negative=total.negative,
        neutral=total.neutral,
        positive=total.positive,
        distinct_authors=len(total.authors),
        mean_risk=round(total.risk_sum / total.total, 4) if total.total else 0.0,
        signals=dict(sorted(total.signals.items())),
        top_stories=[
            StoryCount(story_id=story_id, mentions=part.mentions, distinct_authors=len(part.authors))
            for story_id, part in ranked
        ],
    )
