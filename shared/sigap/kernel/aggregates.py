"""Per-tenant, per-minute aggregates the scoring function writes and alerting reads.

Pure logic: which counters and author sets one scored mention adds, and how a batch's mentions become one
*partial aggregate* per tenant-minute. Each partial is a new item of its own (never an update of a shared one), so
a viral minute's writes neither grow one item towards DynamoDB's 400 KB nor collide in transactions; partials are
spread over `shards` partitions by their id, and distinct authors add up across them as sketches
(`sigap.kernel.sketch`). The evaluator later rolls each settled minute's partials up into one item, and each
hour's minutes into one more (`mentions.aggregate_rollup`): what long windows read.

A partial for a minute that may already be rolled up is *late* (a feed's or an import's older post): it is
written with a marker, so its minute is rolled up again. The two clocks below keep the roll-up from missing an
on-time partial: scoring calls a minute late `LATE_AFTER` after it starts; the roll-up waits `SETTLED_AFTER`,
longer by more than the scoring function's 30 s timeout (a partial is written within it, or not at all).
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from sigap.kernel.errors import StorageError
from sigap.kernel.models import ScoredMention

_ATTRIBUTE_SAFE = re.compile(r"[^A-Za-z0-9_]")


def minute_key(moment: datetime) -> str:
    """The UTC minute a moment falls in, as aggregate items are keyed: '2026-11-22T03:00'."""
    return f"{moment:%Y-%m-%dT%H:%M}"


def minute_start(moment: datetime) -> datetime:
    """The start of the minute a moment falls in."""
    return moment.replace(second=0, microsecond=0)


def minute_at(key: str) -> datetime:
    """The start of the UTC minute a minute key names: the inverse of `minute_key`."""
    return datetime.fromisoformat(key + ":00+00:00")


LATE_AFTER = timedelta(minutes=2)
SETTLED_AFTER = timedelta(minutes=5)


def is_late(minute: str, now: datetime) -> bool:
    """Whether a partial for this minute must be marked late: the minute may be rolled up already."""
    return minute_at(minute) < now - LATE_AFTER


def settled_through(now: datetime) -> str:
    """The last minute no on-time partial can still arrive for: the roll-up's horizon."""
    return minute_key(now - SETTLED_AFTER)


def stable_hash(value: str, length: int = 16) -> str:
    return hashlib.blake2b(value.encode("utf-8"), digest_size=16).hexdigest()[:length]


def shard_for(value: str, shards: int) -> int:
    return int(stable_hash(value, 8), 16) % shards


def listing_time(moment: datetime) -> str:
    """A moment as the listing orders mentions: '2026-12-04T09:00:10.250000' (UTC; its first 16 characters are its
    minute key)."""
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%f}"


class ListingEntry(NamedTuple):
    """What the newest-first listing needs of one mention, kept in the partial aggregate that counts it."""

    mention_id: str
    at: str  # listing_time of the minute it counts in (`bucket_time`)
    sentiment: str
    source: str
    channel: str
    lang: str
    story_id: str  # '' for none
    signals: tuple[str, ...]

    @property
    def sort_key(self) -> str:
        return f"{self.at}#{self.mention_id}"


def pack_entries(entries: Sequence[ListingEntry]) -> bytes:
    """A partial's listing entries as stored: compact JSON rows, deflated (about 50 bytes a mention)."""
    rows = [[*entry[:7], list(entry.signals)] for entry in entries]
    return zlib.compress(json.dumps(rows, separators=(",", ":"), ensure_ascii=False).encode("utf-8"), 6)


def unpack_entries(stored: bytes) -> list[ListingEntry]:
    rows: list[list[Any]] = json.loads(zlib.decompress(stored).decode("utf-8"))
    return [
        ListingEntry(
            str(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]), str(row[5]), str(row[6]), tuple(row[7])
        )
        for row in rows
    ]


@dataclass(frozen=True)
class CountLater:
    """A mention stored moments ago by a run that has not counted it yet (it may still be writing its partial
    aggregate): look again after `after`, when that run can no longer be alive."""

    after: timedelta


# What storing one scored mention came to: True if stored and counted now, False if stored and counted before,
# CountLater, or the error that kept it from being stored.
StoreResult = bool | CountLater | StorageError


class AggregateContribution(BaseModel):
    """What mentions add to their tenant's minute: one mention's, or a batch's merged (a partial aggregate).
    Author sets hold hex author keys; the store writes them as sketches. `listed`: each mention's listing entry."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    minute: str
    mention_ids: frozenset[str]
    counters: dict[str, float]
    sets: dict[str, frozenset[str]] = Field(default_factory=dict)
    listed: tuple[ListingEntry, ...] = ()

    @property
    def latest(self) -> str:
        """The latest listing time among its mentions (the minute itself if none is listed): what begins its
        partial's sort key, so a listing knows no partial after it holds anything newer."""
        return max((entry.at for entry in self.listed), default=self.minute)

    @property
    def partial_id(self) -> str:
        """The same mentions always make the same partial: a retried batch rewrites it, never adds a second."""
        return stable_hash("\n".join(sorted(self.mention_ids)))

    def shard(self, shards: int) -> int:
        return shard_for(self.partial_id, shards)


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


# A mention this far-reaching carrying a signal this severe is a candidate for the high-reach alert rule; the
# aggregate keeps a short description of each, so detection needs no extra read to judge it.
HIGH_REACH = 0.7
SEVERE_SIGNAL = 0.7


def high_reach_entry(scored: ScoredMention) -> str | None:
    """'risk|severity|reach|sentiment|channel|story|id' for a high-reach mention with a severe signal."""
    score = scored.score
    severity = max((signal.severity for signal in score.signals), default=0.0)
    if score.reach < HIGH_REACH or severity < SEVERE_SIGNAL:
        return None
    mention = scored.mention
    return (
        f"{score.risk:.3f}|{severity:.2f}|{score.reach:.3f}|{score.sentiment.value}|{mention.channel.value}"
        f"|{score.story_id or ''}|{mention.id}"
    )


def contribution_for(scored: ScoredMention) -> AggregateContribution:
    author = author_key(scored)
    score, mention = scored.score, scored.mention
    negative = score.sentiment.value == "negative"
    counters: dict[str, float] = {
        "n_total": 1,
        f"n_{score.sentiment.value}": 1,
        "risk_sum": score.risk,
        attribute_name("ch", mention.channel.value): 1,
        attribute_name("src", mention.source.lower()): 1,
        attribute_name("lang", score.lang): 1,
    }
    sets: dict[str, frozenset[str]] = {"authors": frozenset({author})}
    if negative:
        sets["na"] = frozenset({author})
        counters[attribute_name("cn", mention.channel.value)] = 1
    if mention.location is not None:
        if mention.location.country:
            counters[attribute_name("geo", mention.location.country)] = 1
        if mention.location.region or mention.location.city:
            place = f"{mention.location.country or ''}_{mention.location.region or mention.location.city}"
            counters[attribute_name("rg", place.lower())] = 1
    if score.story_id:
        counters[attribute_name("st", score.story_id)] = 1
        counters[attribute_name("sx", score.story_id)] = score.risk
        counters[f"{attribute_name('sc', score.story_id)}_{mention.channel.value}"] = 1
        sets[attribute_name("sa", score.story_id)] = frozenset({author})
        if negative:
            counters[attribute_name("sn", score.story_id)] = 1
    by_category: dict[str, float] = {}
    for signal in score.signals:
        by_category[signal.category] = max(by_category.get(signal.category, 0.0), signal.severity)
    for category, severity in sorted(by_category.items()):
        counters[attribute_name("sig", category)] = 1
        # weighted by severity and reach: a poisoning claim on a news site outweighs a forum grumble
        counters[attribute_name("sgw", category)] = round(severity * (0.5 + score.reach), 4)
        sets[attribute_name("sga", category)] = frozenset({author})
        counters[f"{attribute_name('sgc', category)}_{mention.channel.value}"] = 1
        if score.story_id:
            counters[f"{attribute_name('sk', score.story_id)}_{attribute_name('c', category)[2:]}"] = 1
    entry = high_reach_entry(scored)
    if entry is not None:
        sets["hr"] = frozenset({entry})
    listed = ListingEntry(
        mention.id,
        listing_time(bucket_time(scored)),
        score.sentiment.value,
        mention.source,
        mention.channel.value,
        score.lang,
        score.story_id or "",
        tuple(sorted(by_category)),
    )
    return AggregateContribution(
        tenant_id=mention.tenant_id,
        minute=minute_key(bucket_time(scored)),
        mention_ids=frozenset({mention.id}),
        counters=counters,
        sets=sets,
        listed=(listed,),
    )


def merge_contributions(contributions: Iterable[AggregateContribution]) -> list[AggregateContribution]:
    """A batch's partial aggregates: one per tenant-minute, counters summed, sets joined."""
    merged: dict[tuple[str, str], AggregateContribution] = {}
    for item in contributions:
        key = (item.tenant_id, item.minute)
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
        merged[key] = current.model_copy(
            update={
                "counters": counters,
                "sets": sets,
                "mention_ids": current.mention_ids | item.mention_ids,
                "listed": current.listed + item.listed,
            }
        )
    return list(merged.values())
