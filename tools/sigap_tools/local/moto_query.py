"""moto's DynamoDB Query, reading one partition: moto answers each base-table Query by listing and sorting every
item of the table (`Table.all_items`), comparing moto's typed values, before it keeps the partition asked for. On
the local stack's aggregates table, a few thousand items, that was about 0.14 s a query, and the listing (which
reads a tenant's partials from each shard) made the demo's evaluator time out. Here a base-table Query with a
hash key hands moto that partition's items only, through a thread-local override (the server answers requests
on several threads); moto's own code does the rest, so results, paging and limits are moto's. Every other listing
(an index's Query, a Scan) is moto's too, but over copies of its dicts, so a write on another thread cannot break
it halfway.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.dynamodb.models.table import Table

_original_query = Table.query
_original_all_items = Table.all_items
_reading = threading.local()
# Table.query(self, hash_key, range_comparison, range_objs, limit, start key, forward, projection, index_name, ...)
_INDEX_NAME_POSITION = 6


def _all_items(self: Table) -> list[Any]:
    partition = getattr(_reading, "partition", None)
    if partition is not None and partition[0] is self:
        return list(partition[1])
    # moto's own listing, over copies: moto loops over the live dicts in Python, so a write on another thread
    # (a new partition, a new item) broke it mid-loop with "dictionary changed size during iteration". list()
    # copies a dict's values in one step the other threads cannot cut into.
    items = [item for hash_set in list(self.items.values()) for item in _items_of(self, hash_set)]
    return sorted(items, key=lambda item: (item.hash_key, item.range_key) if item.range_key else item.hash_key)


def _items_of(table: Table, hash_set: Any) -> list[Any]:
    return list(hash_set.values()) if table.range_key_attr else [hash_set]


def _query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = args[_INDEX_NAME_POSITION] if len(args) > _INDEX_NAME_POSITION else kwargs.get("index_name")
    if index_name or hash_key is None or not self.range_key_attr:
        return _original_query(self, hash_key, *args, **kwargs)
    items = self.items.get(hash_key)
    _reading.partition = (self, list(items.values()) if items else [])
    try:
        return _original_query(self, hash_key, *args, **kwargs)
    finally:
        _reading.partition = None


def install() -> None:
    Table.query = _query  # type: ignore[method-assign]
    Table.all_items = _all_items  # type: ignore[method-assign]


PATCHED = [(Table, "query"), (Table, "all_items")]
