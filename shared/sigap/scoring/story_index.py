"""The story band index in DynamoDB: band key → story id, per tenant, expiring after the story window."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sigap.platform.attributes import attribute, plain
from sigap.platform.aws import dynamodb_client
from sigap.platform.aws_errors import error_code, storage_error
from sigap.platform.dynamo_pages import batch_items
from sigap.platform.keys import story_band_pk
from sigap.platform.side_by_side import side_by_side

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_CLAIMERS = 8
# A band, once claimed, names the same story until it expires with the story window (days): what this sandbox
# has seen is kept for a while, so a viral story's copies, which share their bands, are not read again batch after
# batch (about 5 read units a mention otherwise). Bands not found are never kept: another sandbox may claim them.
KNOWN_BANDS = 100_000
KNOWN_FOR_SECONDS = 600.0


class DynamoBandIndex:
    def __init__(self, table_name: str, window_days: int, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._window_seconds = window_days * 86400
        self._client = client or dynamodb_client()
        self._known: OrderedDict[tuple[str, str], tuple[str, float]] = OrderedDict()
        self._known_lock = threading.Lock()

    def _remembered(self, tenant_id: str, band_keys: Sequence[str]) -> dict[str, str]:
        now = time.monotonic()
        found = {}
        with self._known_lock:
            for key in band_keys:
                entry = self._known.get((tenant_id, key))
                if entry is not None and now - entry[1] < KNOWN_FOR_SECONDS:
                    found[key] = entry[0]
        return found

    def _keep(self, tenant_id: str, stories: Mapping[str, str]) -> None:
        now = time.monotonic()
        with self._known_lock:
            for key, story in stories.items():
                self._known[(tenant_id, key)] = (story, now)
                self._known.move_to_end((tenant_id, key))
            while len(self._known) > KNOWN_BANDS:
                self._known.popitem(last=False)

    def lookup(self, tenant_id: str, band_keys: Sequence[str]) -> dict[str, str]:
        known = self._remembered(tenant_id, band_keys)
        found: dict[str, str] = {}
        prefix = len(story_band_pk(tenant_id, ""))
        band_keys = [key for key in band_keys if key not in known]

        keys = [{"pk": attribute(story_band_pk(tenant_id, key))} for key in band_keys]
        for item in batch_items(self._client, self._table, keys, "BatchGetItem on stories", projection="pk, story"):
            found[plain(item["pk"])[prefix:]] = plain(item["story"])
        self._keep(tenant_id, found)
        return known | found

    def remember(self, tenant_id: str, assignments: Mapping[str, str]) -> dict[str, str]:
        """Claims each band for its story, first writer wins (a conditional put per band: a batch write would let
        the last of two racing batches overwrite the first's bands and split one story in two). The story each
        band holds afterwards: this batch's, or the one another batch claimed first."""
        expires = int(time.time()) + self._window_seconds
        claims = sorted(assignments.items())
        # Side by side: a new text has 12 bands, and one call after another would add their latencies.
        held = dict(side_by_side(lambda claim: self._claim(tenant_id, claim[0], claim[1], expires), claims, _CLAIMERS))
        self._keep(tenant_id, held)
        return held

    def _claim(self, tenant_id: str, key: str, story: str, expires: int) -> tuple[str, str]:
        item = {"pk": attribute(story_band_pk(tenant_id, key)), "story": attribute(story),
                "expires_at": attribute(expires)}  # fmt: skip
        try:
            self._client.put_item(
                TableName=self._table,
                Item=item,
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise storage_error("PutItem on stories", exc) from exc
            winner = exc.response.get("Item", {}).get("story")  # type: ignore[attr-defined]
            return key, plain(winner) if winner else self._read(tenant_id, key, story)
        except BotoCoreError as exc:
            raise storage_error("PutItem on stories", exc) from exc
        return key, story

    def _read(self, tenant_id: str, key: str, fallback: str) -> str:
        try:
            item = self._client.get_item(
                TableName=self._table, Key={"pk": attribute(story_band_pk(tenant_id, key))}, ConsistentRead=True
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("GetItem on stories", exc) from exc
        return plain(item["story"]) if item else fallback  # gone meanwhile (expired): as this batch decided
