"""The feed door: one read of a feed source's feed. The feed is fetched (conditionally, safely: `feed_fetch`), its
items read (`feed_reader`), the ones the last read already brought skipped, the rest kept if they match the
source's brand query and are not older than its backfill window, and ingested as every door ingests (once per
(tenant, id)). What the read leaves (validators, failures in a row, the next read's time) is the new state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sigap.ingest.domain import DailyQuota, KnownMentions, MentionSink, accept_within_quota
from sigap.sources.domain import Source
from sigap.sources.feed_fetch import FeedAnswer, FeedFetchError
from sigap.sources.feed_reader import NotAFeedError, feed_mentions, read_feed
from sigap.sources.feeds import FeedState, ReadResult, after_read

ACCEPT_BATCH = 100
MAX_SEEN = 1000  # ids remembered from the last read (a feed rarely holds more than a few hundred items)


class FeedGetter(Protocol):
    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FeedAnswer: ...


@dataclass
class FeedRead:
    """One read's outcome: the counts for the source's health, its error if it failed, the state it leaves."""

    state: FeedState
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    filtered: int = 0
    rejected: int = 0
    refused: int = 0  # items held back past the client's daily quota (the reason in `error`)
    error: str | None = None
    not_modified: bool = False
    items: int = 0

    @property
    def succeeded(self) -> bool:
        # some items rejected or held back: the read itself worked
        return self.error is None or self.rejected > 0 or self.refused > 0


def read_source(source: Source, *, fetcher: FeedGetter, ledger: KnownMentions, sink: MentionSink,
                now: datetime, quota: DailyQuota | None) -> FeedRead:  # fmt: skip
    """Reads a feed source once. A feed that cannot be fetched or read is a failed read (its reason kept for the
    source's health), not an exception; only storage and queue failures raise, so the read is retried whole.
    Items past the client's daily quota are held back: left unseen, with the feed's validators dropped, so the
    first read after the quota renews fetches the feed whole and brings the ones it still holds."""
    assert source.feed is not None, "only a feed source is read"
    feed, state = source.feed, source.feed_state
    try:
        answer = fetcher.get(feed.url, etag=state.etag, last_modified=state.last_modified)
    except FeedFetchError as exc:
        failed = ReadResult(at=now, status=exc.status, succeeded=False, retry_after=exc.retry_after)
        return FeedRead(state=after_read(feed, state, failed), error=exc.reason)
    result = ReadResult(at=now, status=answer.status, succeeded=True, etag=answer.etag,
                        last_modified=answer.last_modified)  # fmt: skip
    if answer.status == 304:
        return FeedRead(state=after_read(feed, state, result), not_modified=True)
    try:
        read = read_feed(answer.body, content_type=answer.content_type, url=answer.url)
    except NotAFeedError as exc:
        failed = ReadResult(at=now, status=answer.status, succeeded=False)
        return FeedRead(state=after_read(feed, state, failed), error=str(exc))
    found = feed_mentions(read, source=source.name, channel=source.channel, feed_url=feed.url, fetched_at=now,
                          not_before=source.created_at - timedelta(hours=feed.backfill_hours),
                          audience=feed.audience, verified=feed.verified)  # fmt: skip
    seen = set(state.seen)
    fresh = [mention for mention in found.mentions if mention.id not in seen]
    kept, unwanted = source.wanted(fresh)
    problems = [problem for mention_id, problem in found.problems.items() if mention_id not in seen]
    outcome = FeedRead(
        state=after_read(feed, state, result).model_copy(update={"seen": found.ids[:MAX_SEEN]}),
        filtered=len([mention_id for mention_id in found.too_old if mention_id not in seen]) + len(unwanted),
        rejected=len(problems),
        error="; ".join(problems[:3]) or None,
        items=len(read.items),
    )
    held_back: list[str] = []
    reason = None
    for start in range(0, len(kept), ACCEPT_BATCH):
        admitted = accept_within_quota(source.tenant_id, kept[start : start + ACCEPT_BATCH], quota=quota,
                                       ledger=ledger, sink=sink, now=now)  # fmt: skip
        outcome.accepted += admitted.result.accepted
        outcome.duplicates += admitted.result.duplicates
        held_back += admitted.refused
        reason = admitted.reason or reason
    if held_back:
        unseen = set(held_back)
        still_seen = [item for item in outcome.state.seen if item not in unseen]
        outcome.state = outcome.state.model_copy(update={"seen": still_seen, "etag": None, "last_modified": None})
        outcome.refused = len(held_back)
        outcome.error = "; ".join(filter(None, [outcome.error, f"{len(held_back)} item(s) held back: {reason}"]))
    return outcome
