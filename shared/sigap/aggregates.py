"""Per-tenant, per-minute aggregates the scoring function writes and alerting reads.

Pure logic: which counters and sets one scored mention adds to which aggregate item. Writes are spread over
`shards` items per tenant-minute by the author's hash, so a viral brand's writes land on many partitions, and
because one author always lands on the same shard, distinct authors add up exactly across shards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from sigap.dal.keys import minute_key, shard_for, stable_hash
from sigap.models import ScoredMention, Sentiment

_ATTRIBUTE_SAFE = re.compile(r"[^A-Za-z0-9_]")


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


def story_id_of(attribute: str) -> str:
    """'st_s_1a2b' → 's-1a2b': story ids are 's-' and hex, so the first '_' after the prefix was the '-'."""
    return attribute.removeprefix("st_").replace("_", "-", 1)


def summarise(items: Iterable[Mapping[str, object]], since: datetime, until: datetime) -> SentimentSummary:
    """Adds up aggregate items (already decoded to plain values) into one summary over a window."""
    totals = {"n_total": 0.0, "risk_sum": 0.0} | {f"n_{s.value}": 0.0 for s in Sentiment}
    authors: set[str] = set()
    signals: dict[str, float] = {}
    stories: dict[str, float] = {}
    story_authors: dict[str, set[str]] = {}
    for item in items:
        for name, value in item.items():
            if name in totals and isinstance(value, int | float):
                totals[name] += float(value)
            elif name.startswith("sig_") and isinstance(value, int | float):
                signals[name.removeprefix("sig_")] = signals.get(name.removeprefix("sig_"), 0) + float(value)
            elif name.startswith("st_") and isinstance(value, int | float):
                stories[name] = stories.get(name, 0) + float(value)
            elif name.startswith("sa_") and isinstance(value, set | frozenset):
                story_authors.setdefault("st_" + name.removeprefix("sa_"), set()).update(str(a) for a in value)
        item_authors = item.get("authors")
        if isinstance(item_authors, set | frozenset):
            authors.update(str(a) for a in item_authors)
    total = int(totals["n_total"])
    ranked = sorted(stories.items(), key=lambda pair: (-pair[1], pair[0]))[:TOP_STORIES]
    return SentimentSummary(
        since=since,
        until=until,
        total=total,
        negative=int(totals["n_negative"]),
        neutral=int(totals["n_neutral"]),
        positive=int(totals["n_positive"]),
        distinct_authors=len(authors),
        mean_risk=round(totals["risk_sum"] / total, 4) if total else 0.0,
        signals={category: int(count) for category, count in sorted(signals.items())},
        top_stories=[
            StoryCount(
                story_id=story_id_of(name), mentions=int(count), distinct_authors=len(story_authors.get(name, ()))
            )
            for name, count in ranked
        ],
    )
