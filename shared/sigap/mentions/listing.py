"""Listing a tenant's mentions newest first, without an index: every partial aggregate keeps a listing entry for
each mention it counts (`ListingEntry`: its time, id and what a listing filters on), so scoring writes nothing
more than the partial it writes anyway, where a secondary index would bill one write unit per mention.

A listing reads the tenant's partials over its window from every shard, newest minute first (a partial's entries
are all of its minute), sorts each minute's entries, and stops once it has its page; then it reads the page's
mentions in one batch. A mention is listed once it is counted: between its put and its run's partial it can be
read by id but is not listed yet. Mentions stored before entries existed are not listed.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sigap.kernel.aggregates import ListingEntry, listing_time, unpack_entries
from sigap.kernel.models import ScoredMention
from sigap.mentions.domain import ListPosition, MentionFilter, MentionPage
from sigap.mentions.store import stored_document
from sigap.platform.attributes import attribute, plain
from sigap.platform.aws import dynamodb_client
from sigap.platform.dynamo_pages import batch_items, every_item
from sigap.platform.keys import SEP, aggregate_pk, mention_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def _matches(entry: ListingEntry, only: MentionFilter | None) -> bool:
    if only is None:
        return True
    wanted = only.model_dump(mode="json", exclude_none=True)
    fields = {
        "sentiment": entry.sentiment,
        "source": entry.source,
        "channel": entry.channel,
        "story": entry.story_id,
        "language": entry.lang,
    }
    for name, value in wanted.items():
        if name == "signal":
            if value not in entry.signals:
                return False
        elif fields[name] != value:
            return False
    return True


class MentionListing:
    def __init__(
        self, mentions_table: str, aggregates_table: str, shards: int, client: DynamoDBClient | None = None
    ) -> None:
        self._mentions = mentions_table
        self._aggregates = aggregates_table
        self._shards = shards
        self._client = client or dynamodb_client()

    def list_newest_first(
        self,
        tenant_id: str,
        *,
        since: datetime,
        until: datetime,
        limit: int,
        only: MentionFilter | None = None,
        after: ListPosition | None = None,
    ) -> MentionPage:
        """Newest first within [since, until]; a page ends after `limit` mentions, and its position says where the
        next one starts (strictly older than the last one listed)."""
        low = f"{listing_time(since)}{SEP}"
        high = after.sort_key if after is not None else f"{listing_time(until)}{SEP}\uffff"
        entries = self._entries(tenant_id, low, high, only, limit)
        page = list(itertools.islice(entries, limit))
        more = next(entries, None) is not None
        mentions = self._documents(tenant_id, [entry.mention_id for entry in page])
        last = page[-1] if page else None
        position = (
            ListPosition(day=last.at[:10], mention_id=last.mention_id, sort_key=last.sort_key)
            if more and last is not None
            else None
        )
        return MentionPage([mentions[entry.mention_id] for entry in page if entry.mention_id in mentions], position)

    def _entries(
        self, tenant_id: str, low: str, high: str, only: MentionFilter | None, limit: int
    ) -> Iterator[ListingEntry]:
        """Entries with low <= sort key < high, newest first. Partials come newest bound first (a partial's key
        starts with the latest time among its mentions); an entry is given out once no partial still unread can
        hold a newer one, so a page reads the partials it needs, not its whole minute."""
        # a shard's first page: about its share of a page of mentions (a partial holds one to ten); more grow
        first = max(5, limit // self._shards + 1)
        shards = [
            self._partials(aggregate_pk(tenant_id, shard), low[:16], high[:16], first) for shard in range(self._shards)
        ]
        waiting: list[_Newest] = []
        for bound, found in heapq.merge(*shards, key=lambda partial: partial[0], reverse=True):
            while waiting and waiting[0].entry.at > bound:
                yield heapq.heappop(waiting).entry
            for entry in found:
                if low <= entry.sort_key < high and _matches(entry, only):
                    heapq.heappush(waiting, _Newest(entry))
        while waiting:
            yield heapq.heappop(waiting).entry

    def _partials(
        self, partition: str, low_minute: str, high_minute: str, first_page: int
    ) -> Iterator[tuple[str, list[ListingEntry]]]:
        """A shard's partials over the minutes, newest first: (the latest time they may hold, their entries)."""
        query: dict[str, Any] = {
            "TableName": self._aggregates,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": attribute(partition),
                ":low": attribute(low_minute),
                ":high": attribute(high_minute + "~"),
            },
            "ProjectionExpression": "sk, entries",
            "ScanIndexForward": False,
            "Limit": first_page,
        }
        for item in every_item(self._client.query, query, "Query on aggregates (listing)", growing=True):
            stored = item.get("entries")
            bound = plain(item["sk"]).rpartition(SEP)[0]
            yield bound, unpack_entries(bytes(stored["B"])) if stored else []

    def _documents(self, tenant_id: str, mention_ids: list[str]) -> dict[str, ScoredMention]:
        """The page's mentions as stored (read consistently: a counted mention's put came before its partial)."""
        keys = [{"pk": attribute(mention_pk(tenant_id, one))} for one in dict.fromkeys(mention_ids)]
        items = batch_items(self._client, self._mentions, keys, "BatchGetItem on mentions (listing)", consistent=True)
        documents = ((plain(item["mention_id"]), stored_document(item)) for item in items)
        return {mention_id: ScoredMention.model_validate_json(doc) for mention_id, doc in documents if doc}


class _Newest:
    """An entry in a heap that pops the newest first."""

    __slots__ = ("entry",)

    def __init__(self, entry: ListingEntry) -> None:
        self.entry = entry

    def __lt__(self, other: _Newest) -> bool:
        return self.entry.sort_key > other.entry.sort_key
