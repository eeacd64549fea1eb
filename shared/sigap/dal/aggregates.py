"""Reading the per-minute aggregate items the scoring function writes (see sigap.aggregates)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.aws import dynamodb_client
from sigap.dal.errors import storage_error
from sigap.dal.keys import aggregate_pk, minute_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def _plain(value: Mapping[str, Any]) -> object:
    if "N" in value:
        return float(value["N"])
    if "SS" in value:
        return set(value["SS"])
    if "S" in value:
        return value["S"]
    return None


class AggregateStore:
    def __init__(self, table_name: str, shards: int, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._shards = shards
        self._client = client or dynamodb_client()

    def minutes(self, tenant_id: str, since: datetime, until: datetime) -> list[dict[str, object]]:
        """Every shard's per-minute items for the tenant in [since, until], as plain Python values."""
        items: list[dict[str, object]] = []
        for shard in range(self._shards):
            query: dict[str, Any] = {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
                "ExpressionAttributeValues": {
                    ":pk": {"S": aggregate_pk(tenant_id, shard)},
                    ":low": {"S": minute_key(since)},
                    ":high": {"S": minute_key(until)},
                },
            }
            try:
                while True:
                    page = self._client.query(**query)
                    items.extend(
                        {name: _plain(value) for name, value in item.items()} for item in page.get("Items", [])
                    )
                    if "LastEvaluatedKey" not in page:
                        break
                    query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            except (ClientError, BotoCoreError) as exc:
                raise storage_error("Query on aggregates", exc) from exc
        return items
