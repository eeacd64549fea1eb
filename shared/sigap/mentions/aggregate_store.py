"""Reading a tenant's aggregates as a typed window: roll-ups where the minutes are settled, partial aggregates
where they are not (see `sigap.kernel.aggregates`).

Items of the aggregates table, all keyed by the tenant first:

| pk | sk | what |
|---|---|---|
| `{tenant}#A#{shard}` | `{minute}#{partial id}` | a partial aggregate, written by scoring with its mentions |
| `{tenant}#AL` | `{minute}#{partial id}` | a late partial's marker, until its minute is rolled up again |
| `{tenant}#AM` | `{minute}` | a settled minute's partials merged |
| `{tenant}#AH` | `{hour}` | a rolled-up hour's minutes merged |
| `{tenant}#AR` | `cursor` | how far the roll-ups reach (`minutes`, `hours`) |
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from sigap.kernel.aggregates import minute_at, minute_key
from sigap.kernel.minute_counts import AggregateWindow, MinuteCounts, Stored, decode_item, merge_minutes
from sigap.kernel.sketch import AuthorSketch
from sigap.platform.attributes import attribute, plain
from sigap.platform.aws import dynamodb_client
from sigap.platform.dynamo_pages import every_item
from sigap.platform.keys import aggregate_cursor_pk, aggregate_late_pk, aggregate_pk, aggregate_rollup_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

_KEY_ATTRIBUTES = frozenset({"pk", "sk", "expires_at", "parts", "entries"})  # entries: the listing's
CURSOR_KEY = "cursor"
ACTIVITY_KEY = "activity"
# Beyond this many late minutes in a window, their partials are read in one span per shard, not minute by minute.
_LATE_ONE_BY_ONE = 20


class RollupCursor(BaseModel):
    """Minutes up to `minutes` and hours up to `hours` are rolled up ('' = none yet); `checked_at` is when the
    last roll-up read the partials; `written` the latest wall-clock minute scoring wrote partials in (its
    activity mark, beside the cursor), so a tenant with nothing new costs one read, not a dozen."""

    model_config = ConfigDict(frozen=True)

    minutes: str = ""
    hours: str = ""
    checked_at: str = ""
    written: str = ""
    version: int = 0

    @property
    def all_rolled(self) -> bool:
        """Nothing was written after the minutes rolled up: no partial is newer than the cursor (every writer
        marks its tenant active first). With no mark and no cursor, nobody has looked yet: partials written before
        marks existed may be there, so a reader reads them until the first roll-up has run."""
        if not self.written:
            return self.version > 0
        return self.written <= self.minutes

    def nothing_new(self) -> bool:
        """No partial was written since the last roll-up read them, and every one it read is rolled up."""
        if not self.written:
            return self.version > 0  # a roll-up has looked (and found all there was), or none has yet
        written_by = minute_key(minute_at(self.written) + timedelta(minutes=1))
        return self.all_rolled and bool(self.checked_at) and written_by <= self.checked_at


def hour_beside(hour: str, step: int) -> str:
    """The hour key ('2026-12-04T10') `step` hours after this one (before it, if negative)."""
    return minute_key(minute_at(hour + ":00") + timedelta(hours=step))[:13]


def next_minute(minute: str) -> str:
    return minute_key(minute_at(minute) + timedelta(minutes=1))


def decoded(minute: str, item: dict[str, AttributeValueTypeDef]) -> MinuteCounts:
    """A stored aggregate item (a partial, an older shard item, or a roll-up) as typed counts."""
    attributes: dict[str, Stored] = {}
    for name, value in item.items():
        if name in _KEY_ATTRIBUTES:
            continue
        if "B" in value:
            attributes[name] = AuthorSketch.from_bytes(bytes(value["B"]))
            continue
        stored = plain(value)
        if isinstance(stored, Decimal):
            attributes[name] = float(stored)
        elif isinstance(stored, set):
            attributes[name] = frozenset(stored)
    return decode_item(minute, attributes)


class AggregateStore:
    def __init__(self, table_name: str, shards: int, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._shards = shards
        self._client = client or dynamodb_client()

    @property
    def shards(self) -> int:
        return self._shards

    def window(
        self,
        tenant_id: str,
        since: datetime,
        until: datetime,
        *,
        hourly: bool = False,
        cursor: RollupCursor | None = None,
    ) -> AggregateWindow:
        """The tenant's minutes in [since, until] (UTC), one entry per minute that counted anything. With
        `hourly`, each whole hour that is rolled up comes as one entry at its first minute (long windows).
        `cursor`: the tenant's cursor if just read (by a roll-up), so it is not read again."""
        low, high = minute_key(since), minute_key(until)
        parts: list[MinuteCounts] = []
        cursor = cursor if cursor is not None or low > high else self.cursor(tenant_id)
        # Nothing written since before the window (every partial's minute is at most the activity mark): an
        # idle tenant's window costs no read beyond the cursor.
        if cursor is not None and low <= high and not (cursor.written and cursor.written < low):
            # a late partial marks its tenant active too: with nothing new, no marker can be waiting
            late = set() if cursor.nothing_new() else set(self.late_minutes(tenant_id, low, high))
            rolled_to = min(high, cursor.minutes)
            if cursor.minutes and low <= rolled_to:
                parts.extend(self._rolled(tenant_id, low, rolled_to, cursor, late, hourly=hourly))
                late_rolled = sorted(minute for minute in late if minute <= rolled_to)
                parts.extend(self._late_partials(tenant_id, late_rolled))
                low = max(low, next_minute(rolled_to))
            if low <= high and not cursor.all_rolled:
                parts.extend(counts for _, counts, _ in self.partials(tenant_id, low, high))
        return AggregateWindow(tenant_id=tenant_id, since=since, until=until, minutes=merge_minutes(parts))

    # -- the parts a window is made of ---------------------------------------------------------------------

    def cursor(self, tenant_id: str, *, consistent: bool = False) -> RollupCursor:
        """The roll-up cursor and the activity mark, in one read of their partition."""
        items = {
            plain(item["sk"]): item
            for item in self._query(
                aggregate_cursor_pk(tenant_id), ACTIVITY_KEY, CURSOR_KEY, "roll-up cursor", consistent=consistent
            )
        }
        cursor, activity = items.get(CURSOR_KEY, {}), items.get(ACTIVITY_KEY, {})
        return RollupCursor(
            minutes=plain(cursor.get("minutes", {"S": ""})),
            hours=plain(cursor.get("hours", {"S": ""})),
            checked_at=plain(cursor.get("checked_at", {"S": ""})),
            version=plain(cursor.get("version", {"N": "0"})),
            written=plain(activity.get("written", {"S": ""})),
        )

    def late_minutes(self, tenant_id: str, low: str, high: str) -> list[str]:
        """The minutes in [low, high] with a late partial not yet rolled up again (rare, and few)."""
        return sorted({sort_key[:16] for sort_key, _ in self._late_markers(tenant_id, low, high)})

    def _late_markers(self, tenant_id: str, low: str, high: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for item in self._query(aggregate_late_pk(tenant_id), low, high + "~", "late markers"):
            yield plain(item["sk"]), item

    def _rolled(
        self, tenant_id: str, low: str, high: str, cursor: RollupCursor, late: set[str], *, hourly: bool
    ) -> list[MinuteCounts]:
        """Roll-ups for [low, high]: whole hours from hour roll-ups (if `hourly`), other minutes from minute
        roll-ups; minutes with a late partial are left to their partials."""
        whole_hours: set[str] = set()
        parts: list[MinuteCounts] = []
        if hourly and cursor.hours:
            first = low[:13] if low.endswith(":00") else hour_beside(low[:13], 1)
            last = high[:13] if high.endswith(":59") else hour_beside(high[:13], -1)
            last = min(last, cursor.hours)
            if first <= last:
                tainted = {minute[:13] for minute in late}
                hour = first
                while hour <= last:
                    if hour not in tainted:
                        whole_hours.add(hour)
                    hour = hour_beside(hour, 1)
                for item in self._query(aggregate_rollup_pk(tenant_id, "H"), first, last, "hour roll-ups"):
                    hour = plain(item["sk"])
                    if hour in whole_hours:
                        parts.append(decoded(hour + ":00", item))
        for item in self._query(aggregate_rollup_pk(tenant_id, "M"), low, high, "minute roll-ups"):
            minute = plain(item["sk"])
            if minute[:13] not in whole_hours and minute not in late:
                parts.append(decoded(minute, item))
        return parts

    def _late_partials(self, tenant_id: str, minutes: list[str]) -> list[MinuteCounts]:
        if not minutes:
            return []
        if len(minutes) > _LATE_ONE_BY_ONE:
            wanted = set(minutes)
            spans = self.partials(tenant_id, minutes[0], minutes[-1])
            return [counts for minute, counts, _ in spans if minute in wanted]
        return [counts for minute in minutes for _, counts, _ in self.partials(tenant_id, minute, minute)]

    def partials(
        self, tenant_id: str, low: str, high: str, *, consistent: bool = False
    ) -> list[tuple[str, MinuteCounts, int]]:
        """Every partial aggregate of the minutes [low, high], from every shard: (minute, counts, expires_at)."""
        found: list[tuple[str, MinuteCounts, int]] = []
        for shard in range(self._shards):
            partition = aggregate_pk(tenant_id, shard)
            for item in self._query(partition, low, high + "~", "partial aggregates", consistent=consistent):
                minute = plain(item["sk"])[:16]
                found.append((minute, decoded(minute, item), int(plain(item.get("expires_at", {"N": "0"})))))
        return found

    def rollup_items(self, tenant_id: str, span: str, low: str, high: str) -> Iterator[dict[str, Any]]:
        """The stored roll-up items of one span ('M' or 'H') between two keys, read consistently."""
        return self._query(aggregate_rollup_pk(tenant_id, span), low, high, f"{span} roll-ups", consistent=True)

    def _query(
        self, partition: str, low: str, high: str, what: str, *, consistent: bool = False
    ) -> Iterator[dict[str, Any]]:
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": attribute(partition),
                ":low": attribute(low),
                ":high": attribute(high),
            },
            # A roll-up must see every partial committed before it; a reader is served eventually consistent.
            "ConsistentRead": consistent,
        }
        return every_item(self._client.query, query, f"Query on aggregates ({what})")


class WithKnownCursor:
    """The store, for one tenant whose cursor was just read (by the roll-up that ran before an evaluation): that
    tenant's windows take it instead of reading it again; any other tenant's read their own."""

    def __init__(self, store: AggregateStore, tenant_id: str, cursor: RollupCursor) -> None:
        self._store, self._tenant_id, self._cursor = store, tenant_id, cursor

    def window(self, tenant_id: str, since: datetime, until: datetime, *, hourly: bool = False) -> AggregateWindow:
        known = self._cursor if tenant_id == self._tenant_id else None
        return self._store.window(tenant_id, since, until, hourly=hourly, cursor=known)
