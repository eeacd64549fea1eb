"""When each feed is read next, in the tenants table beside its source: a feed source's item carries `feed_due`
(when it is read next) and `feed_shard`, the keys of the sparse `FeedSchedule` index, so the scheduler finds every
feed due across all tenants with one query per shard instead of walking every tenant's sources each minute; and
`feed_state`, what the last read left (validators for the next conditional GET, failures in a row).

A read is claimed before it is queued: the scheduler moves `feed_due` a lease ahead only if it is still the time it
found, so two schedulers (or a slow one and the next minute's) never queue the same read twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.platform.attributes import attribute, plain
from sigap.platform.aws_errors import conditional_write, storage_error
from sigap.platform.documents import DocumentTable
from sigap.platform.keys import SEP
from sigap.sources.domain import Source
from sigap.sources.feeds import FeedState

SCHEDULE_INDEX = "FeedSchedule"
# The index's partitions: each holds a quarter of the feeds, so its writes (one per read) stay far below one
# partition's 1,000 a second even at 100,000 feeds read every 5 minutes.
FEED_SHARDS = 4
_PREFIX = "SOURCE" + SEP
# The ADD clauses, SET clauses and values that count a read in its source's health (`store.health_update`).
HealthUpdate = tuple[list[str], list[str], dict[str, Any]]


def shard_of(tenant_id: str, name: str) -> str:
    digest = hashlib.blake2b(f"{tenant_id}/{name}".encode(), digest_size=2).digest()
    return f"feeds{SEP}{int.from_bytes(digest) % FEED_SHARDS}"


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def feed_attributes(source: Source) -> dict[str, Any]:
    """The schedule and state attributes a feed source's item carries (none for any other source)."""
    if source.feed is None:
        return {}
    state = source.feed_state
    return {
        "feed_shard": attribute(shard_of(source.tenant_id, source.name)),
        "feed_due": attribute(_instant(state.next_read_at or source.created_at)),
        "feed_state": attribute(state.model_dump_json()),
    }


def feed_state_of(item: dict[str, Any]) -> FeedState:
    return FeedState.model_validate_json(plain(item["feed_state"])) if "feed_state" in item else FeedState()


@dataclass(frozen=True)
class DueRead:
    tenant_id: str
    source: str
    due: str  # the feed_due found: the claim holds only if it is still this


class FeedSchedule(DocumentTable):
    label = "feed schedule"

    def due(self, shard: int, now: datetime, *, after: dict[str, Any] | None = None,
            limit: int = 500) -> tuple[list[DueRead], dict[str, Any] | None]:  # fmt: skip
        """Feeds of one shard due by `now`, oldest due first, and where the next page starts."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": SCHEDULE_INDEX,
            "KeyConditionExpression": "feed_shard = :shard AND feed_due <= :now",
            "ExpressionAttributeValues": {":shard": attribute(f"feeds{SEP}{shard}"), ":now": attribute(_instant(now))},
            "Limit": limit,
        }
        if after:
            request["ExclusiveStartKey"] = after
        try:
            answer = self._client.query(**request)
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("Query on the feed schedule", exc) from exc
        reads = [
            DueRead(plain(item["pk"]), plain(item["sk"]).removeprefix(_PREFIX), plain(item["feed_due"]))
            for item in answer.get("Items", [])
            if plain(item["sk"]).startswith(_PREFIX)
        ]
        return reads, answer.get("LastEvaluatedKey")

    def claim(self, read: DueRead, until: datetime) -> bool:
        """Moves the feed's due time to `until` if it is still the one found; False if another run took it (or
        the source was removed)."""
        return self._update(
            read.tenant_id,
            read.source,
            "SET feed_due = :until",
            {":until": attribute(_instant(until)), ":found": attribute(read.due)},
            condition="feed_due = :found",
        )

    def lease(self, tenant_id: str, name: str, until: datetime) -> None:
        """Takes the feed's next read for a read queued now ("read now"): a scheduler run that found it due finds
        its due time changed and does not queue it a second time."""
        self._update(tenant_id, name, "SET feed_due = :until", {":until": attribute(_instant(until))},
                     condition="attribute_exists(feed_shard)")  # fmt: skip

    def record(self, tenant_id: str, name: str, state: FeedState, health: HealthUpdate) -> None:
        """Stores what a read left, when the feed is read next and the read's counts in the source's health, in
        one write (only if the source still exists: a read finishing after its removal does not recreate it)."""
        assert state.next_read_at is not None
        adds, sets, values = health
        self._update(
            tenant_id,
            name,
            "ADD " + ", ".join(adds) + " SET " + ", ".join(["feed_due = :due", "feed_state = :state", *sets]),
            values | {":due": attribute(_instant(state.next_read_at)), ":state": attribute(state.model_dump_json())},
            condition="attribute_exists(feed_shard)",
        )

    def _update(self, tenant_id: str, name: str, expression: str, values: dict[str, Any], *,
                condition: str) -> bool:  # fmt: skip
        return conditional_write(
            "UpdateItem on the feed schedule",
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._key(tenant_id, _PREFIX + name),
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            ),
        )
