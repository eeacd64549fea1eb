"""DynamoDB's capacity as AWS would bill and throttle it, measured on the adapters' real calls under moto.

moto accepts what AWS refuses: it has no partitions, no throughput limits, no transaction conflicts. So every
call the adapters make is watched through botocore's event hooks and turned into what DynamoDB would count:

- write units per partition key per second: 1 per KB of the item (the larger of before and after), twice in a
  transaction, and the same again for each global secondary index the item is in (its projected size);
- read units per partition key per second: 0.5 per 4 KB eventually consistent, 1 consistent;
- item sizes by DynamoDB's rules (names and values; numbers about half their digits; binary its bytes);
- items written by more than one transaction in the same second (transaction conflicts).

AWS's documented limits (Amazon DynamoDB developer guide, "Service, account, and table quotas" and
"Partitions and data distribution"): 1,000 write units and 3,000 read units per second per partition (a key's
items never spread past one partition's throughput for a write), 400 KB per item, 100 items and 4 MB per
transaction.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

WRITE_UNITS_PER_PARTITION = 1_000
READ_UNITS_PER_PARTITION = 3_000
ITEM_LIMIT_BYTES = 400 * 1024


def _number_bytes(text: str) -> int:
    digits = Decimal(text).normalize().as_tuple().digits
    return min(21, 1 + (len(digits) + 1) // 2)


def value_bytes(value: dict[str, Any]) -> int:
    """One attribute value's size as DynamoDB counts it."""
    ((kind, body),) = value.items()
    if kind == "S":
        return len(body.encode("utf-8"))
    if kind == "N":
        return _number_bytes(body)
    if kind == "B":
        return len(body)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(member.encode("utf-8")) for member in body)
    if kind == "NS":
        return sum(_number_bytes(member) for member in body)
    if kind == "BS":
        return sum(len(member) for member in body)
    if kind == "L":
        return 3 + sum(1 + value_bytes(member) for member in body)
    if kind == "M":
        return 3 + sum(1 + len(name.encode("utf-8")) + value_bytes(member) for name, member in body.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_bytes(item: dict[str, dict[str, Any]]) -> int:
    return sum(len(name.encode("utf-8")) + value_bytes(value) for name, value in item.items())


@dataclass(frozen=True)
class TableShape:
    keys: tuple[str, ...]
    # index name -> (its partition key attribute, the attributes it projects, or None for ALL)
    indexes: dict[str, tuple[str, frozenset[str] | None]] = field(default_factory=dict)


@dataclass
class CapacityMeter:
    """Counts units per (table or index, partition key, second). `second` is the simulated clock, set by the
    scenario before each step; `shapes` are the tables' keys and indexes (from describe_table)."""

    shapes: dict[str, TableShape]
    second: int = 0
    writes: defaultdict[tuple[str, str, int], float] = field(default_factory=lambda: defaultdict(float))
    reads: defaultdict[tuple[str, str, int], float] = field(default_factory=lambda: defaultdict(float))
    largest_item: dict[str, int] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    table_calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    transaction_items: int = 0
    largest_transaction: int = 0
    conflicts: int = 0
    write_units: float = 0.0
    read_units: float = 0.0
    _sizes: dict[tuple[str, str], int] = field(default_factory=dict)
    _touched: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    _transactions: int = 0

    def attach(self, client: Any) -> None:
        client.meta.events.register("provide-client-params.dynamodb.*", self._before)
        client.meta.events.register("after-call.dynamodb.*", self._after)

    # -- writes (sizes from the request: what would be stored) ---------------------------------------------

    def _key_of(self, table: str, item: dict[str, Any]) -> str:
        return "|".join(str(item[name]) for name in self.shapes[table].keys if name in item)

    def _write(self, table: str, item: dict[str, Any], factor: float, *, transaction: int | None = None) -> None:
        shape = self.shapes.get(table)
        if shape is None:
            return
        key = self._key_of(table, item)
        size = item_bytes(item)
        previous = self._sizes.get((table, key), 0)
        self._sizes[(table, key)] = size
        units = factor * math.ceil(max(size, previous, 1) / 1024)
        partition = next(iter(item[shape.keys[0]].values()))
        self.writes[(table, partition, self.second)] += units
        self.write_units += units
        self.largest_item[table] = max(self.largest_item.get(table, 0), size)
        for index, (index_key, projected) in shape.indexes.items():
            if index_key not in item:
                continue
            kept = item if projected is None else {k: v for k, v in item.items() if k in projected}
            index_units = math.ceil(max(item_bytes(kept), 1) / 1024)  # an index write is never transactional
            self.writes[(f"{table}/{index}", next(iter(item[index_key].values())), self.second)] += index_units
            self.write_units += index_units
        if transaction is not None:
            seen = self._touched.get((table, key))
            if seen is not None and seen[0] == self.second and seen[1] != transaction:
                self.conflicts += 1
            self._touched[(table, key)] = (self.second, transaction)

    def _delete(self, table: str, key: dict[str, Any], factor: float) -> None:
        shape = self.shapes.get(table)
        if shape is None:
            return
        size = self._sizes.pop((table, self._key_of(table, key)), 1)
        units = factor * math.ceil(size / 1024)
        self.writes[(table, next(iter(key[shape.keys[0]].values())), self.second)] += units
        self.write_units += units

    def _before(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        name = model.name
        self.calls[name] += 1
        for table in params.get("RequestItems") or {params.get("TableName", "")}:
            self.table_calls[(name, table.split("-", 1)[-1])] += 1
        context["capacity_params"] = params
        if name == "PutItem":
            self._write(params["TableName"], params["Item"], 1)
        elif name == "DeleteItem":
            self._delete(params["TableName"], params["Key"], 1)
        elif name == "BatchWriteItem":
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    if "PutRequest" in request:
                        self._write(table, request["PutRequest"]["Item"], 1)
                    else:
                        self._delete(table, request["DeleteRequest"]["Key"], 1)
        elif name == "TransactWriteItems":
            self._transactions += 1
            items = params["TransactItems"]
            self.transaction_items += len(items)
            self.largest_transaction = max(self.largest_transaction, len(items))
            for entry in items:
                ((kind, body),) = entry.items()
                if kind == "Put":
                    self._write(body["TableName"], body["Item"], 2, transaction=self._transactions)
                elif kind == "Delete":
                    self._delete(body["TableName"], body["Key"], 2)
                else:  # an Update or a ConditionCheck: the item as it stands, twice
                    self._write(body["TableName"], body["Key"], 2, transaction=self._transactions)

    # -- reads (sizes from the answer) ---------------------------------------------------------------------

    def _read(self, table: str, partition: str, size: int, consistent: bool) -> None:
        units = (1.0 if consistent else 0.5) * max(1, math.ceil(size / 4096))
        self.reads[(table, partition, self.second)] += units
        self.read_units += units

    def _after(self, parsed: Any, model: Any, context: dict[str, Any], **_: Any) -> None:
        name = model.name
        params = context.get("capacity_params", {})
        if name == "GetItem":
            item = parsed.get("Item") or {}
            partition = next(iter(params["Key"][self.shapes[params["TableName"]].keys[0]].values()))
            self._read(params["TableName"], partition, item_bytes(item), bool(params.get("ConsistentRead")))
        elif name == "Query":
            table = params["TableName"]
            where = f"{table}/{params['IndexName']}" if "IndexName" in params else table
            size = sum(item_bytes(item) for item in parsed.get("Items", []))
            partition = str(next(iter(params["ExpressionAttributeValues"].values())).get("S", "?"))
            self._read(where, partition, size, bool(params.get("ConsistentRead")))
        elif name == "BatchGetItem":
            # every key asked for is charged, found or not (a missing item costs the minimum read)
            for table, request in params.get("RequestItems", {}).items():
                found = {
                    next(iter(item[self.shapes[table].keys[0]].values())): item_bytes(item)
                    for item in parsed.get("Responses", {}).get(table, [])
                }
                for key in request["Keys"]:
                    partition = next(iter(key[self.shapes[table].keys[0]].values()))
                    self._read(table, partition, found.get(partition, 0), bool(request.get("ConsistentRead")))

    # -- what it found -------------------------------------------------------------------------------------

    @staticmethod
    def hottest(units: dict[tuple[str, str, int], float]) -> dict[str, tuple[str, float]]:
        """Per table or index: its hottest partition key and that key's highest units in one second."""
        worst: dict[str, tuple[str, float]] = {}
        for (table, partition, _), amount in units.items():
            if amount > worst.get(table, ("", -1.0))[1]:
                worst[table] = (partition, amount)
        return worst


def table_shapes(client: Any, table_names: list[str]) -> dict[str, TableShape]:
    shapes = {}
    for name in table_names:
        described = client.describe_table(TableName=name)["Table"]
        keys = tuple(part["AttributeName"] for part in described["KeySchema"])
        indexes: dict[str, tuple[str, frozenset[str] | None]] = {}
        for index in described.get("GlobalSecondaryIndexes", []):
            projection = index["Projection"]
            index_keys = [part["AttributeName"] for part in index["KeySchema"]]
            projected = (
                None
                if projection["ProjectionType"] == "ALL"
                else frozenset([*keys, *index_keys, *projection.get("NonKeyAttributes", [])])
            )
            indexes[index["IndexName"]] = (index_keys[0], projected)
        shapes[name] = TableShape(keys=keys, indexes=indexes)
    return shapes
