"""Every item of a DynamoDB Query or Scan, page after page, and every item of a BatchGetItem, hundred after
hundred: one helper each, so each adapter states only its request."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.kernel.errors import StorageError
from sigap.platform.aws_errors import storage_error
from sigap.platform.retry import drain

_MAX_PAGE = 1000


def every_item(
    call: Callable[..., Any], request: dict[str, Any], action: str, *, growing: bool = False
) -> Iterator[dict[str, Any]]:
    """The items `call(**request)` answers, following LastEvaluatedKey; a failure is a StorageError naming
    `action` (e.g. "Query on mentions"). `growing`: each page asks for four times the last one's `Limit` (up to
    1,000), for a reader that usually needs one small page and sometimes many."""
    request = dict(request)
    try:
        while True:
            page = call(**request)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            if growing and "Limit" in request:
                request["Limit"] = min(request["Limit"] * 4, _MAX_PAGE)
    except (ClientError, BotoCoreError) as exc:
        raise storage_error(action, exc) from exc


BATCH_GET_LIMIT = 100


def batch_items(
    client: Any,
    table: str,
    keys: Sequence[dict[str, Any]],
    action: str,
    *,
    consistent: bool = False,
    projection: str | None = None,
    names: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Every item of `keys` that exists (in no particular order): BatchGetItem in hundreds, the keys DynamoDB
    leaves unprocessed asked again with backoff; a failure, or keys still left, is a StorageError naming
    `action` (e.g. "BatchGetItem on mentions")."""
    found: list[dict[str, Any]] = []

    def get(request: dict[str, Any]) -> dict[str, Any] | None:
        try:
            answer = client.batch_get_item(RequestItems=request)
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(action, exc) from exc
        found.extend(answer.get("Responses", {}).get(table, []))
        return answer.get("UnprocessedKeys") or None

    options: dict[str, Any] = {"ConsistentRead": consistent}
    if projection is not None:
        options["ProjectionExpression"] = projection
    if names:
        options["ExpressionAttributeNames"] = names
    for start in range(0, len(keys), BATCH_GET_LIMIT):
        request = {table: {"Keys": list(keys[start : start + BATCH_GET_LIMIT]), **options}}
        drain(get, request, failure=lambda left: StorageError(f"{action} left keys unprocessed"))
    return found
