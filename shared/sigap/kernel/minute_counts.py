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
