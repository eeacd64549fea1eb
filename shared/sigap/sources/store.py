"""Sources in the tenants table (partition the tenant, sort key "SOURCE#<name>"): the source as a JSON document
with a version (a rotation writes over the version it read), and its health as counters beside the document, so
every delivery adds to them in one UpdateItem without reading the source first.

Seen Standard Webhooks ids live in the idempotency table for a day (the spec's tolerance is 5 minutes), keyed by
tenant, source and id: the first delivery of an id claims it; a replay finds it claimed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.kernel.errors import ConflictError, NotFoundError
from sigap.platform.attributes import attribute, plain
from sigap.platform.aws import dynamodb_client
from sigap.platform.aws_errors import error_code, storage_error
from sigap.platform.documents import DocumentTable
from sigap.platform.keys import SEP
from sigap.platform.observability import logger
from sigap.sources.domain import Health, Source, SourceError
from sigap.sources.feed_store import feed_attributes, feed_state_of
from sigap.sources.feeds import FeedState

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_PREFIX = "SOURCE" + SEP
RECEIPT_LIFETIME = timedelta(days=1)
MAX_REASON_CHARS = 500


class SourceExistsError(ConflictError):
    pass


class SourceChangedError(ConflictError):
    """The source changed between its read and this write (a concurrent rotation or deletion)."""


class SourcesTable(DocumentTable):
    label = "sources"

    def _sk(self, name: str) -> str:
        return _PREFIX + name

    def create(self, source: Source) -> None:
        request = self._put_item(source.tenant_id, self._sk(source.name), _config(source), version=1, only_new=True)
        request["Item"] |= feed_attributes(source)
        if not self._conditional_put(request):
            raise SourceExistsError(f"a source named {source.name!r} exists already")

    def replace(self, source: Source, expected_version: int) -> None:
        """Writes a changed source (a new secret) over the version read; SourceChangedError if it moved on."""
        request = self._put_item(
            source.tenant_id, self._sk(source.name), _config(source), version=source.version, expected=expected_version
        )
        # A put replaces the whole item: the health counters are carried over from what was read.
        request["Item"] |= _health_attributes(source.health) | feed_attributes(source)
        if not self._conditional_put(request):
            raise SourceChangedError(f"source {source.name!r} changed meanwhile: read it again")

    def get(self, tenant_id: str, name: str) -> Source | None:
        item = self._get(tenant_id, self._sk(name))
        return _source(item) if item else None

    def require(self, tenant_id: str, name: str) -> Source:
        source = self.get(tenant_id, name)
        if source is None:
            raise NotFoundError(f"no source named {name!r}")
        return source

    def list(self, tenant_id: str) -> list[Source]:
        items, _ = self._query(tenant_id, _PREFIX)
        return [_source(item) for item in items]

    def delete(self, tenant_id: str, name: str) -> None:
        self._delete(tenant_id, self._sk(name))

    def record(self, tenant_id: str, name: str, *, accepted: int, duplicates: int, rejected: int, at: datetime,
               error: str | None = None, succeeded: bool = False, filtered: int = 0) -> None:  # fmt: skip
        """Adds a delivery's counts to the source's health, with its success and its error (a delivery with some
        records refused has both); only if the source still exists (a late delivery does not recreate it).

        Health is bookkeeping: failing to write it never fails the delivery, read or import whose mentions were
        accepted; it is logged instead, for every door alike."""
        adds, sets, values = health_update(accepted=accepted, duplicates=duplicates, rejected=rejected,
                                           filtered=filtered, at=at, error=error, succeeded=succeeded)  # fmt: skip
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(tenant_id, self._sk(name)),
                UpdateExpression="ADD " + ", ".join(adds) + (" SET " + ", ".join(sets) if sets else ""),
                ConditionExpression="attribute_exists(sk)",
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                _not_recorded(name, storage_error("UpdateItem on sources", exc))
        except BotoCoreError as exc:
            _not_recorded(name, storage_error("UpdateItem on sources", exc))


def _not_recorded(name: str, error: Exception) -> None:
    logger.warning("source health not recorded", extra={"source": name, "error": str(error)})


def health_update(*, accepted: int, duplicates: int, rejected: int, filtered: int, at: datetime, error: str | None,
                  succeeded: bool) -> tuple[list[str], list[str], dict[str, Any]]:  # fmt: skip
    """The ADD and SET clauses (and their values) that count one delivery or read in a source's health."""
    values: dict[str, Any] = {
        ":accepted": attribute(accepted),
        ":duplicates": attribute(duplicates),
        ":rejected": attribute(rejected),
        ":filtered": attribute(filtered),
        ":at": attribute(at.isoformat()),
    }
    adds = ["h_accepted :accepted", "h_duplicates :duplicates", "h_rejected :rejected", "h_filtered :filtered"]
    sets = ["h_last_success_at = :at"] if succeeded else []
    if error is not None:
        sets += ["h_last_error_at = :at", "h_last_error = :error"]
        values[":error"] = attribute(error[:MAX_REASON_CHARS])
    return adds, sets, values


def _config(source: Source) -> Source:
    # Health and a feed's state live in attributes of their own, updated without rewriting the document.
    return source.model_copy(update={"health": Health(), "feed_state": FeedState()})


def _health_attributes(health: Health) -> dict[str, Any]:
    item: dict[str, Any] = {
        "h_accepted": attribute(health.accepted),
        "h_duplicates": attribute(health.duplicates),
        "h_rejected": attribute(health.rejected),
        "h_filtered": attribute(health.filtered),
    }
    if health.last_success_at:
        item["h_last_success_at"] = attribute(health.last_success_at.isoformat())
    if health.last_error:
        item["h_last_error_at"] = attribute(health.last_error.at.isoformat())
        item["h_last_error"] = attribute(health.last_error.reason)
    return item


def _count(item: dict[str, Any], name: str) -> int:
    return int(plain(item[name])) if name in item else 0


def _source(item: dict[str, Any]) -> Source:
    source = Source.model_validate_json(plain(item["doc"]))
    error = None
    if "h_last_error" in item:
        error = SourceError(
            at=datetime.fromisoformat(plain(item["h_last_error_at"])), reason=plain(item["h_last_error"])
        )
    health = Health(
        accepted=_count(item, "h_accepted"),
        duplicates=_count(item, "h_duplicates"),
        rejected=_count(item, "h_rejected"),
        filtered=_count(item, "h_filtered"),
        last_success_at=datetime.fromisoformat(plain(item["h_last_success_at"]))
        if "h_last_success_at" in item
        else None,
        last_error=error,
    )
    return source.model_copy(
        update={
            "health": health,
            "feed_state": feed_state_of(item),
            "version": int(plain(item.get("version", attribute(1)))),
        }
    )


class WebhookReceipts:
    """Which Standard Webhooks message ids a source has delivered. An id is remembered only after its mentions
    were accepted: a delivery that failed half-way is retried in full (the mention claims keep that safe), and
    only a delivery that succeeded makes its replays no-ops."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._client = client or dynamodb_client()

    def _key(self, tenant_id: str, source: str, webhook_id: str) -> dict[str, Any]:
        return {"pk": attribute(SEP.join((tenant_id, "hook", source, webhook_id)))}

    def seen(self, tenant_id: str, source: str, webhook_id: str) -> bool:
        try:
            item = self._client.get_item(
                TableName=self._table, Key=self._key(tenant_id, source, webhook_id), ConsistentRead=True
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("GetItem on webhook receipts", exc) from exc
        return item is not None

    def remember(self, tenant_id: str, source: str, webhook_id: str, now: datetime) -> None:
        item = self._key(tenant_id, source, webhook_id) | {
            "expiration": attribute(int((now + RECEIPT_LIFETIME).timestamp())),
            "received_at": attribute(now.isoformat()),
        }
        try:
            self._client.put_item(TableName=self._table, Item=item)
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("PutItem on webhook receipts", exc) from exc
