"""Every item of a DynamoDB Query or Scan, page after page: one helper, so each adapter states only its request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.platform.aws_errors import storage_error


def every_item(call: Callable[..., Any], request: dict[str, Any], action: str) -> Iterator[dict[str, Any]]:
    """The items `call(**request)` answers, following LastEvaluatedKey; a failure is a StorageError naming
    `action` (e.g. "Query on mentions")."""
    request = dict(request)
    try:
        while True:
            page = call(**request)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    except (ClientError, BotoCoreError) as exc:
        raise storage_error(action, exc) from exc
