"""The domain model shared by every function: tenants, mentions and their scores.

Every model defers building its validator to first use (defer_build): importing this module for `sigap score`
or a cold start then costs milliseconds instead of ~120 ms of schema building for models never used.

Mentions arrive from many tools with many shapes; `MentionIn` is the one shape Sigap accepts, and everything
downstream works on `Mention` (what was received) and `ScoredMention` (what is stored).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    StrictBool,
    StrictInt,
    ValidationError,
    field_validator,
)

from sigap.kernel.kinds import TENANT_ID_PATTERN, Sentiment, SourceChannel, StackMode

MENTION_ID_PATTERN = r"^[A-Za-z0-9._:@/+=-]{1,128}$"
# A story (near-duplicate copies of one text) is named by scoring: "s-" and 12 hex digits of a hash.
STORY_ID_PATTERN = r"^s-[0-9a-f]{12}$"
_STORY_ID = re.compile(STORY_ID_PATTERN)


def story_id_of(tenant_id: str, seed: str) -> str:
    """A story named from its tenant and a seed (stories: the smallest band key of the copies that start it), so
    the same copies name the same story on every retry and in every racing batch."""
    return "s-" + hashlib.blake2b(f"{tenant_id}\x00{seed}".encode(), digest_size=8).hexdigest()[:12]


def is_story_id(value: str) -> bool:
    """Whether an alert's subject names a story (else a signal category or the brand)."""
    return _STORY_ID.match(value) is not None


MAX_TEXT_CHARS = 20_000
MAX_MENTIONS_PER_REQUEST = 500
# What Sigap accepts as a publication time: nothing it monitors predates 2000, and a clock may run a day ahead.
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
MAX_CLOCK_SKEW = timedelta(days=1)
# More than anyone's audience (the world has ~8 billion people) and any post's engagement: larger is an error.
MAX_FOLLOWERS = 10**10
MAX_ENGAGEMENT = 10**12


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """The same instant in UTC; an offset that pushes it past year 1 or 9999 is a validation error, not a 5xx."""
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("is outside the range of dates Sigap can store") from exc


def _iso_text(value: object) -> object:
    # Lenient parsing would read 0 or 1.7e9 as a Unix time and accept 1970 as if it meant something.
    if not isinstance(value, str | datetime):
        raise ValueError("must be an ISO 8601 date-time string with a UTC offset, e.g. 2026-11-22T10:00:00+07:00")
    return value


def _plausible_time(value: datetime) -> datetime:
    if value < EARLIEST_TIME:
        raise ValueError(f"is before {EARLIEST_TIME:%Y-%m-%d}; Sigap does not store older mentions")
    if value > utc_now() + MAX_CLOCK_SKEW:
        raise ValueError("is more than a day in the future")
    return value


UtcDatetime = Annotated[AwareDatetime, AfterValidator(as_utc)]
PublishedAt = Annotated[
    AwareDatetime, BeforeValidator(_iso_text), AfterValidator(as_utc), AfterValidator(_plausible_time)
]
TenantId = Annotated[str, Field(pattern=TENANT_ID_PATTERN, description="Tenant (brand) slug")]


class TenantKind(StrEnum):
    BRAND = "brand"
    AGENCY = "agency"  # manages client brands; its people and keys act on them


class TenantStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # its keys, people and webhooks are refused, its feeds unread, until resumed
    DELETED = "deleted"  # a tombstone: its id is never given again, so nobody can reach what it left behind


class Quotas(BaseModel):
    """Limits an agency sets on a client (None: no limit)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    mentions_per_day: StrictInt | None = Field(default=None, ge=1, le=100_000_000)
    sources: StrictInt | None = Field(default=None, ge=0, le=1_000)


@dataclass(frozen=True)
class Held:
    """What a door's batch holds of its client's daily quota: taken now, or found `resumed`, held by an earlier
    attempt at the same batch that never settled (its process died, or it failed and is being retried)."""

    count: int
    resumed: bool = False


class Tenant(BaseModel):
    """One brand, or an agency. A single-brand stack holds one brand; a multi-brand stack holds many, and an
    agency's clients name it."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    tenant_id: TenantId
    display_name: str = Field(min_length=1, max_length=200)
    api_key_hash: str = Field(min_length=64, max_length=64)
    created_at: UtcDatetime
    kind: TenantKind = TenantKind.BRAND
    agency: str | None = Field(default=None, description="The agency managing this brand, if any")
    status: TenantStatus = TenantStatus.ACTIVE
    quotas: Quotas = Field(default_factory=Quotas)


class Author(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    handle: str | None = Field(default=None, max_length=256, description="Author's handle, e-mail or name")
    followers: StrictInt | None = Field(
        default=None, ge=0, le=MAX_FOLLOWERS, description="Author's audience size, if known (a whole number)"
    )
    verified: StrictBool = False


def _exact_id(value: object) -> object:
    # An id is a key: stripping " a" to "a" would make two of the source's ids one, or answer with another id.
    if isinstance(value, str) and value != value.strip():
        raise ValueError("must not start or end with white space")
    return value


def _author_shape(value: object) -> object:
    # External tools send the author as an object or as a bare handle; both mean the same.
    return {"handle": value} if isinstance(value, str) else value


class Engagement(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    likes: StrictInt = Field(default=0, ge=0, le=MAX_ENGAGEMENT)
    shares: StrictInt = Field(default=0, ge=0, le=MAX_ENGAGEMENT)
    comments: StrictInt = Field(default=0, ge=0, le=MAX_ENGAGEMENT)


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


class Location(BaseModel):
    """Where a mention comes from, as far as its source says: scope (local, national, global) is judged on it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    country: Annotated[str, BeforeValidator(_upper)] | None = Field(
        default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code, e.g. ID"
    )
    region: str | None = Field(default=None, min_length=1, max_length=100, description="Province or state")
    city: str | None = Field(default=None, min_length=1, max_length=100)


class MentionIn(BaseModel):
    """A mention as a client sends it to `POST /v1/tenants/{tenant}/mentions`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    id: Annotated[str, BeforeValidator(_exact_id)] = Field(
        pattern=MENTION_ID_PATTERN, description="The source's stable id for this mention, exactly as sent"
    )
    source: str = Field(min_length=1, max_length=100, description="Tool or feed that produced it")
    channel: SourceChannel = SourceChannel.OTHER
    url: HttpUrl | None = None
    author: Annotated[Author, BeforeValidator(_author_shape)] = Field(
        default_factory=Author, description="The author as an object, or just the handle as a string"
    )
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$", description="ISO 639 code, if known")
    created_at: PublishedAt = Field(
        description="When the mention was published: ISO 8601 with a UTC offset, from 2000 to a day from now"
    )
    engagement: Engagement = Field(default_factory=Engagement)
    location: Location | None = Field(default=None, description="Where it was posted from, if the source knows")
    raw: dict[str, Any] | None = Field(default=None, description="The source's original payload, kept as is")

    @field_validator("text")
    @classmethod
    def _text_is_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be blank")
        return value


MentionList = Annotated[list[MentionIn], Field(min_length=1, max_length=MAX_MENTIONS_PER_REQUEST)]


class MentionBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    mentions: MentionList


class Mention(MentionIn):
    """A mention Sigap accepted for a tenant: what travels on the scoring queue."""

    tenant_id: TenantId
    received_at: UtcDatetime


class Signal(BaseModel):
    """A crisis signal found in a mention's text."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    category: str
    severity: float = Field(ge=0, le=1)
    evidence: str


class Score(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    sentiment: Sentiment
    polarity: float = Field(ge=-1, le=1, description="P(positive) - P(negative)")
    confidence: float = Field(ge=0, le=1, default=1.0, description="Probability of the chosen sentiment")
    lang: str = Field(description="Identified language: id, en, ms (Malay), jv (Javanese), su (Sundanese) or other")
    risk: float = Field(ge=0, le=1)
    reach: float = Field(ge=0, le=1, default=0.0)
    signals: list[Signal] = Field(default_factory=list)
    story_id: str | None = None
    top_factors: list[str] = Field(default_factory=list)
    scorer: str


class ScoredMention(BaseModel):
    model_config = ConfigDict(defer_build=True)

    mention: Mention
    score: Score
    scored_at: UtcDatetime


def problems_of(exc: ValidationError) -> str:
    """A validation error as one line naming each field: 'mentions.0.created_at: Input should be...'."""
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'body'}: {error['msg']}" for error in exc.errors()
    )


__all__ = ["TENANT_ID_PATTERN", "Sentiment", "SourceChannel", "StackMode"]
