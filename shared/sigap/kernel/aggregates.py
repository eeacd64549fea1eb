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
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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


def contribution_for(scored: ScoredMention, shards: int) -> AggregateContribution:
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
    return AggregateContribution(
        tenant_id=mention.tenant_id,
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
    """One story's share of a minute: its mentions, the (hashed) authors who posted them, how many were
    negative, their summed risk and the channels they came through."""

    model_config = ConfigDict(frozen=True)

    mentions: int = 0
    authors: frozenset[str] = frozenset()
    negative: int = 0
    risk_sum: float = 0.0
    channels: dict[str, int] = Field(default_factory=dict)
    signals: dict[str, int] = Field(default_factory=dict, description="Copies per crisis-signal category")


def _add_counts(into: dict[str, float], more: Mapping[str, float]) -> None:
    for name, amount in more.items():
        into[name] = into.get(name, 0) + amount


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
    negative_authors: frozenset[str] = frozenset()
    signals: dict[str, int] = Field(default_factory=dict, description="Mentions per crisis-signal category")
    signal_weight: dict[str, float] = Field(default_factory=dict, description="Severity x reach per category")
    signal_authors: dict[str, frozenset[str]] = Field(default_factory=dict)
    stories: dict[str, StoryMinute] = Field(default_factory=dict, description="By story id")
    channels: dict[str, int] = Field(default_factory=dict)
    negative_channels: dict[str, int] = Field(default_factory=dict, description="Negative mentions per channel")
    signal_channels: dict[str, dict[str, int]] = Field(default_factory=dict, description="Category → channel → n")
    sources: dict[str, int] = Field(default_factory=dict)
    languages: dict[str, int] = Field(default_factory=dict)
    countries: dict[str, int] = Field(default_factory=dict)
    regions: dict[str, int] = Field(default_factory=dict)
    high_reach: frozenset[str] = Field(default=frozenset(), description="See aggregates.high_reach_entry")

    @classmethod
    def sum_of(cls, minute: str, parts: Iterable[MinuteCounts]) -> MinuteCounts:
        """The parts added up (one minute's shards, or a window's minutes): counters summed, author sets
        joined, in one pass, so a day of minutes with many stories is not copied minute after minute."""
        counts = {"total": 0, "negative": 0, "neutral": 0, "positive": 0}
        risk_sum = 0.0
        authors: set[str] = set()
        negative_authors: set[str] = set()
        high_reach: set[str] = set()
        tallies: dict[str, dict[str, float]] = {name: {} for name in _TALLIES}
        signal_authors: dict[str, set[str]] = {}
        signal_channels: dict[str, dict[str, float]] = {}
        story_parts: dict[str, list[StoryMinute]] = {}
        for part in parts:
            for name in counts:
                counts[name] += getattr(part, name)
            risk_sum += part.risk_sum
            authors |= part.authors
            negative_authors |= part.negative_authors
            high_reach |= part.high_reach
            for name, into in tallies.items():
                _add_counts(into, getattr(part, name))
            for category, members in part.signal_authors.items():
                signal_authors.setdefault(category, set()).update(members)
            _add_nested(signal_channels, part.signal_channels)
            for story_id, story in part.stories.items():
                story_parts.setdefault(story_id, []).append(story)
        stories = {story_id: _story_sum(pieces) for story_id, pieces in story_parts.items()}
        whole: dict[str, dict[str, Any]] = {
            name: {key: round(value) for key, value in into.items()} for name, into in tallies.items()
        }
        whole["signal_weight"] = {key: round(value, 4) for key, value in tallies["signal_weight"].items()}
        return cls(
            minute=minute,
            risk_sum=risk_sum,
            authors=frozenset(authors),
            negative_authors=frozenset(negative_authors),
            high_reach=frozenset(high_reach),
            signal_authors={category: frozenset(members) for category, members in signal_authors.items()},
            signal_channels=_whole(signal_channels),
            stories=stories,
            **counts,
            **whole,
        )


_TALLIES = (
    "signals",
    "signal_weight",
    "channels",
    "negative_channels",
    "sources",
    "languages",
    "countries",
    "regions",
)


def _add_nested(into: dict[str, dict[str, float]], more: Mapping[str, Mapping[str, float]]) -> None:
    for name, counts in more.items():
        _add_counts(into.setdefault(name, {}), counts)


def _whole(nested: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, int]]:
    return {name: {key: round(value) for key, value in counts.items()} for name, counts in nested.items()}


def _story_sum(pieces: list[StoryMinute]) -> StoryMinute:
    if len(pieces) == 1:
        return pieces[0]
    channels: dict[str, float] = {}
    signals: dict[str, float] = {}
    authors: set[str] = set()
    for piece in pieces:
        _add_counts(channels, piece.channels)
        _add_counts(signals, piece.signals)
        authors |= piece.authors
    return StoryMinute(
        mentions=sum(piece.mentions for piece in pieces),
        authors=frozenset(authors),
        negative=sum(piece.negative for piece in pieces),
        risk_sum=sum(piece.risk_sum for piece in pieces),
        channels={name: round(value) for name, value in channels.items()},
        signals={name: round(value) for name, value in signals.items()},
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
    return attribute[3:].replace("_", "-", 1)


# Counter prefixes (attribute name 'prefix_value') → MinuteCounts tally they fill.
_TALLY_PREFIXES = {
    "sig_": "signals",
    "sgw_": "signal_weight",
    "ch_": "channels",
    "cn_": "negative_channels",
    "src_": "sources",
    "lang_": "languages",
    "geo_": "countries",
    "rg_": "regions",
}
_STORY_COUNTERS = {"st_": "mentions", "sn_": "negative", "sx_": "risk_sum"}
_STORY_PART = re.compile(r"s_[0-9a-zA-Z]+")  # a story id as an attribute name: 's-' and hex became 's_' and hex


def decode_item(minute: str, attributes: Mapping[str, float | frozenset[str]]) -> MinuteCounts:
    """One stored aggregate item (attribute name → number or string set) as typed counts: the inverse of the
    names `contribution_for` writes, kept beside it so the naming lives in one module."""
    counts: dict[str, int] = {}
    risk_sum = 0.0
    sets: dict[str, frozenset[str]] = {}
    tallies: dict[str, dict[str, float]] = {name: {} for name in _TALLIES}
    signal_authors: dict[str, frozenset[str]] = {}
    story_fields: dict[str, dict[str, float]] = {}
    story_authors: dict[str, frozenset[str]] = {}
    story_channels: dict[str, dict[str, int]] = {}
    story_signals: dict[str, dict[str, int]] = {}
    signal_channels: dict[str, dict[str, int]] = {}
    for name, value in attributes.items():
        if isinstance(value, frozenset):
            if name.startswith("sa_"):
                story_authors[story_id_of(name)] = value
            elif name.startswith("sga_"):
                signal_authors[name.removeprefix("sga_")] = value
            else:
                sets[name] = value
            continue
        if name in _COUNTERS:
            counts[_COUNTERS[name]] = round(value)
        elif name == "risk_sum":
            risk_sum = float(value)
        elif name.startswith("sc_"):
            story, _, channel = name.rpartition("_")
            story_channels.setdefault(story_id_of(story), {})[channel] = round(value)
        elif name.startswith("sgc_"):
            category, _, channel = name.removeprefix("sgc_").rpartition("_")
            signal_channels.setdefault(category, {})[channel] = round(value)
        elif name.startswith("sk_") and (found := _STORY_PART.match(name, 3)):
            category = name[found.end() + 1 :]
            story_signals.setdefault(story_id_of("sk_" + found.group()), {})[category] = round(value)
        elif name[:3] in _STORY_COUNTERS:
            story_fields.setdefault(story_id_of(name), {})[_STORY_COUNTERS[name[:3]]] = value
        else:
            prefix = name[: name.find("_") + 1]
            if prefix in _TALLY_PREFIXES:
                tallies[_TALLY_PREFIXES[prefix]][name[len(prefix) :]] = value
    stories = {
        story_id: StoryMinute(
            mentions=round(story_fields.get(story_id, {}).get("mentions", 0)),
            negative=round(story_fields.get(story_id, {}).get("negative", 0)),
            risk_sum=story_fields.get(story_id, {}).get("risk_sum", 0.0),
            authors=story_authors.get(story_id, frozenset()),
            channels=story_channels.get(story_id, {}),
            signals=story_signals.get(story_id, {}),
        )
        for story_id in sorted(story_fields.keys() | story_authors.keys())  # sorted: the same order every run
    }
    whole: dict[str, dict[str, Any]] = {
        name: {key: round(value) for key, value in into.items()} for name, into in tallies.items()
    }
    whole["signal_weight"] = dict(tallies["signal_weight"])
    return MinuteCounts(
        minute=minute,
        risk_sum=risk_sum,
        authors=sets.get("authors", frozenset()),
        negative_authors=sets.get("na", frozenset()),
        high_reach=sets.get("hr", frozenset()),
        signal_authors=signal_authors,
        signal_channels=signal_channels,
        stories=stories,
        **counts,
        **whole,
    )


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
