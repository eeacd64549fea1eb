"""Query logic: resolving time windows and paging through a tenant's mentions and aggregates."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel

from sigap.aggregates import SentimentSummary, summarise
from sigap.dal.mentions import MentionPage
from sigap.models import ScoredMention, Sentiment

DEFAULT_LIST_WINDOW = timedelta(days=7)
DEFAULT_SUMMARY_WINDOW = timedelta(hours=24)
MAX_WINDOW = timedelta(days=92)


class WindowError(ValueError):
    pass


class MentionReader(Protocol):
    def list_newest_first(
        self,
        tenant_id: str,
        *,
        since: datetime,
        until: datetime,
        limit: int,
        sentiment: Sentiment | None = None,
        cursor: str | None = None,
    ) -> MentionPage: ...


class AggregateReader(Protocol):
    def minutes(self, tenant_id: str, since: datetime, until: datetime) -> list[dict[str, object]]: ...


class MentionList(BaseModel):
    items: list[ScoredMention]
    next_cursor: str | None
    since: datetime
    until: datetime


def resolve_window(
    since: datetime | None, until: datetime | None, *, default: timedelta, now: datetime
) -> tuple[datetime, datetime]:
    end = until or now
    start = since or end - default
    if start > end:
        raise WindowError("since must be before until")
    if end - start > MAX_WINDOW:
        raise WindowError(f"the window may span at most {MAX_WINDOW.days} days")
    return start, end


def list_mentions(
    reader: MentionReader,
    tenant_id: str,
    *,
    since: datetime | None,
    until: datetime | None,
    sentiment: Sentiment | None,
    limit: int,
    cursor: str | None,
    now: datetime,
) -> MentionList:
    start, end = resolve_window(since, until, default=DEFAULT_LIST_WINDOW, now=now)
    page = reader.list_newest_first(tenant_id, since=start, until=end, limit=limit, sentiment=sentiment, cursor=cursor)
    return MentionList(items=page.items, next_cursor=page.next_cursor, since=start, until=end)


def sentiment_summary(
    reader: AggregateReader, tenant_id: str, *, since: datetime | None, until: datetime | None, now: datetime
) -> SentimentSummary:
    start, end = resolve_window(since, until, default=DEFAULT_SUMMARY_WINDOW, now=now)
    return summarise(reader.minutes(tenant_id, start, end), start, end)
