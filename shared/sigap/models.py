"""The domain model shared by every function: tenants, mentions and their scores.

Every model defers building its validator to first use (defer_build): importing this module for `sigap score`
or a cold start then costs milliseconds instead of ~120 ms of schema building for models never used.

Mentions arrive from many tools with many shapes; `MentionIn` is the one shape Sigap accepts, and everything
downstream works on `Mention` (what was received) and `ScoredMention` (what is stored).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl, field_validator

from sigap.kinds import TENANT_ID_PATTERN, ChannelKind, Sentiment, StackMode

MENTION_ID_PATTERN = r"^[A-Za-z0-9._:@/+=-]{1,128}$"
MAX_TEXT_CHARS = 20_000
MAX_MENTIONS_PER_REQUEST = 500


def utc_now() -> datetime:
    return datetime.now(UTC)


def _as_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_as_utc)]
TenantId = Annotated[str, Field(pattern=TENANT_ID_PATTERN, description="Tenant (brand) slug")]


class Tenant(BaseModel):
    """One brand. A single-brand stack holds one; an agency stack holds many."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    tenant_id: TenantId
    display_name: str = Field(min_length=1, max_length=200)
    api_key_hash: str = Field(min_length=64, max_length=64)
    created_at: UtcDatetime


class Author(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    handle: str | None = Field(default=None, max_length=256, description="Author's handle, e-mail or name")
    followers: int | None = Field(default=None, ge=0, description="Author's audience size, if known")
    verified: bool = False


class Engagement(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    likes: int = Field(default=0, ge=0)
    shares: int = Field(default=0, ge=0)
    comments: int = Field(default=0, ge=0)


class MentionIn(BaseModel):
    """A mention as a client sends it to `POST /v1/tenants/{tenant}/mentions`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    id: str = Field(pattern=MENTION_ID_PATTERN, description="The source's stable id for this mention")
    source: str = Field(min_length=1, max_length=100, description="Tool or feed that produced it")
    channel: ChannelKind = ChannelKind.OTHER
    url: HttpUrl | None = None
    author: Author = Field(default_factory=Author)
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$", description="ISO 639 code, if known")
    created_at: UtcDatetime = Field(description="When the mention was published (ISO 8601 with offset)")
    engagement: Engagement = Field(default_factory=Engagement)
    raw: dict[str, Any] | None = Field(default=None, description="The source's original payload, kept as is")

    @field_validator("text")
    @classmethod
    def _text_is_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be blank")
        return value


class MentionBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    mentions: list[MentionIn] = Field(min_length=1, max_length=MAX_MENTIONS_PER_REQUEST)


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
    lang: str
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


__all__ = ["TENANT_ID_PATTERN", "ChannelKind", "Sentiment", "StackMode"]
