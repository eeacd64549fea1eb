"""moto's server for the local stack, with four fixes that keep moto's behaviour and drop its O(n) costs and races.

1. DynamoDB transactions: moto snapshots every table a transaction touches with copy.deepcopy, once per item, to
   roll back a cancelled transaction; with a few thousand mentions stored that cost hundreds of milliseconds per
   batch. Here the snapshot is of the touched items only, restored on failure: the same all-or-nothing outcome.
2. SQS: every SendMessage reads the queue's attributes, which counts visible, in-flight and delayed messages by
   asking each message for the time through a slow datetime helper; with a thousand queued messages a batch
   of ten took 67 ms. Here the clock is time.time() and each count reads it once.
3. SQS thread safety: DeleteMessage rebuilds the queue's message list without the lock SendMessage appends
   under, and ReceiveMessage marks messages received without any lock. With two pollers, deleted messages came
   back (3,000 handled, ~20 redelivered after the 180 s visibility timeout), a message sent during a delete
   could vanish, and plain moto delivered 4 of 2,000 messages twice. Both now run under the queue's own lock
   (a Condition over an RLock, which long-polling releases while it waits).
4. DynamoDB writes are atomic per item on AWS; in moto's threaded server they are plain read-modify-writes on
   shared dicts, and a cancelled transaction rolls back by restoring its snapshot. With two scoring sandboxes,
   a batch cancelled by a re-sent mention restored an aggregate item over the increment another batch had just
   made: 2,000 mentions stored, 1,998 counted (whole batches of ten lost from one item). Every DynamoDB write
   (put, update, delete, batch write, transaction) now runs under one lock, as if each were atomic.

    python -m sigap.local.moto_server [--parent PID] -H 127.0.0.1 -p 5000
"""

from __future__ import annotations

import copy
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.sqs.models import Message, Queue, SQSBackend

_local = threading.local()


class _CopyShim:
    """Stands in for the `copy` module inside moto's DynamoDB models: tables are not copied while a
    transaction runs under `_tables_not_copied()`; everything else is copied as usual."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        if isinstance(value, Table) and getattr(_local, "skip_table_copy", False):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


@contextmanager
def _tables_not_copied() -> Iterator[None]:
    _local.skip_table_copy = True
    try:
        yield
    finally:
        _local.skip_table_copy = False


_original_transact = DynamoDBBackend.transact_write_items


def _key_of(backend: DynamoDBBackend, op: dict[str, Any]) -> dict[str, Any]:
    if "Key" in op:
        return dict(op["Key"])
    table = backend.get_table(op["TableName"])
    names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
    return {name: op["Item"][name] for name in names}


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    before: dict[tuple[str, str], tuple[str, dict[str, Any], dict[str, Any] | None]] = {}
    for entry in transact_items:
        _, op = next(iter(entry.items()))
        table_name = op.get("TableName")
        if not table_name or table_name not in self.tables:
            continue
        key = _key_of(self, op)
        marker = (table_name, json.dumps(key, sort_keys=True))
        if marker not in before:
            current = self.get_item(table_name, key)
            before[marker] = (
                table_name,
                key,
                copy.deepcopy(current.to_json()["Attributes"]) if current else None,
            )
    with _tables_not_copied():
        try:
            _original_transact(self, transact_items)
        except Exception:
            for table_name, key, attributes in before.values():
                if attributes is None:
                    if self.get_item(table_name, key) is not None:
                        self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, attributes)
            raise


def _now_ms() -> float:
    # moto's unix_time_millis() is (naive utcnow - epoch) in ms: the same instant as time.time(), much slower.
    return time.time() * 1000


def _visible(message: Message) -> bool:
    return _now_ms() > message.visible_at


def _delayed(message: Message) -> bool:
    return _now_ms() < message.delayed_until


def _count_delayed(queue: Queue) -> int:
    now = _now_ms()
    return sum(1 for message in queue._messages if now < message.delayed_until)


def _count_not_visible(queue: Queue) -> int:
    now = _now_ms()
    return sum(1 for message in queue._messages if not now > message.visible_at)


def _visible_messages(queue: Queue) -> list[Message]:
    now = _now_ms()
    return [m for m in queue._messages if now > m.visible_at and not now < m.delayed_until]


_original_delete = Queue.delete_message
_original_receive = SQSBackend.receive_message


def _delete_message(queue: Queue, receipt_handle: str) -> None:
    with queue._messages_lock:
        _original_delete(queue, receipt_handle)


def _receive_message(backend: SQSBackend, queue_name: str, *args: Any, **kwargs: Any) -> list[Message]:
    with backend.get_queue(queue_name)._messages_lock:
        return _original_receive(backend, queue_name, *args, **kwargs)


_WRITES = threading.RLock()


def _serialised(method: Any) -> Any:
    def write(*args: Any, **kwargs: Any) -> Any:
        with _WRITES:
            return method(*args, **kwargs)

    write.__name__ = method.__name__
    return write


def install() -> None:
    for name in ("put_item", "update_item", "delete_item", "batch_write_item"):
        setattr(DynamoDBBackend, name, _serialised(getattr(DynamoDBBackend, name)))
    setattr(dynamodb_models, "copy", _CopyShim())  # noqa: B010 - replacing a module global on purpose
    DynamoDBBackend.transact_write_items = _serialised(transact_write_items)  # type: ignore[method-assign]
    Message.visible = property(_visible)  # type: ignore[method-assign,assignment]
    Message.delayed = property(_delayed)  # type: ignore[method-assign,assignment]
    Queue.approximate_number_of_messages_delayed = property(_count_delayed)  # type: ignore[method-assign,assignment]
    Queue.approximate_number_of_messages_not_visible = property(_count_not_visible)  # type: ignore[method-assign,assignment]
    Queue.messages = property(_visible_messages)  # type: ignore[method-assign,assignment]
    Queue.delete_message = _delete_message  # type: ignore[method-assign,assignment]
    SQSBackend.receive_message = _receive_message  # type: ignore[method-assign,assignment]


def _exit_with(parent: int) -> None:
    """Ends this server when the process that started it is gone (even by kill -9), instead of lingering."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main() -> None:
    arguments = sys.argv[1:]
    if arguments[:1] == ["--parent"]:
        _exit_with(int(arguments[1]))
        arguments = arguments[2:]
    install()
    from moto.server import main as moto_main

    moto_main(arguments)


if __name__ == "__main__":
    main()
