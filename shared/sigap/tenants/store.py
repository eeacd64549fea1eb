"""Tenants table: one item per brand, holding the hash of its API key (never the key)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.kernel.errors import TenantExistsError
from sigap.kernel.models import Tenant
from sigap.platform.attributes import attribute, plain
from sigap.platform.aws import dynamodb_client
from sigap.platform.aws_errors import error_code, storage_error
from sigap.platform.keys import tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_SK = "TENANT"
# The one cross-tenant key in Sigap: the directory the detection scheduler walks each minute. It holds tenant
# ids only (a keys-only index), so it lets nobody read a tenant's data.
DIRECTORY_INDEX = "Directory"
DIRECTORY = "tenants"


class TenantStore:
    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._client = client or dynamodb_client()

    def get(self, tenant_id: str) -> Tenant | None:
        try:
            item = self._client.get_item(
                TableName=self._table, Key={"pk": attribute(tenant_pk(tenant_id)), "sk": attribute(_SK)}
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("GetItem on tenants", exc) from exc
        if not item:
            return None
        return Tenant(
            tenant_id=plain(item["tenant_id"]),
            display_name=plain(item["display_name"]),
            api_key_hash=plain(item["api_key_hash"]),
            created_at=datetime.fromisoformat(plain(item["created_at"])),
        )

    def create(self, tenant: Tenant) -> None:
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    "pk": attribute(tenant_pk(tenant.tenant_id)),
                    "sk": attribute(_SK),
                    "tenant_id": attribute(tenant.tenant_id),
                    "display_name": attribute(tenant.display_name),
                    "api_key_hash": attribute(tenant.api_key_hash),
                    "created_at": attribute(tenant.created_at.isoformat()),
                    "directory": attribute(DIRECTORY),
                },
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise TenantExistsError(f"tenant {tenant.tenant_id!r} already exists") from exc
            raise storage_error("PutItem on tenants", exc) from exc
        except BotoCoreError as exc:
            raise storage_error("PutItem on tenants", exc) from exc

    def tenant_ids(self) -> Iterator[str]:
        """Every tenant's id, from the directory index, a page at a time."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": DIRECTORY_INDEX,
            "KeyConditionExpression": "directory = :directory",
            "ExpressionAttributeValues": {":directory": attribute(DIRECTORY)},
        }
        while True:
            try:
                page = self._client.query(**request)
            except (ClientError, BotoCoreError) as exc:
                raise storage_error("Query on the tenant directory", exc) from exc
            for item in page.get("Items", []):
                yield plain(item["tenant_id"])
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def count(self, limit: int = 2) -> int:
        """How many tenants exist, counting no further than `limit` (enough to enforce single-brand mode)."""
        try:
            page = self._client.scan(
                TableName=self._table,
                FilterExpression="sk = :sk",
                ExpressionAttributeValues={":sk": attribute(_SK)},
                ProjectionExpression="pk",
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("Scan on tenants", exc) from exc
        return min(len(page.get("Items", [])), limit)
