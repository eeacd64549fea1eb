"""What detection and the reading API see of the aggregates: one tenant's minute, merged across shards
(`MinuteCounts`, its stories as `StoryMinute`), a window of minutes, and the sentiment summary of a window.

Pure logic: `decode_item` reads the attributes `aggregates.contribution_for` wrote back into counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sigap.kernel.aggregates import attribute_name
from sigap.kernel.sketch import EMPTY, AuthorSketch


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
    authors: AuthorSketch = EMPTY
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
    authors: AuthorSketch = EMPTY
    negative_authors: AuthorSketch = EMPTY
    signals: dict[str, int] = Field(default_factory=dict, description="Mentions per crisis-signal category")
    signal_weight: dict[str, float] = Field(default_factory=dict, description="Severity x reach per category")
    signal_authors: dict[str, AuthorSketch] = Field(default_factory=dict)
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
        authors: list[AuthorSketch] = []
        negative_authors: list[AuthorSketch] = []
        high_reach: set[str] = set()
        tallies: dict[str, dict[str, float]] = {name: {} for name in _TALLIES}
        signal_authors: dict[str, list[AuthorSketch]] = {}
        signal_channels: dict[str, dict[str, float]] = {}
        story_parts: dict[str, list[StoryMinute]] = {}
        for part in parts:
            for name in counts:
                counts[name] += getattr(part, name)
            risk_sum += part.risk_sum
            authors.append(part.authors)
            negative_authors.append(part.negative_authors)
            high_reach |= part.high_reach
            for name, into in tallies.items():
                _add_counts(into, getattr(part, name))
            for category, members in part.signal_authors.items():
                signal_authors.setdefault(category, []).append(members)
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
            authors=AuthorSketch.union(authors),
            negative_authors=AuthorSketch.union(negative_authors),
            high_reach=frozenset(high_reach),
            signal_authors={category: AuthorSketch.union(members) for category, members in signal_authors.items()},
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
    for piece in pieces:
        _add_counts(channels, piece.channels)
        _add_counts(signals, piece.signals)
    return StoryMinute(
        mentions=sum(piece.mentions for piece in pieces),
        authors=AuthorSketch.union(piece.authors for piece in pieces),
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


# What an aggregate item's attribute holds: a counter, the high-reach entries ('hr'), or an author sketch (older
# items hold authors as string sets of hex keys; they decode to exact sketches).
Stored = float | frozenset[str] | AuthorSketch


def decode_item(minute: str, attributes: Mapping[str, Stored]) -> MinuteCounts:
    """One stored aggregate item (attribute name → number or string set) as typed counts: the inverse of the
    names `contribution_for` writes, kept beside it so the naming lives in one module."""
    counts: dict[str, int] = {}
    risk_sum = 0.0
    sketches: dict[str, AuthorSketch] = {}
    high_reach: frozenset[str] = frozenset()
    tallies: dict[str, dict[str, float]] = {name: {} for name in _TALLIES}
    signal_authors: dict[str, AuthorSketch] = {}
    story_fields: dict[str, dict[str, float]] = {}
    story_authors: dict[str, AuthorSketch] = {}
    story_channels: dict[str, dict[str, int]] = {}
    story_signals: dict[str, dict[str, int]] = {}
    signal_channels: dict[str, dict[str, int]] = {}
    for name, value in attributes.items():
        if name == "hr" and isinstance(value, frozenset):
            high_reach = value
            continue
        if isinstance(value, (frozenset, AuthorSketch)):
            sketch = value if isinstance(value, AuthorSketch) else AuthorSketch.of_hex(value)
            if name.startswith("sa_"):
                story_authors[story_id_of(name)] = sketch
            elif name.startswith("sga_"):
                signal_authors[name.removeprefix("sga_")] = sketch
            else:
                sketches[name] = sketch
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
            authors=story_authors.get(story_id, EMPTY),
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
        authors=sketches.get("authors", EMPTY),
        negative_authors=sketches.get("na", EMPTY),
        high_reach=high_reach,
        signal_authors=signal_authors,
        signal_channels=signal_channels,
        stories=stories,
        **counts,
        **whole,
    )


def encode_counts(counts: MinuteCounts) -> dict[str, Stored]:
    """The attributes that `decode_item` reads back as these counts: how a roll-up (a minute's or an hour's
    partial aggregates merged) is stored in the same shape as what the scoring function writes."""
    stored: dict[str, Stored] = {name: float(getattr(counts, field)) for name, field in _COUNTERS.items()}
    stored["risk_sum"] = counts.risk_sum
    for name, sketch in (("authors", counts.authors), ("na", counts.negative_authors)):
        if sketch:
            stored[name] = sketch
    if counts.high_reach:
        stored["hr"] = counts.high_reach
    for prefix, tally in _TALLY_PREFIXES.items():
        stored.update({f"{prefix}{key}": float(value) for key, value in getattr(counts, tally).items()})
    for category, channels in counts.signal_channels.items():
        stored.update({f"sgc_{category}_{channel}": float(n) for channel, n in channels.items()})
    stored.update({f"sga_{category}": sketch for category, sketch in counts.signal_authors.items() if sketch})
    for story_id, story in counts.stories.items():
        part = attribute_name("st", story_id)[3:]
        stored[f"st_{part}"] = float(story.mentions)
        stored[f"sn_{part}"] = float(story.negative)
        stored[f"sx_{part}"] = story.risk_sum
        if story.authors:
            stored[f"sa_{part}"] = story.authors
        stored.update({f"sc_{part}_{channel}": float(n) for channel, n in story.channels.items()})
        stored.update({f"sk_{part}_{category}": float(n) for category, n in story.signals.items()})
    return {name: value for name, value in stored.items() if value != 0.0}


# A roll-up keeps this much of a minute's or an hour's long tails, so no item nears DynamoDB's 400 KB however many
# stories, places or sources a viral minute brings: the totals stay whole; only the smallest entries go.
ROLLED_STORIES = 100
ROLLED_TALLY = 200
ROLLED_HIGH_REACH = 50


def bounded(counts: MinuteCounts) -> MinuteCounts:
    """The counts with their long tails cut: the stories with most mentions, the largest entries of each tally,
    and the riskiest high-reach entries (an entry starts with its risk)."""

    def largest(tally: Mapping[str, float], keep: int) -> dict[str, Any]:
        if len(tally) <= keep:
            return dict(tally)
        return dict(sorted(tally.items(), key=lambda pair: (-pair[1], pair[0]))[:keep])

    stories = counts.stories
    if len(stories) > ROLLED_STORIES:
        ranked = sorted(stories.items(), key=lambda pair: (-pair[1].mentions, pair[0]))[:ROLLED_STORIES]
        stories = dict(ranked)
    changes: dict[str, Any] = {name: largest(getattr(counts, name), ROLLED_TALLY) for name in _TALLIES}
    return counts.model_copy(
        update=changes
        | {
            "stories": stories,
            "high_reach": frozenset(sorted(counts.high_reach, reverse=True)[:ROLLED_HIGH_REACH]),
        }
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
        # an estimate past 128 authors, but never more people than posts
        distinct_authors=min(len(total.authors), total.total),
        mean_risk=round(total.risk_sum / total.total, 4) if total.total else 0.0,
        signals=dict(sorted(total.signals.items())),
        top_stories=[
            StoryCount(
                story_id=story_id, mentions=part.mentions, distinct_authors=min(len(part.authors), part.mentions)
            )
            for story_id, part in ranked
        ],
    )
