"""When a tenant's update promises next need a look, so the every-minute reminders run reads the few tenants with
something due instead of every tenant of an agency every minute.

One item per tenant in the notifications table (`PROMISEWAKE`), its time also in the sparse index `Wakes`
(partition: one of a few shard keys; sort: the time). A tenant with nothing promised has no time, so it is in no
index and costs the run nothing.

Anything that can bring a promise nearer wakes its tenant for the next run: a statement published, the reminder
settings changed, an incident reopened. The run then sets the tenant's next wake from what it read. A run never
overwrites a wake it did not see: each wake counts the times it was woken, and the run's write is conditional on
the count it read, so a statement published while the run was reading keeps its tenant woken.

Stacks that had promises before wakes existed: the first run wakes every tenant once (`StartedWakes`), then
notes that it did in one stack-wide item, `#stack`/`PROMISEWAKES` (`#` starts no tenant id).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.platform.attributes import attribute, plain
from sigap.platform.aws_errors import conditional_write, storage_error
from sigap.platform.documents import DocumentTable
from sigap.platform.dynamo_pages import every_item
from sigap.platform.side_by_side import side_by_side

WAKES_INDEX = "Wakes"
WAKE_SHARDS = 4
WAKE = "PROMISEWAKE"
STACK_PK = "#stack"
STARTED = "PROMISEWAKES"
START_WIDTH = 16


@dataclass(frozen=True)
class SeenWake:
    """A tenant due for a look, as the index showed it: `woken` is the count the run's write is conditional on."""

    tenant_id: str
    woken: int


def _shard(tenant_id: str) -> str:
    digest = hashlib.blake2b(tenant_id.encode(), digest_size=2).digest()
    return f"WAKE#{int.from_bytes(digest) % WAKE_SHARDS}"


def _moment(at: datetime) -> str:
    """Sortable as text: UTC, to the second (a promise may carry its writer's offset)."""
    return at.astimezone(UTC).isoformat(timespec="seconds")


class PromiseWakes(DocumentTable):
    """The wakes' store, over the notifications table (beside the incidents whose promises they time)."""

    def wake_promises(self, tenant_id: str, now: datetime) -> None:
        """Looks at the tenant's promises in the next run (a wake already due stays due)."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(tenant_id, WAKE),
                UpdateExpression="SET wake_at = :at, wake_shard = :shard ADD woken :one",
                ExpressionAttributeValues={
                    ":at": attribute(_moment(now)),
                    ":shard": attribute(_shard(tenant_id)),
                    ":one": attribute(1),
                },
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("UpdateItem on a promise wake", exc) from exc

    def due_wakes(self, now: datetime) -> Iterator[SeenWake]:
        """Every tenant whose wake has come, shard by shard, a page at a time (the index is eventually
        consistent: a wake set a moment ago may wait a run, and one already moved may be seen once more)."""
        for shard in range(WAKE_SHARDS):
            request: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": WAKES_INDEX,
                "KeyConditionExpression": "wake_shard = :shard AND wake_at <= :now",
                "ExpressionAttributeValues": {":shard": attribute(f"WAKE#{shard}"), ":now": attribute(_moment(now))},
            }
            for item in every_item(self._client.query, request, "Query on the promise wakes"):
                yield SeenWake(tenant_id=plain(item["pk"]), woken=int(plain(item["woken"])))

    def settle_wake(self, seen: SeenWake, next_at: datetime | None) -> bool:
        """The tenant's next wake (None: nothing promised, out of the index), unless it was woken since the run
        read it (False: it stays due and the next run looks again)."""
        values: dict[str, Any] = {":seen": attribute(seen.woken)}
        if next_at is None:
            update = "REMOVE wake_at, wake_shard"
        else:
            update = "SET wake_at = :at, wake_shard = :shard"
            values |= {":at": attribute(_moment(next_at)), ":shard": attribute(_shard(seen.tenant_id))}
        return conditional_write(
            "UpdateItem on a promise wake",
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._key(seen.tenant_id, WAKE),
                UpdateExpression=update,
                ConditionExpression="woken = :seen",
                ExpressionAttributeValues=values,
            ),
        )

    def start_wakes(self, tenant_ids: Iterable[str], now: datetime) -> bool:
        """Once per stack: wakes every tenant, for the promises made before wakes existed. True when it did."""
        started = {"pk": attribute(STACK_PK), "sk": attribute(STARTED)}
        try:
            if "Item" in self._client.get_item(TableName=self._table, Key=started):
                return False
            # side by side: one after another, an agency's 10,000 tenants would outlast the run's minute, and the
            # start would never be noted
            side_by_side(lambda tenant_id: self.wake_promises(tenant_id, now), list(tenant_ids), START_WIDTH)
            # noted only once every tenant is woken: a run cut short wakes them all again
            self._client.put_item(TableName=self._table, Item=started | {"at": attribute(_moment(now))})
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("the promise wakes' start", exc) from exc
        return True
