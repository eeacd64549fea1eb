"""Sigap's enumerations and identifier patterns, free of pydantic so light entry points (`sigap score`) can use
them without importing it."""

from __future__ import annotations

from enum import StrEnum

TENANT_ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$"


class SourceChannel(StrEnum):
    """Where a mention came from (inbound). Where a notification goes is `sigap.outbound` (ChannelType)."""

    SOCIAL = "social"
    NEWS = "news"
    BLOG = "blog"
    FORUM = "forum"
    REVIEW = "review"
    EMAIL = "email"
    TICKET = "ticket"
    OTHER = "other"


class Sentiment(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class StackMode(StrEnum):
    SINGLE = "single"
    MULTI = "multi"
