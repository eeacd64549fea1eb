"""Rolling settled partial aggregates up: each minute's partials into one item, each hour's minutes into one more,
so a window of the last hour is about sixty items however viral it was, and a window of a day is twenty-four.

The evaluator runs this for a tenant before each evaluation. It is safe to run twice, or twice at once: a roll-up
is recomputed from what it merges, never added to, and is only replaced by one merging as many parts or more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.kernel.aggregates import minute_at, minute_key, settled_through
from sigap.kernel.errors import StorageError
from sigap.kernel.minute_counts import MinuteCounts, bounded, encode_counts
from sigap.kernel.sketch import AuthorSketch
from sigap.mentions.aggregate_store import CURSOR_KEY, AggregateStore, RollupCursor, decoded, hour_beside, next_minute
from sigap.platform.attributes import attribute, plain
from sigap.platform.aws import dynamodb_client
from sigap.platform.aws_errors import conditional_write, storage_error
from sigap.platform.keys import aggregate_cursor_pk, aggregate_late_pk, aggregate_pk, aggregate_rollup_pk
from sigap.platform.retry import drain

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

# One run rolls up at most this many minutes (a tenant's first run, or after an outage): the rest wait for the
# next minute's run, and readers take their partials meanwhile.
MAX_MINUTES_PER_RUN = 360
MAX_LATE_PER_RUN = 200
_BATCH_WRITE_LIMIT = 25


@dataclass
class Settled:
    minutes_rolled: int = 0
    hours_rolled: int = 0
    late_rerolled: int = 0
    # the cursor as this run left it: a window read straight after may take it instead of reading it again
    cursor: RollupCursor = field(default_factory=RollupCursor)


class AggregateRollup:
    def __init__(self, store: AggregateStore, table_name: str, client: DynamoDBClient | None = None) -> None:
        self._store = store
        self._table = table_name
        self._client = client or dynamodb_client()

    def settle(self, tenant_id: str, now: datetime) -> Settled:
        """Rolls up the tenant's settled minutes not rolled up yet, the hours they complete, and the minutes a
        late partial arrived for; then moves the cursor (only if it changed)."""
        store = self._store
        # Most tenants, most minutes: one eventually consistent read finds nothing new. A read a moment stale
        # only delays a roll-up to the next run; what is rolled up is always decided on a consistent read.
        cursor = store.cursor(tenant_id)
        if cursor.nothing_new():
            return Settled(cursor=cursor)
        cursor = store.cursor(tenant_id, consistent=True)
        done = Settled(cursor=cursor)
        if cursor.nothing_new():
            return done
        checked_at = f"{now:%Y-%m-%dT%H:%M:%S}"  # before anything is read: a later write is new to the next run
        horizon = settled_through(now)
        markers = self._markers(tenant_id)
        hours_again: set[str] = set()
        for minute in sorted({sort_key[:16] for sort_key in markers}):
            if cursor.minutes and minute <= cursor.minutes:
                self._roll_minute(tenant_id, minute, store.partials(tenant_id, minute, minute, consistent=True))
                done.late_rerolled += 1
                if cursor.hours and minute[:13] <= cursor.hours:
                    hours_again.add(minute[:13])
        start = next_minute(cursor.minutes) if cursor.minutes else self._first_partial_minute(tenant_id, horizon)
        minutes = cursor.minutes
        if start <= horizon:
            end = min(horizon, minute_key(minute_at(start) + timedelta(minutes=MAX_MINUTES_PER_RUN - 1)))
            by_minute: dict[str, list[tuple[str, MinuteCounts, int]]] = {}
            for part in store.partials(tenant_id, start, end, consistent=True):
                by_minute.setdefault(part[0], []).append(part)
            for minute, parts in sorted(by_minute.items()):
                self._roll_minute(tenant_id, minute, parts)
            done.minutes_rolled = len(by_minute)
            minutes = end
        hours = cursor.hours
        last_whole = minutes[:13] if minutes.endswith(":59") else (hour_beside(minutes[:13], -1) if minutes else "")
        if last_whole:
            hour = hour_beside(cursor.hours, 1) if cursor.hours else (start[:13] if start <= horizon else last_whole)
            while hour <= last_whole:
                hours_again.add(hour)
                hour = hour_beside(hour, 1)
            hours = max(hours, last_whole)
        for hour in sorted(hours_again):
            if self._roll_hour(tenant_id, hour):
                done.hours_rolled += 1
        if len(markers) == MAX_LATE_PER_RUN:  # more are waiting: the next run must look again, not skip
            checked_at = cursor.checked_at
        if self._move_cursor(tenant_id, cursor, minutes, hours, checked_at):
            done.cursor = RollupCursor(
                minutes=minutes, hours=hours, checked_at=checked_at, written=cursor.written, version=cursor.version + 1
            )
        self._forget_markers(tenant_id, markers)
        return done

    # -- reading what to roll up ---------------------------------------------------------------------------

    def _markers(self, tenant_id: str) -> list[str]:
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": attribute(aggregate_late_pk(tenant_id))},
            "ProjectionExpression": "sk",
            "ConsistentRead": True,
            "Limit": MAX_LATE_PER_RUN,
        }
        try:
            items = self._client.query(**query).get("Items", [])
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("Query on aggregates (late markers)", exc) from exc
        return [plain(item["sk"]) for item in items]

    def _first_partial_minute(self, tenant_id: str, horizon: str) -> str:
        """The oldest minute with a partial (a tenant's first run); the horizon's next minute if there is none."""
        firsts: list[str] = []
        for shard in range(self._store.shards):
            try:
                items = self._client.query(
                    TableName=self._table,
                    KeyConditionExpression="pk = :pk",
                    ExpressionAttributeValues={":pk": attribute(aggregate_pk(tenant_id, shard))},
                    ProjectionExpression="sk",
                    ConsistentRead=True,
                    Limit=1,
                ).get("Items", [])
            except (ClientError, BotoCoreError) as exc:
                raise storage_error("Query on aggregates (first partial)", exc) from exc
            firsts.extend(plain(item["sk"])[:16] for item in items)
        return min(firsts) if firsts else horizon

    # -- writing roll-ups ----------------------------------------------------------------------------------

    def _roll_minute(self, tenant_id: str, minute: str, parts: list[tuple[str, MinuteCounts, int]]) -> None:
        if not parts:
            return
        merged = MinuteCounts.sum_of(minute, [counts for _, counts, _ in parts])
        expires = max(expires_at for _, _, expires_at in parts)
        self._put_rollup(aggregate_rollup_pk(tenant_id, "M"), minute, merged, len(parts), expires)

    def _roll_hour(self, tenant_id: str, hour: str) -> bool:
        items = list(self._store.rollup_items(tenant_id, "M", hour + ":00", hour + ":59"))
        if not items:
            return False
        merged = MinuteCounts.sum_of(hour + ":00", [decoded(plain(item["sk"]), item) for item in items])
        parts = sum(int(plain(item.get("parts", {"N": "1"}))) for item in items)
        expires = max(int(plain(item.get("expires_at", {"N": "0"}))) for item in items)
        self._put_rollup(aggregate_rollup_pk(tenant_id, "H"), hour, merged, parts, expires)
        return True

    def _put_rollup(self, partition: str, key: str, merged: MinuteCounts, parts: int, expires_at: int) -> None:
        item: dict[str, AttributeValueTypeDef] = {
            "pk": attribute(partition),
            "sk": attribute(key),
            "parts": attribute(parts),
            "expires_at": attribute(expires_at),
        }
        for name, value in encode_counts(bounded(merged)).items():
            if isinstance(value, AuthorSketch):
                item[name] = {"B": value.to_bytes()}
            elif isinstance(value, frozenset):
                item[name] = attribute(value)
            else:
                item[name] = attribute(round(value, 6))
        # A roll-up merging fewer parts was read before a late partial came: it must not replace this one.
        conditional_write(
            "PutItem on aggregates (roll-up)",
            lambda: self._client.put_item(
                TableName=self._table,
                Item=item,
                ConditionExpression="attribute_not_exists(pk) OR parts <= :parts",
                ExpressionAttributeValues={":parts": attribute(parts)},
            ),
        )

    def _move_cursor(self, tenant_id: str, read: RollupCursor, minutes: str, hours: str, checked_at: str) -> bool:
        # If another run moved it first, that run's roll-ups stand and this one's were the same or fewer.
        return conditional_write(
            "PutItem on aggregates (roll-up cursor)",
            lambda: self._client.put_item(
                TableName=self._table,
                Item={
                    "pk": attribute(aggregate_cursor_pk(tenant_id)),
                    "sk": attribute(CURSOR_KEY),
                    "minutes": attribute(minutes),
                    "hours": attribute(hours),
                    "checked_at": attribute(checked_at),
                    "version": attribute(read.version + 1),
                },
                ConditionExpression="attribute_not_exists(pk) OR version = :read",
                ExpressionAttributeValues={":read": attribute(read.version)},
            ),
        )

    def _forget_markers(self, tenant_id: str, markers: Iterable[str]) -> None:
        keys = [{"pk": attribute(aggregate_late_pk(tenant_id)), "sk": attribute(sort_key)} for sort_key in markers]
        table = self._table

        def write(request: Any) -> Any:
            try:
                answer = self._client.batch_write_item(RequestItems=request)
            except (ClientError, BotoCoreError) as exc:
                raise storage_error("BatchWriteItem on aggregates (late markers)", exc) from exc
            return answer.get("UnprocessedItems") or None

        for start in range(0, len(keys), _BATCH_WRITE_LIMIT):
            chunk = keys[start : start + _BATCH_WRITE_LIMIT]
            drain(
                write,
                {table: [{"DeleteRequest": {"Key": key}} for key in chunk]},
                failure=lambda left: StorageError("DynamoDB BatchWriteItem on aggregates left late markers"),
            )
