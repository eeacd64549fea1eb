"""A tenant's detection settings, kept beside its tenant item in the tenants table (sort key `DETECTION`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sigap.detection.domain.models import DetectionSettings
from sigap.platform.attributes import attribute, plain
from sigap.platform.aws import dynamodb_client
from sigap.platform.aws_errors import storage_error
from sigap.platform.keys import tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_DETECTION_SK = "DETECTION"


class DetectionSettingsStore:
    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._client = client or dynamodb_client()

    def get(self, tenant_id: str) -> DetectionSettings:
        """The tenant's detection settings; the defaults until it changes them."""
        try:
            item = self._client.get_item(
                TableName=self._table, Key={"pk": attribute(tenant_pk(tenant_id)), "sk": attribute(_DETECTION_SK)}
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("GetItem on tenants", exc) from exc
        return DetectionSettings.model_validate_json(plain(item["doc"])) if item else DetectionSettings()

    def put(self, tenant_id: str, settings: DetectionSettings) -> None:
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    "pk": attribute(tenant_pk(tenant_id)),
                    "sk": attribute(_DETECTION_SK),
                    "doc": attribute(settings.model_dump_json()),
                },
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("PutItem on tenants", exc) from exc
