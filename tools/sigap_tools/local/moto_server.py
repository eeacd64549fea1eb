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
5. UpdateItem re-validates its expression's syntax tree once per processor (a 30-term ADD took ~8 ms), deep
   copies the whole item first, and adds each set member after a linear search of the set (quadratic in a
   viral minute's authors). An update that only ADDs numbers and string sets to top-level attributes and SETs
   `name = if_not_exists(name, :v)`, with no condition (the aggregates' shape), is applied directly here with
   moto's own types and its 400 KB item limit; any other update goes to moto unchanged. A scoring batch's
   transaction took 167 ms in process, 42 ms with this.
6. The server itself: every request lists moto's package folder (os.listdir and an isdir per entry, under a
   global lock) to find its backend, and every DynamoDB answer goes through moto's shape-driven serializer,
   which a profile of the running server put at 27% of its time. Here the folder list is read once, and the
   answers of item reads (GetItem, Query, Scan, BatchGetItem), already DynamoDB's wire JSON, are dumped as is.
   ReceiveMessage checked each message's retention by computing all of the queue's attributes (three counts
   over every queued message) per message received; it reads the retention period alone here. And the server
   no longer logs a line per request. Together with 5, the local end-to-end rate went from 61 to ~150
   mentions/s on 3,000 mentions before the remaining changes measured in `make bench`. A DynamoDB request's
   JSON is read with json.loads instead of moto's shape-driven parser (8% of the server's time) unless it
   holds binary attribute values, which that parser decodes from base64.
7. DeleteMessage made two passes over every queued message, each building a list per message, and two moto
   servers run (DynamoDB and SQS, each a process of its own: one process served both on one core).
8. A base-table Query reads its partition only, not every item of the table sorted (`moto_query`).

    python -m sigap_tools.local.moto_server [--parent PID] -H 127.0.0.1 -p 5000
    python -m sigap_tools.local.moto_server [--parent PID] --socket-fd FD -p PORT   (a socket bound by the caller)
"""

from __future__ import annotations

import copy
import json
import logging
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto import backends as moto_backends
from moto.core.responses import ActionResult
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.exceptions import ItemSizeTooLarge, ItemSizeToUpdateTooLarge
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler
from moto.sqs.exceptions import ReceiptHandleIsInvalid
from moto.sqs.models import Message, Queue, SQSBackend

from sigap_tools.local import moto_query

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


def _copied(attributes: dict[str, Any]) -> dict[str, Any]:
    try:  # a JSON round trip copies DynamoDB's JSON several times faster than copy.deepcopy
        copied: dict[str, Any] = json.loads(json.dumps(attributes))
    except TypeError:  # binary values held as bytes (moto in-process) are not JSON
        return copy.deepcopy(attributes)
    return copied


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
                _copied(current.to_json()["Attributes"]) if current else None,
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


_original_receive = SQSBackend.receive_message


def _delete_message(queue: Queue, receipt_handle: str) -> None:
    """moto's delete, in one pass instead of two (each building a list per message) and under the lock."""
    with queue._messages_lock:
        if receipt_handle in queue.deleted_messages:
            return  # deleting twice is fine, as on SQS
        for index, message in enumerate(queue._messages):
            if message.receipt_handle == receipt_handle or receipt_handle in message._old_receipt_handles:
                queue.pending_messages.discard(message)
                queue.deleted_messages.update(message.all_receipt_handles)  # type: ignore[arg-type]
                queue._messages = queue._messages[:index] + queue._messages[index + 1 :]  # swapped whole
                return
        raise ReceiptHandleIsInvalid()


def _receive_message(backend: SQSBackend, queue_name: str, *args: Any, **kwargs: Any) -> list[Message]:
    with backend.get_queue(queue_name)._messages_lock:
        return _original_receive(backend, queue_name, *args, **kwargs)


_WRITES = threading.RLock()
_original_update = DynamoDBBackend.update_item
_NAME = r"#?[A-Za-z0-9_]+"
_ADD_TERM = re.compile(rf"^({_NAME}) (:[A-Za-z0-9_]+)$")
_SET_TERM = re.compile(rf"^({_NAME}) = if_not_exists\(\1, (:[A-Za-z0-9_]+)\)$")
_CLAUSES = re.compile(r"^ADD (?P<add>.+?)(?: SET (?P<set>.+))?$")


def _plain_update(expression: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]] | None:
    """The (name, value placeholder) terms of 'ADD a :x, b :y SET c = if_not_exists(c, :z)', or None."""
    clauses = _CLAUSES.match(expression.strip())
    if not clauses:
        return None
    adds = [_ADD_TERM.match(term.strip()) for term in clauses.group("add").split(",")]
    set_terms = re.split(r",(?![^()]*\))", clauses.group("set") or "")  # commas outside if_not_exists(...)
    sets = [_SET_TERM.match(term.strip()) for term in set_terms if term.strip()]
    if not all(adds) or not all(sets):
        return None
    return [(m.group(1), m.group(2)) for m in adds if m], [(m.group(1), m.group(2)) for m in sets if m]


def update_item(
    self: DynamoDBBackend,
    table_name: str,
    key: dict[str, Any],
    update_expression: str,
    expression_attribute_names: dict[str, Any],
    expression_attribute_values: dict[str, Any],
    attribute_updates: dict[str, Any] | None = None,
    expected: dict[str, Any] | None = None,
    condition_expression: str | None = None,
    return_values_on_condition_check_failure: str | None = None,
) -> Any:
    """moto's update_item, with the plain ADD/SET shape applied directly (see fix 5); anything else is moto's."""

    def moto_does_it() -> Any:
        return _original_update(
            self,
            table_name,
            key,
            update_expression,
            expression_attribute_names,
            expression_attribute_values,
            attribute_updates,
            expected,
            condition_expression,
            return_values_on_condition_check_failure,
        )

    names, values = expression_attribute_names or {}, expression_attribute_values or {}
    plain = not (attribute_updates or expected or condition_expression)
    terms = _plain_update(update_expression or "") if plain else None
    table = self.get_table(table_name)
    if terms is None or table.stream_shard is not None:
        return moto_does_it()
    adds, sets = terms
    try:
        additions = [(names.get(name, name), DynamoType(values[value])) for name, value in adds]
        defaults = [(names.get(name, name), DynamoType(values[value])) for name, value in sets]
    except KeyError:
        return moto_does_it()
    hash_value = DynamoType(key[table.hash_key_attr])
    range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    item = table.get_item(hash_value, range_value)
    for name, addition in additions:
        current = item.attrs.get(name) if item is not None else None
        if not (addition.is_number() or (addition.type == "SS" and addition.value)) or (
            current is not None and current.type != addition.type
        ):
            return moto_does_it()
    if item is None:
        data = {table.hash_key_attr: key[table.hash_key_attr]}
        if table.range_key_attr:
            data[table.range_key_attr] = key[table.range_key_attr]
        table.put_item(data)
        item = table.get_item(hash_value, range_value)
    assert item is not None
    try:
        for name, addition in additions:
            current = item.attrs.get(name)
            if addition.is_number():
                item.attrs[name] = addition if current is None else current + addition
            else:
                members = list(current.value) if current is not None else []
                known = set(members)
                members.extend(member for member in addition.value if member not in known)
                item.attrs[name] = DynamoType({"SS": members})
        for name, default in defaults:
            if name not in item.attrs:
                item.attrs[name] = default
    except ItemSizeTooLarge as exc:
        raise ItemSizeToUpdateTooLarge() from exc
    return item


def _serialised(method: Any) -> Any:
    def write(*args: Any, **kwargs: Any) -> Any:
        with _WRITES:
            return method(*args, **kwargs)

    write.__name__ = method.__name__
    return write


_original_parse = DynamoHandler.parse_parameters
_BINARY = re.compile(rb'"(?:B|BS)"\s*:')


def _parse_parameters(handler: DynamoHandler, request: Any) -> None:
    raw = request.data or b"{}"
    if _BINARY.search(raw):
        _original_parse(handler, request)
        return
    handler.params = json.loads(raw)


_WIRE_READY = frozenset({"GetItem", "Query", "Scan", "BatchGetItem"})
_original_serialized = DynamoHandler.serialized


def _serialized(handler: DynamoHandler, action_result: ActionResult) -> Any:
    result = action_result.result
    if handler._get_action() in _WIRE_READY and isinstance(result, dict):
        try:
            body = json.dumps({key: value for key, value in result.items() if value is not None})
        except (TypeError, ValueError):
            return _original_serialized(handler, action_result)
        headers = {"Content-Type": "application/x-amz-json-1.0"} | dict(handler.response_headers)
        return 200, headers, body
    return _original_serialized(handler, action_result)


def _retained(backend: SQSBackend, queue_name: str, message: Message) -> bool:
    # moto sets each queue attribute as a snake_case field from the queue's attributes
    retention = int(getattr(backend.get_queue(queue_name), "message_retention_period"))  # noqa: B009
    return retention + message.sent_timestamp / 1000 > time.time()  # type: ignore[operator]


def install() -> None:
    SQSBackend.is_message_valid_based_on_retention_period = _retained  # type: ignore[method-assign,assignment]
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    module_names = tuple(moto_backends.list_of_moto_modules())
    moto_backends.list_of_moto_modules = lambda: module_names
    DynamoHandler.serialized = _serialized  # type: ignore[method-assign,assignment]
    DynamoHandler.parse_parameters = _parse_parameters  # type: ignore[method-assign,assignment]
    DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]
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
    moto_query.install()


@contextmanager
def installed() -> Iterator[None]:
    """The fixes for a while, in this process (moto in-process: a bench, a test), and moto as it was after."""
    patched = [
        (SQSBackend, "is_message_valid_based_on_retention_period"),
        (moto_backends, "list_of_moto_modules"),
        (DynamoHandler, "serialized"),
        (DynamoHandler, "parse_parameters"),
        *((DynamoDBBackend, name) for name in ("update_item", "put_item", "delete_item", "batch_write_item")),
        (DynamoDBBackend, "transact_write_items"),
        (dynamodb_models, "copy"),
        (Message, "visible"),
        (Message, "delayed"),
        (Queue, "approximate_number_of_messages_delayed"),
        (Queue, "approximate_number_of_messages_not_visible"),
        (Queue, "messages"),
        (Queue, "delete_message"),
        (SQSBackend, "receive_message"),
        *moto_query.PATCHED,
    ]
    missing = object()  # an inherited attribute: deleting the patch brings the inherited one back
    saved = [(owner, name, vars(owner).get(name, missing)) for owner, name in patched]
    install()
    try:
        yield
    finally:
        for owner, name, original in saved:
            if original is missing:
                delattr(owner, name)
            else:
                setattr(owner, name, original)


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
    if arguments[:1] == ["--socket-fd"]:
        _serve_on(int(arguments[1]), int(arguments[arguments.index("-p") + 1]))
        return
    from moto.server import main as moto_main

    moto_main(["-H", "127.0.0.1", *arguments] if "-H" not in arguments else arguments)


def _serve_on(fd: int, port: int) -> None:
    """moto's server as `moto.server.main` runs it, on a listening socket inherited from the process that started
    this one (`moto_process.spawn`), so the port was never free for another program to take."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from moto.server import signal_handler
    from werkzeug.serving import make_server

    os.environ.setdefault("MOTO_PORT", str(port))  # as moto's main sets it: moto builds some URLs from it
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, signal_handler)
    application = DomainDispatcherApplication(create_backend_app)
    application.debug = True  # type: ignore[attr-defined]
    server = make_server("127.0.0.1", port, application, threaded=True, request_handler=MotoRequestHandler, fd=fd)
    server.serve_forever()


if __name__ == "__main__":
    main()
