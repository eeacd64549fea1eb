"""A feed source: the feed a tenant follows, how often it is read, and what the last reads left behind (validators
for the next conditional GET, failures in a row, when it is read next). Pure: no AWS, no HTTP.

A feed is read every `poll_minutes`; after a failure the wait doubles with each failure in a row (up to a day),
and a publisher's Retry-After is honoured, so a broken or rate-limiting site is not hammered every minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sigap.kernel.models import MAX_FOLLOWERS

MIN_POLL_MINUTES = 5
MAX_POLL_MINUTES = 1440
MAX_BACKOFF = timedelta(days=1)
MAX_FEED_URL_CHARS = 2048
# How long a read handed to the queue is the feed's own: the scheduler asks again only after this, should the
# read never report back (a crashed function; the message in the DLQ).
READ_LEASE = timedelta(minutes=30)


class FeedIn(BaseModel):
    """The feed a source follows."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True, defer_build=True)

    url: str = Field(max_length=MAX_FEED_URL_CHARS, description="The feed's address (RSS, Atom or JSON Feed), https://")
    poll_minutes: int = Field(
        default=15, ge=MIN_POLL_MINUTES, le=MAX_POLL_MINUTES, description="How often it is read (5 to 1440)"
    )
    backfill_hours: int = Field(
        default=24,
        ge=0,
        le=24 * 30,
        description="Items published up to this long before the source was registered are taken on its first "
        "read; older ones are counted as filtered (a feed's first read would bring months of old posts)",
    )

    audience: int | None = Field(
        default=None,
        ge=0,
        le=MAX_FOLLOWERS,
        description="The outlet's audience (readers, subscribers), as each item's reach: a feed says nothing of it, "
        "and a national news site reaches more than the channel's typical audience (unknown: the typical one)",
    )
    verified: bool = Field(default=False, description="An established outlet: its items weigh as a verified author's")

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError("must be an https:// address with a host name")
        if parts.username or parts.password:
            raise ValueError("must not carry a user name or password")
        return value


class FeedStatus(StrEnum):
    PENDING = "pending"  # not read yet
    OK = "ok"  # the last read succeeded
    FAILING = "failing"  # the last read failed: see the source's last error


class FeedState(BaseModel):
    """What the reads of a feed left behind."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    etag: str | None = None
    last_modified: str | None = None
    last_read_at: datetime | None = None
    last_status: int | None = None  # the HTTP status of the last answer (none: no answer)
    failures: int = 0  # failed reads in a row
    next_read_at: datetime | None = None
    # The item ids the last read found: the next read skips them instead of claiming each again.
    seen: list[str] = Field(default_factory=list)

    @property
    def status(self) -> FeedStatus:
        if self.last_read_at is None:
            return FeedStatus.PENDING
        return FeedStatus.FAILING if self.failures else FeedStatus.OK


class FeedView(FeedIn):
    """A feed source's feed as the API shows it: what it follows and how its reads go."""

    status: FeedStatus
    last_read_at: datetime | None
    last_status: int | None
    failures: int
    next_read_at: datetime | None


def view_of_feed(feed: FeedIn, state: FeedState) -> FeedView:
    return FeedView(
        **feed.model_dump(),
        status=state.status,
        last_read_at=state.last_read_at,
        last_status=state.last_status,
        failures=state.failures,
        next_read_at=state.next_read_at,
    )


@dataclass(frozen=True)
class ReadResult:
    """How one read of a feed went, as the next read needs it."""

    at: datetime
    status: int | None
    succeeded: bool
    etag: str | None = None
    last_modified: str | None = None
    retry_after: timedelta | None = None


def after_read(feed: FeedIn, state: FeedState, result: ReadResult) -> FeedState:
    """The state a read leaves: on success its validators and the next read a period later; on failure the
    validators kept and a wait doubling with each failure in a row (a Retry-After longer than that wins)."""
    period = timedelta(minutes=feed.poll_minutes)
    if result.succeeded:
        fresh = result.status != 304  # a full answer's validators replace the old ones, even by none
        return state.model_copy(
            update={
                "etag": result.etag if fresh or result.etag is not None else state.etag,
                "last_modified": result.last_modified
                if fresh or result.last_modified is not None
                else state.last_modified,
                "last_read_at": result.at,
                "last_status": result.status,
                "failures": 0,
                "next_read_at": result.at + period,
            }
        )
    failures = state.failures + 1
    wait = min(period * 2 ** min(failures - 1, 16), MAX_BACKOFF)
    if result.retry_after is not None:
        wait = max(wait, min(result.retry_after, MAX_BACKOFF))
    return state.model_copy(
        update={
            "last_read_at": result.at,
            "last_status": result.status,
            "failures": failures,
            "next_read_at": result.at + wait,
        }
    )
