"""Query logic: resolving time windows and paging through a tenant's mentions and aggregates.

Every instant is turned into UTC before anything is keyed on it (`2026-11-22T10:00+07:00` and `03:00Z` are
the same window). A page's cursor is the listing position, signed with a key only the stack knows and bound to
the tenant, so a cursor that was altered, made up or issued to another tenant is a 400, never a storage error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from sigap.kernel.errors import InvalidCursorError, NotFoundError
from sigap.kernel.kinds import SourceChannel
from sigap.kernel.minute_counts import AggregateWindow, SentimentSummary, summarise
from sigap.kernel.models import Mention, Score, ScoredMention, Sentiment, Tenant, UtcDatetime
from sigap.kernel.paging import INVALID_CURSOR, read_parts, sign_parts
from sigap.kernel.windows import resolve_window
from sigap.mentions.claiming import MentionState

DEFAULT_LIST_WINDOW = timedelta(days=7)
DEFAULT_SUMMARY_WINDOW = timedelta(hours=24)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LISTING = "mentions"


@dataclass(frozen=True)
class ListPosition:
    """Where a page of the newest-first listing ended: the UTC day bucket and the last mention in it."""

    day: str
    mention_id: str
    sort_key: str


class MentionFilter(BaseModel):
    """What a listing keeps: every field given must match (all of them, not any)."""

    model_config = ConfigDict(frozen=True)

    sentiment: Sentiment | None = None
    source: str | None = None
    channel: SourceChannel | None = None
    story: str | None = None
    language: str | None = None
    signal: str | None = None


@dataclass(frozen=True)
class MentionPage:
    items: list[ScoredMention]
    next_position: ListPosition | None


class MentionReader(Protocol):
    def list_newest_first(
        self,
        tenant_id: str,
        *,
        since: datetime,
        until: datetime,
        limit: int,
        only: MentionFilter | None = None,
        after: ListPosition | None = None,
    ) -> MentionPage: ...


class MentionRead(BaseModel):
    """One mention as Sigap holds it: as received, and once scored its score (as in the listing)."""

    state: MentionState
    mention: Mention
    score: Score | None = None
    scored_at: UtcDatetime | None = None


class MentionLookup(Protocol):
    def lookup(self, tenant_id: str, mention_id: str) -> MentionRead | None: ...


def read_mention(store: MentionLookup, tenant: Tenant, mention_id: str) -> MentionRead:
    """The tenant's mention with exactly this id (as the source sent it); NotFoundError if it has none."""
    found = store.lookup(tenant.tenant_id, mention_id)
    if found is None:
        raise NotFoundError(f"no mention {mention_id!r} (ids are matched exactly as they were sent)")
    return found


class AggregateReader(Protocol):
    def window(self, tenant_id: str, since: datetime, until: datetime, *, hourly: bool = False) -> AggregateWindow:
        """`hourly`: a rolled-up whole hour may come as one entry (a summary needs no minutes)."""
        ...


class MentionList(BaseModel):
    items: list[ScoredMention]
    next_cursor: str | None
    since: datetime
    until: datetime


def encode_cursor(tenant: Tenant, position: ListPosition) -> str:
    return sign_parts(tenant, _LISTING, [position.day, position.mention_id, position.sort_key])


def decode_cursor(tenant: Tenant, cursor: str) -> ListPosition:
    day, mention_id, sort_key = read_parts(tenant, _LISTING, cursor, 3)
    if not _DAY.match(day):  # signed by us, so the shape we wrote, but check it
        raise InvalidCursorError(INVALID_CURSOR)
    return ListPosition(day=day, mention_id=mention_id, sort_key=sort_key)


def list_mentions(
    reader: MentionReader,
    tenant: Tenant,
    *,
    since: datetime | None,
    until: datetime | None,
    only: MentionFilter,
    limit: int,
    cursor: str | None,
    now: datetime,
) -> MentionList:
    start, end = resolve_window(since, until, default=DEFAULT_LIST_WINDOW, now=now)
    after = decode_cursor(tenant, cursor) if cursor else None
    page = reader.list_newest_first(tenant.tenant_id, since=start, until=end, limit=limit, only=only, after=after)
    next_cursor = encode_cursor(tenant, page.next_position) if page.next_position else None
    return MentionList(items=page.items, next_cursor=next_cursor, since=start, until=end)


def sentiment_summary(
    reader: AggregateReader, tenant_id: str, *, since: datetime | None, until: datetime | None, now: datetime
) -> SentimentSummary:
    start, end = resolve_window(since, until, default=DEFAULT_SUMMARY_WINDOW, now=now)
    return summarise(reader.window(tenant_id, start, end, hourly=True))
