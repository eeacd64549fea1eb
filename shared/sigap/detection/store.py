"""The alerts table: alerts, their open pointers and outbox, and each tenant's detector state and hourly history.

Every item's partition key is the tenant id; the sort key says what it is:
- `ALERT#<alert id>`: one alert episode (ids start with the minute it fired, so sk order is time order);
- `OPEN#<fingerprint>`: the open alert of a fingerprint, a copy kept while it fires. Creating it is
  conditional on its absence, which is what makes two racing evaluations make one alert;
- `OUTBOX#<transition id>`: a transition stored with its alert in one transaction and deleted once it is on the
  alert-events queue, so a crash between the two never loses an event;
- `STATE`: the detector's state, written every evaluated minute conditionally on its version, and
  `BASELINE`: the part of it that changes once an hour (the hour's baseline and the last hours' records). STATE
  names the BASELINE it goes with by a digest of its content, so a sandbox that already holds that content does not
  read it again (an idle tenant's minute: one small read instead of two);
- `HOUR#<UTC hour>`: one rolled-up hour of history, kept for five weeks.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import BotoCoreError, ClientError

from sigap.detection.domain.baseline import HourRecord
from sigap.detection.domain.evaluation import DetectorState
from sigap.detection.domain.models import Alert, AlertAcknowledgement, AlertStatus, AlertTransition
from sigap.kernel.errors import StorageError
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
from sigap.platform.retry import drain

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef, WriteRequestTypeDef

HISTORY_TTL_SECONDS = 35 * 86400
BASELINE_FIELDS = {"rolled_hour", "active_since", "expectation", "recent_hours", "earlier"}
ALERT_TTL_SECONDS = 400 * 86400  # a year of alerts for post-crisis reports, and a little more
BATCH_WRITE = 25
# The BASELINE contents a sandbox keeps (a few KB each): room for about ten thousand tenants. Past it, a new tenant's
# is not kept (the ones kept stay useful; evicting in a round robin of tenants would make every read a miss).
BASELINE_CACHE_BYTES = 32 * 1024 * 1024


def _digest(doc: str) -> str:
    return hashlib.blake2b(doc.encode(), digest_size=8).hexdigest()


@dataclass(frozen=True)
class _Baseline:
    """A tenant's BASELINE item as this sandbox last read or wrote it (`doc`: None when over the cache's room)."""

    digest: str
    hour: str
    doc: str | None


class AlertsTable:
    """The detection ports (AlertStore, StateStore, HistoryStore) over the alerts table."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._client = client or dynamodb_client()
        self._baselines: dict[str, _Baseline] = {}
        self._baseline_bytes = 0
        self._baselines_lock = threading.Lock()

    # -- generic ---------------------------------------------------------------------------------------

    def _key(self, tenant_id: str, sk: str) -> dict[str, Any]:
        return {"pk": attribute(tenant_pk(tenant_id)), "sk": attribute(sk)}

    def _query(self, tenant_id: str, low: str, high: str, *, newest_first: bool = False) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": attribute(tenant_pk(tenant_id)),
                ":low": attribute(low),
                ":high": attribute(high),
            },
            "ScanIndexForward": not newest_first,
        }
        items: list[dict[str, Any]] = []
        try:
            while True:
                page = self._client.query(**request)
                items.extend(page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    return items
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("Query on alerts", exc) from exc

    def _write_all(self, requests: Sequence[WriteRequestTypeDef]) -> None:
        """BatchWriteItem in chunks of 25, every unprocessed item retried (then an error, never a drop)."""

        def write(chunk: list[WriteRequestTypeDef]) -> list[WriteRequestTypeDef] | None:
            try:
                answer = self._client.batch_write_item(RequestItems={self._table: chunk})
            except (ClientError, BotoCoreError) as exc:
                raise storage_error("BatchWriteItem on alerts", exc) from exc
            left: list[Any] = list(answer.get("UnprocessedItems", {}).get(self._table, []))
            return left or None

        for start in range(0, len(requests), BATCH_WRITE):
            drain(
                write,
                list(requests[start : start + BATCH_WRITE]),
                failure=lambda left: StorageError(f"BatchWriteItem on alerts left {len(left)} items unwritten"),
            )

    # -- alerts (AlertStore) ----------------------------------------------------------------------------

    def open_alerts(self, tenant_id: str) -> list[Alert]:
        return [Alert.model_validate_json(plain(item["doc"])) for item in self._query(tenant_id, "OPEN#", "OPEN#~")]

    def save(self, alert: Alert, expected_version: int, transition: AlertTransition | None) -> bool:
        doc = alert.model_dump_json()
        expires = attribute(int(time.time()) + ALERT_TTL_SECONDS)
        alert_condition = version_condition(expected_version)
        items: list[Any] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": self._key(alert.tenant_id, f"ALERT#{alert.alert_id}")
                    | {
                        "doc": attribute(doc),
                        "version": attribute(alert.version),
                        "status": attribute(alert.status.value),
                        "severity": attribute(alert.severity.value),
                        "rule": attribute(alert.rule.value),
                        "expires_at": expires,
                    },
                    **alert_condition,
                }
            }
        ]
        pointer = self._key(alert.tenant_id, f"OPEN#{alert.fingerprint}")
        if alert.status is AlertStatus.FIRING:
            pointer_condition: dict[str, Any] = (
                {"ConditionExpression": "attribute_not_exists(sk)"}
                if expected_version == 0
                else {
                    "ConditionExpression": "alert_id = :id",
                    "ExpressionAttributeValues": {":id": attribute(alert.alert_id)},
                }
            )
            items.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": pointer | {"alert_id": attribute(alert.alert_id), "doc": attribute(doc)},
                        **pointer_condition,
                    }
                }
            )
        else:
            items.append(
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": pointer,
                        "ConditionExpression": "alert_id = :id",
                        "ExpressionAttributeValues": {":id": attribute(alert.alert_id)},
                    }
                }
            )
        if transition is not None:
            items.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": self._key(alert.tenant_id, f"OUTBOX#{transition.transition_id}")
                        | {"doc": attribute(transition.model_dump_json()), "expires_at": expires},
                    }
                }
            )
        try:
            self._client.transact_write_items(TransactItems=cast("list[TransactWriteItemTypeDef]", items))
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException" and cancelled_by_condition(exc):
                return False  # another evaluation stored this alert (or a newer version of it) first
            raise storage_error("TransactWriteItems on alerts", exc) from exc
        except BotoCoreError as exc:
            raise storage_error("TransactWriteItems on alerts", exc) from exc
        return True

    def outbox(self, tenant_id: str) -> list[AlertTransition]:
        items = self._query(tenant_id, "OUTBOX#", "OUTBOX#~")
        return [AlertTransition.model_validate_json(plain(item["doc"])) for item in items]

    def sent(self, tenant_id: str, transition_ids: Sequence[str]) -> None:
        self._write_all(
            [
                {"DeleteRequest": {"Key": self._key(tenant_id, f"OUTBOX#{transition_id}")}}
                for transition_id in transition_ids
            ]
        )

    # -- reading alerts (the API) ------------------------------------------------------------------------

    def get(self, tenant_id: str, alert_id: str) -> Alert | None:
        try:
            item = self._client.get_item(TableName=self._table, Key=self._key(tenant_id, f"ALERT#{alert_id}")).get(
                "Item"
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("GetItem on alerts", exc) from exc
        return Alert.model_validate_json(plain(item["doc"])) if item else None

    def acknowledgement(self, tenant_id: str, alert_id: str) -> AlertAcknowledgement | None:
        doc = self._get_doc(tenant_id, f"ACK#{alert_id}")
        return AlertAcknowledgement.model_validate(doc) if doc else None

    def acknowledgements(self, tenant_id: str, first_id: str, last_id: str) -> dict[str, AlertAcknowledgement]:
        """The acknowledgements of the alerts with ids from `first_id` to `last_id` (one query for a page)."""
        items = self._query(tenant_id, f"ACK#{first_id}", f"ACK#{last_id}")
        return {
            plain(item["sk"]).removeprefix("ACK#"): AlertAcknowledgement.model_validate_json(plain(item["doc"]))
            for item in items
        }

    def record_acknowledgement(self, tenant_id: str, alert_id: str, acknowledgement: AlertAcknowledgement) -> None:
        """Keeps the first acknowledgement of the alert (a repeat, or a later one through the link, changes
        nothing)."""
        conditional_write(
            "PutItem on alerts",
            lambda: self._client.put_item(
                TableName=self._table,
                Item=self._key(tenant_id, f"ACK#{alert_id}") | {"doc": attribute(acknowledgement.model_dump_json())},
                ConditionExpression="attribute_not_exists(pk)",
            ),
        )

    def page_newest_first(
        self,
        tenant_id: str,
        *,
        low: str,
        high: str,
        limit: int,
        filters: dict[str, str],
        after: str | None = None,
    ) -> tuple[list[Alert], str | None]:
        """Up to `limit` alerts with ids in [low, high] matching `filters` (attribute → value), newest first,
        and the id to continue after (None at the end)."""
        names = {f"#f{index}": name for index, name in enumerate(filters)}
        values: dict[str, Any] = {
            ":pk": attribute(tenant_pk(tenant_id)),
            ":low": attribute(f"ALERT#{low}"),
            ":high": attribute(f"ALERT#{high}"),
        }
        values.update({f":f{index}": attribute(value) for index, value in enumerate(filters.values())})
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
        }
        if filters:
            request["FilterExpression"] = " AND ".join(f"#f{index} = :f{index}" for index in range(len(filters)))
            request["ExpressionAttributeNames"] = names
        if after is not None:
            request["ExclusiveStartKey"] = self._key(tenant_id, f"ALERT#{after}")
        alerts: list[Alert] = []
        try:
            while len(alerts) < limit:
                request["Limit"] = max(limit - len(alerts), 25) if filters else limit - len(alerts)
                page = self._client.query(**request)
                for item in page.get("Items", []):
                    alerts.append(Alert.model_validate_json(plain(item["doc"])))
                    if len(alerts) == limit:
                        return alerts, alerts[-1].alert_id
                if "LastEvaluatedKey" not in page:
                    return alerts, None
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("Query on alerts", exc) from exc
        return alerts, alerts[-1].alert_id if alerts else None

    # -- detector state (StateStore) -------------------------------------------------------------------

    def _get_item(self, tenant_id: str, sk: str) -> dict[str, Any] | None:
        try:
            return self._client.get_item(TableName=self._table, Key=self._key(tenant_id, sk)).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("GetItem on alerts", exc) from exc

    def _get_doc(self, tenant_id: str, sk: str) -> dict[str, Any] | None:
        item = self._get_item(tenant_id, sk)
        return json.loads(plain(item["doc"])) if item else None

    def _remember(self, tenant_id: str, doc: str, hour: str) -> _Baseline:
        with self._baselines_lock:  # a batch's tenants are evaluated side by side
            known = self._baselines.get(tenant_id)
            held = len(known.doc) if known is not None and known.doc is not None else 0
            fits = self._baseline_bytes - held + len(doc) <= BASELINE_CACHE_BYTES
            baseline = _Baseline(_digest(doc), hour, doc if fits else None)
            self._baseline_bytes += (len(doc) if fits else 0) - held
            self._baselines[tenant_id] = baseline
        return baseline

    def get_state(self, tenant_id: str) -> DetectorState | None:
        """The state as two items: what changes every minute (STATE, one write unit) and the hour's baseline
        (BASELINE, rewritten once an hour), so a minute's evaluation writes one small item. BASELINE is read only
        when this sandbox does not hold the content STATE names."""
        item = self._get_item(tenant_id, "STATE")
        if item is None:
            return None
        known = self._baselines.get(tenant_id)
        named = plain(item["baseline"]) if "baseline" in item else None
        if known is not None and known.doc is not None and known.digest == named:
            baseline = json.loads(known.doc) if known.doc else {}
        else:
            baseline_item = self._get_item(tenant_id, "BASELINE")
            doc = plain(baseline_item["doc"]) if baseline_item else ""
            baseline = json.loads(doc) if doc else {}
            self._remember(tenant_id, doc, str(baseline.get("rolled_hour", "")))
        return DetectorState.model_validate(json.loads(plain(item["doc"])) | baseline)

    def put_state(self, state: DetectorState, expected_version: int) -> bool:
        known = self._baselines.get(state.tenant_id)
        if known is None or known.hour != state.rolled_hour:
            # Unconditional: racing evaluations compute the same baseline from the same history.
            doc = state.model_dump_json(include=BASELINE_FIELDS)
            try:
                self._client.put_item(
                    TableName=self._table, Item=self._key(state.tenant_id, "BASELINE") | {"doc": attribute(doc)}
                )
            except (ClientError, BotoCoreError) as exc:
                raise storage_error("PutItem on alerts", exc) from exc
            known = self._remember(state.tenant_id, doc, state.rolled_hour)
        return conditional_write(
            "PutItem on alerts",
            lambda: self._client.put_item(
                TableName=self._table,
                Item=self._key(state.tenant_id, "STATE")
                | {
                    "doc": attribute(state.model_dump_json(exclude=BASELINE_FIELDS)),
                    "version": attribute(state.version),
                    "baseline": attribute(known.digest),
                },
                **version_condition(expected_version),
            ),
        )

    # -- hourly history (HistoryStore) ---------------------------------------------------------------------

    def hours(self, tenant_id: str, since_hour: str, until_hour: str) -> list[HourRecord]:
        items = self._query(tenant_id, f"HOUR#{since_hour}", f"HOUR#{until_hour}")
        return [HourRecord.model_validate_json(plain(item["doc"])) for item in items]

    def put_hours(self, tenant_id: str, records: Sequence[HourRecord]) -> None:
        expires = attribute(int(time.time()) + HISTORY_TTL_SECONDS)
        self._write_all(
            [
                {
                    "PutRequest": {
                        "Item": self._key(tenant_id, f"HOUR#{record.hour}")
                        | {"doc": attribute(record.model_dump_json()), "expires_at": expires}
                    }
                }
                for record in records
            ]
        )


class StateAdapter:
    """AlertsTable seen as the StateStore port (get/put)."""

    def __init__(self, table: AlertsTable) -> None:
        self._table = table

    def get(self, tenant_id: str) -> DetectorState | None:
        return self._table.get_state(tenant_id)

    def put(self, state: DetectorState, expected_version: int) -> bool:
        return self._table.put_state(state, expected_version)
