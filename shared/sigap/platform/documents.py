"""A DynamoDB table of pydantic documents: partition key the tenant, sort key what the item is, the model as
JSON in `doc`, and a `version` for optimistic concurrency where an item is changed in place. The notifications
and publishing tables share it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from sigap.platform.attributes import attribute, plain
from sigap.platform.aws import dynamodb_client
from sigap.platform.aws_errors import (
    cancelled_by_condition,
    conditional_write,
    error_code,
    storage_error,
    version_condition,
)
from sigap.platform.keys import tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

M = TypeVar("M", bound=BaseModel)


class DocumentTable:
    label: ClassVar[str] = "table"

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._client = client or dynamodb_client()

    # -- generic ---------------------------------------------------------------------------------------

    def _key(self, tenant_id: str, sk: str) -> dict[str, Any]:
        return {"pk": attribute(tenant_pk(tenant_id)), "sk": attribute(sk)}

    def _get(self, tenant_id: str, sk: str) -> dict[str, Any] | None:
        try:
            item: dict[str, Any] | None = self._client.get_item(
                TableName=self._table, Key=self._key(tenant_id, sk), ConsistentRead=True
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(f"GetItem on {self.label}", exc) from exc
        return item

    def _get_model(self, tenant_id: str, sk: str, model: type[M]) -> M | None:
        item = self._get(tenant_id, sk)
        return model.model_validate_json(plain(item["doc"])) if item else None

    def _query(
        self,
        tenant_id: str,
        prefix: str,
        *,
        newest_first: bool = False,
        limit: int | None = None,
        after: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": attribute(tenant_pk(tenant_id)), ":prefix": attribute(prefix)},
            "ScanIndexForward": not newest_first,
            "ConsistentRead": True,
        }
        if after is not None:
            request["ExclusiveStartKey"] = self._key(tenant_id, after)
        items: list[dict[str, Any]] = []
        try:
            while True:
                if limit is not None:
                    request["Limit"] = limit - len(items)
                page = self._client.query(**request)
                items.extend(page.get("Items", []))
                last = page.get("LastEvaluatedKey")
                if last is None:
                    return items, None
                if limit is not None and len(items) >= limit:
                    return items, str(plain(last["sk"]))
                request["ExclusiveStartKey"] = last
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(f"Query on {self.label}", exc) from exc

    def _models(self, tenant_id: str, prefix: str, model: type[M]) -> list[M]:
        items, _ = self._query(tenant_id, prefix)
        return [model.model_validate_json(plain(item["doc"])) for item in items]

    def _put_item(
        self,
        tenant_id: str,
        sk: str,
        doc: BaseModel,
        *,
        version: int | None = None,
        expected: int | None = None,
        only_new: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        item = self._key(tenant_id, sk) | {"doc": attribute(doc.model_dump_json())} | (extra or {})
        request: dict[str, Any] = {"TableName": self._table, "Item": item}
        if version is not None:
            item["version"] = attribute(version)
        if only_new or expected is not None:
            request |= version_condition(0 if only_new else expected or 0)
        return request

    def _conditional_put(self, request: dict[str, Any]) -> bool:
        return conditional_write(f"PutItem on {self.label}", lambda: self._client.put_item(**request))

    def _transact(self, items: list[dict[str, Any]]) -> bool:
        try:
            self._client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException" and cancelled_by_condition(exc):
                return False
            raise storage_error(f"TransactWriteItems on {self.label}", exc) from exc
        except BotoCoreError as exc:
            raise storage_error(f"TransactWriteItems on {self.label}", exc) from exc
        return True

    def _delete(self, tenant_id: str, sk: str) -> None:
        try:
            self._client.delete_item(TableName=self._table, Key=self._key(tenant_id, sk))
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(f"DeleteItem on {self.label}", exc) from exc
