"""Reading the per-minute aggregate items the scoring function writes, as a typed window merged across shards."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.kernel.aggregates import minute_key
from sigap.kernel.minute_counts import AggregateWindow, MinuteCounts, decode_item, merge_minutes
from sigap.platform.attributes import attribute, plain
from sigap.platform.aws import dynamodb_client
from sigap.platform.aws_errors import storage_error
from sigap.platform.keys import aggregate_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

_KEY_ATTRIBUTES = frozenset({"pk", "sk", "expires_at"})


def _counts(item: dict[str, AttributeValueTypeDef]) -> MinuteCounts:
    attributes: dict[str, float | frozenset[str]] = {}
    for name, value in item.items():
        if name in _KEY_ATTRIBUTES:
            continue
        stored = plain(value)
        if isinstance(stored, Decimal):
            attributes[name] = float(stored)
        elif isinstance(stored, set):
            attributes[name] = frozenset(stored)
    return decode_item(plain(item["sk"]), attributes)


class AggregateStore:
    def __init__(self, table_name: str, shards: int, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._shards = shards
        self._client = client or dynamodb_client()

    def window(self, tenant_id: str, since: datetime, until: datetime) -> AggregateWindow:
        """The tenant's minutes in [since, until] (UTC), every shard read and merged per minute."""
        parts: list[MinuteCounts] = []
        for shard in range(self._shards):
            query: dict[str, Any] = {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
                "ExpressionAttributeValues": {
                    ":pk": attribute(aggregate_pk(tenant_id, shard)),
                    ":low": attribute(minute_key(since)),
                    ":high": attribute(minute_key(until)),
                },
            }
            try:
                while True:
                    page = self._client.query(**query)
                    parts.extend(_counts(item) for item in page.get("Items", []))
                    if "LastEvaluatedKey" not in page:
                        break
                    query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            except (ClientError, BotoCoreError) as exc:
                raise storage_error("Query on aggregates", exc) from exc
        return AggregateWindow(tenant_id=tenant_id, since=since, until=until, minutes=merge_minutes(parts))
