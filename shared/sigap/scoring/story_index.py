"""The story band index in DynamoDB: band key → story id, per tenant, expiring after the story window."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.kernel.errors import StorageError
from sigap.platform.attributes import attribute, plain
from sigap.platform.aws import dynamodb_client
from sigap.platform.aws_errors import storage_error
from sigap.platform.keys import story_band_pk
from sigap.platform.retry import drain

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_GET_LIMIT = 100
_WRITE_LIMIT = 25


class DynamoBandIndex:
    def __init__(self, table_name: str, window_days: int, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._window_seconds = window_days * 86400
        self._client = client or dynamodb_client()

    def lookup(self, tenant_id: str, band_keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        prefix = len(story_band_pk(tenant_id, ""))

        def get(request: Any) -> Any:
            try:
                answer = self._client.batch_get_item(RequestItems=request)
            except (ClientError, BotoCoreError) as exc:
                raise storage_error("BatchGetItem on stories", exc) from exc
            for item in answer["Responses"].get(self._table, []):
                found[plain(item["pk"])[prefix:]] = plain(item["story"])
            return answer.get("UnprocessedKeys") or None

        for start in range(0, len(band_keys), _GET_LIMIT):
            chunk = band_keys[start : start + _GET_LIMIT]
            request = {
                self._table: {
                    "Keys": [{"pk": attribute(story_band_pk(tenant_id, key))} for key in chunk],
                    "ProjectionExpression": "pk, story",
                }
            }
            drain(get, request, failure=lambda _: StorageError("BatchGetItem on stories left keys unprocessed"))
        return found

    def remember(self, tenant_id: str, assignments: Mapping[str, str]) -> None:
        expires = int(time.time()) + self._window_seconds
        requests: list[Any] = [
            {
                "PutRequest": {
                    "Item": {
                        "pk": attribute(story_band_pk(tenant_id, key)),
                        "story": attribute(story),
                        "expires_at": attribute(expires),
                    }
                }
            }
            for key, story in sorted(assignments.items())
        ]

        def write(pending: Any) -> Any:
            try:
                answer = self._client.batch_write_item(RequestItems=pending)
            except (ClientError, BotoCoreError) as exc:
                raise storage_error("BatchWriteItem on stories", exc) from exc
            return answer.get("UnprocessedItems") or None

        for start in range(0, len(requests), _WRITE_LIMIT):
            drain(
                write,
                {self._table: requests[start : start + _WRITE_LIMIT]},
                failure=lambda _: StorageError("BatchWriteItem on stories left items unprocessed"),
            )
