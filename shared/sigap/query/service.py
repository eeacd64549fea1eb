"""Query logic: resolving time windows and paging through a tenant's mentions and aggregates.

Every instant is turned into UTC before anything is keyed on it (`2026-11-22T10:00+07:00` and `03:00Z` are
the same window). A page's cursor is the listing position, signed with a key only the stack knows and bound to
the tenant, so a cursor that was altered, made up or issued to another tenant is a 400, never a storage error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from pydantic import BaseModel

from sigap.aggregates import AggregateWindow, SentimentSummary, summarise
from sigap.errors import InvalidCursorError, InvalidWindowError
from sigap.models import EARLIEST_TIME, MAX_CLOCK_SKEW, ScoredMention, Sentiment, Tenant, as_utc

DEFAULT_LIST_WINDOW = timedelta(days=7)
DEFAULT_SUMMARY_WINDOW = timedelta(hours=24)
MAX_WINDOW = timedelta(days=92)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ListPosition:
    """Where a page of the newest-first listing ended: the UTC day bucket and the last mention in it."""

    day: str
    mention_id: str
    sort_key: str


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
        sentiment: Sentiment | None = None,
        after: ListPosition | None = None,
    ) -> MentionPage: ...


class AggregateReader(Protocol):
    def window(self, tenant_id: str, since: datetime, until: datetime) -> AggregateWindow: ...


class MentionList(BaseModel):
    items: list[ScoredMention]
    next_cursor: str | None
    since: datetime
    until: datetime


def _utc_in_range(value: datetime, field: str) -> datetime:
    try:
        moment = as_utc(value)
    except ValueError as exc:
        raise InvalidWindowError(f"{field} {exc}", field) from exc
    if moment < EARLIEST_TIME:
        raise InvalidWindowError(f"{field} is before {EARLIEST_TIME:%Y-%m-%d}; Sigap holds nothing older", field)
    return moment


def resolve_window(
    since: datetime | None, until: datetime | None, *, default: timedelta, now: datetime
) -> tuple[datetime, datetime]:
    """The UTC window [since, until]: until defaults to now, since to `default` before until."""
    latest = now + MAX_CLOCK_SKEW
    end = min(_utc_in_range(until, "until"), latest) if until is not None else now
    start = _utc_in_range(since, "since") if since is not None else max(end - default, EARLIEST_TIME)
    if start > end:
        raise InvalidWindowError("since must be before until", "since")
    if end - start > MAX_WINDOW:
        raise InvalidWindowError(f"the window may span at most {MAX_WINDOW.days} days", "since")
    return start, end


def _signature(tenant: Tenant, payload: bytes) -> bytes:
    # The key is the tenant's stored API-key hash: secret to the stack, different per tenant, no new resource.
    return hmac.new(f"cursor:{tenant.api_key_hash}".encode(), payload, hashlib.sha256).digest()[:16]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_INVALID_CURSOR = "the cursor is not one this API returned for this tenant; start without one"


def _signed(tenant: Tenant, payload: bytes) -> str:
    return f"{_b64(payload)}.{_b64(_signature(tenant, payload))}"


def _verified(tenant: Tenant, cursor: str) -> Any:
    """The JSON a cursor carries, if this API signed it for this tenant; else InvalidCursorError."""
    try:
        payload_text, _, signature_text = cursor.partition(".")
        payload, signature = _unb64(payload_text), _unb64(signature_text)
    except (ValueError, binascii.Error) as exc:
        raise InvalidCursorError(_INVALID_CURSOR) from exc
    if not hmac.compare_digest(signature, _signature(tenant, payload)):
        raise InvalidCursorError(_INVALID_CURSOR)
    try:
        return json.loads(payload)
    except (ValueError, TypeError) as exc:
        raise InvalidCursorError(_INVALID_CURSOR) from exc


def sign_parts(tenant: Tenant, purpose: str, parts: list[str]) -> str:
    """An opaque cursor for any listing: the parts, signed for this tenant and this listing."""
    return _signed(tenant, json.dumps([purpose, *parts], separators=(",", ":")).encode())


def read_parts(tenant: Tenant, purpose: str, cursor: str, count: int) -> list[str]:
    parts = _verified(tenant, cursor)
    if not isinstance(parts, list) or len(parts) != count + 1 or parts[0] != purpose:
        raise InvalidCursorError(_INVALID_CURSOR)
    if not all(isinstance(part, str) for part in parts):
        raise InvalidCursorError(_INVALID_CURSOR)
    return parts[1:]


def encode_cursor(tenant: Tenant, position: ListPosition) -> str:
    return _signed(
        tenant, json.dumps([position.day, position.mention_id, position.sort_key], separators=(",", ":")).encode()
    )


def decode_cursor(tenant: Tenant, cursor: str) -> ListPosition:
    parts = _verified(tenant, cursor)
    if not isinstance(parts, list) or len(parts) != 3:  # signed by us, so the shape we wrote, but check it
        raise InvalidCursorError(_INVALID_CURSOR)
    day, mention_id, sort_key = parts
    if not all(isinstance(part, str) for part in (day, mention_id, sort_key)) or not _DAY.match(day):
        raise InvalidCursorError(_INVALID_CURSOR)
    return ListPosition(day=day, mention_id=mention_id, sort_key=sort_key)


def list_mentions(
    reader: MentionReader,
    tenant: Tenant,
    *,
    since: datetime | None,
    until: datetime | None,
    sentiment: Sentiment | None,
    limit: int,
    cursor: str | None,
    now: datetime,
) -> MentionList:
    start, end = resolve_window(since, until, default=DEFAULT_LIST_WINDOW, now=now)
    after = decode_cursor(tenant, cursor) if cursor else None
    page = reader.list_newest_first(
        tenant.tenant_id, since=start, until=end, limit=limit, sentiment=sentiment, after=after
    )
    next_cursor = encode_cursor(tenant, page.next_position) if page.next_position else None
    return MentionList(items=page.items, next_cursor=next_cursor, since=start, until=end)


def sentiment_summary(
    reader: AggregateReader, tenant_id: str, *, since: datetime | None, until: datetime | None, now: datetime
) -> SentimentSummary:
    start, end = resolve_window(since, until, default=DEFAULT_SUMMARY_WINDOW, now=now)
    return summarise(reader.window(tenant_id, start, end))
