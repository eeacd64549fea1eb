"""The publishing table: a tenant's statements with their audit, publishing settings and templates; the
delivery of each statement version per target, with a claim per send; subscribers, suppressions and sending
stats; reminder marks and the lessons of each incident's report.

Partition key: the tenant. Sort keys:
- `SETTINGS`, `TEMPLATE#<name>`, `STATS`, `LESSONS#<incident id>`;
- `STATEMENT#<id>` (changed on its version), `AUDIT#<statement id>#<entry id>` (written once each);
- `DELIV#<statement id>#<version>#<target>`: counters of sent, failed and skipped, the state and last error;
- `CLAIM#<statement id>#<version>#<key>`: one per send (staff, channel:<id>, rcpt:<email>), `sending` with its
  time while a worker holds it, `done` once sent or given up on;
- `SUB#<email>`, `SUPP#<email>`: subscribers and the addresses never written to again;
- `MARK#<key>`: a reminder sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.kernel.models import as_utc
from sigap.platform.attributes import attribute, plain, value_of
from sigap.platform.aws_errors import error_code, storage_error
from sigap.platform.documents import DocumentTable, M
from sigap.platform.dynamo_pages import batch_items
from sigap.statements.domain.models import (
    AuditEntry,
    ChannelDelivery,
    DeliveryState,
    PublishingSettings,
    Statement,
    Subscriber,
    SubscriberState,
)
from sigap.statements.domain.publisher_ports import LEASE, Claim
from sigap.statements.domain.subscribers import SendingStats, Suppression
from sigap.statements.domain.templates import StatementTemplate

_COUNTER = {DeliveryState.SENT: "sent", DeliveryState.FAILED: "failed", DeliveryState.SKIPPED: "skipped"}


class PublishingTable(DocumentTable):
    label = "publishing"

    # -- settings, templates, lessons ----------------------------------------------------------------------

    def settings(self, tenant_id: str) -> PublishingSettings:
        return self._get_model(tenant_id, "SETTINGS", PublishingSettings) or PublishingSettings()

    def put_settings(self, tenant_id: str, settings: PublishingSettings) -> None:
        self._conditional_put(self._put_item(tenant_id, "SETTINGS", settings))

    def template(self, tenant_id: str, name: str) -> StatementTemplate | None:
        return self._get_model(tenant_id, f"TEMPLATE#{name}", StatementTemplate)

    def templates(self, tenant_id: str) -> dict[str, StatementTemplate]:
        items, _ = self._query(tenant_id, "TEMPLATE#")
        return {
            str(plain(item["sk"])).removeprefix("TEMPLATE#"): StatementTemplate.model_validate_json(plain(item["doc"]))
            for item in items
        }

    def put_template(self, tenant_id: str, name: str, template: StatementTemplate) -> None:
        self._conditional_put(self._put_item(tenant_id, f"TEMPLATE#{name}", template))

    def delete_template(self, tenant_id: str, name: str) -> None:
        self._delete(tenant_id, f"TEMPLATE#{name}")

    def lessons(self, tenant_id: str, incident_id: str) -> str:
        item = self._get(tenant_id, f"LESSONS#{incident_id}")
        return str(plain(item["text"])) if item else ""

    def put_lessons(self, tenant_id: str, incident_id: str, text: str) -> None:
        try:
            self._client.put_item(
                TableName=self._table, Item=self._key(tenant_id, f"LESSONS#{incident_id}") | {"text": attribute(text)}
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("PutItem on publishing", exc) from exc

    # -- statements ----------------------------------------------------------------------------------------

    def statement(self, tenant_id: str, statement_id: str) -> Statement | None:
        return self._get_model(tenant_id, f"STATEMENT#{statement_id}", Statement)

    def statements_of(self, tenant_id: str) -> list[Statement]:
        return self._models(tenant_id, "STATEMENT#", Statement)

    def save_statement(self, statement: Statement, expected_version: int, audit: Sequence[AuditEntry]) -> bool:
        tenant_id = statement.tenant_id
        items: list[dict[str, Any]] = [
            {
                "Put": self._put_item(
                    tenant_id,
                    f"STATEMENT#{statement.statement_id}",
                    statement,
                    version=statement.version,
                    expected=expected_version,
                )
            }
        ]
        items += [
            {"Put": self._put_item(tenant_id, f"AUDIT#{statement.statement_id}#{entry.entry_id}", entry)}
            for entry in audit
        ]
        return self._transact(items)

    def audit(self, tenant_id: str, statement_id: str) -> list[AuditEntry]:
        return self._models(tenant_id, f"AUDIT#{statement_id}#", AuditEntry)

    # -- deliveries ----------------------------------------------------------------------------------------

    def deliveries(self, tenant_id: str, statement_id: str) -> dict[int, list[ChannelDelivery]]:
        items, _ = self._query(tenant_id, f"DELIV#{statement_id}#")
        found: dict[int, list[ChannelDelivery]] = {}
        for item in items:
            _, _, version, target = str(plain(item["sk"])).split("#", 3)
            found.setdefault(int(version), []).append(_delivery(target, item))
        return found

    def mark(self, tenant_id: str, statement_id: str, version: int, delivery: ChannelDelivery) -> None:
        """Sets a target's state (and error) without touching its counters."""
        values: dict[str, Any] = {
            ":state": attribute(delivery.state.value),
            ":at": attribute((delivery.updated_at or datetime.now().astimezone()).isoformat()),
        }
        expression = "SET #state = :state, updated_at = :at"
        if delivery.sent:
            values[":sent"] = attribute(delivery.sent)
            expression += ", sent = :sent"
        if delivery.last_error:
            values[":error"] = attribute(delivery.last_error[:1000])
            expression += ", last_error = :error"
        self._update(
            tenant_id, f"DELIV#{statement_id}#{version}#{delivery.target}", expression, values, {"#state": "state"}
        )

    def claim(self, tenant_id: str, statement_id: str, version: int, key: str, now: datetime) -> Claim:
        sk = f"CLAIM#{statement_id}#{version}#{key}"
        try:
            self._client.put_item(
                TableName=self._table,
                Item=self._key(tenant_id, sk)
                | {"state": attribute("sending"), "claimed_at": attribute(now.isoformat())},
                ConditionExpression="attribute_not_exists(sk) OR (#state = :sending AND claimed_at < :stale)",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":sending": attribute("sending"),
                    ":stale": attribute((now - LEASE).isoformat()),
                },
            )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise storage_error("PutItem on publishing", exc) from exc
            item = self._get(tenant_id, sk)
            return Claim.DONE if item and value_of(item, "state") == "done" else Claim.BUSY
        except BotoCoreError as exc:
            raise storage_error("PutItem on publishing", exc) from exc
        return Claim.NEW

    def release(self, tenant_id: str, statement_id: str, version: int, key: str) -> None:
        self._delete(tenant_id, f"CLAIM#{statement_id}#{version}#{key}")

    def finish(
        self,
        tenant_id: str,
        statement_id: str,
        version: int,
        keys: Sequence[str],
        target: str,
        outcome: DeliveryState,
        now: datetime,
        error: str | None = None,
    ) -> None:
        """Marks each claim done and counts them on the target, in one transaction: a retried task that finds a
        claim done counts nothing again."""
        counter = _COUNTER[outcome]
        values: dict[str, Any] = {
            ":n": attribute(len(keys)),
            ":zero": attribute(0),
            ":at": attribute(now.isoformat()),
        }
        expression = f"SET {counter} = if_not_exists({counter}, :zero) + :n, updated_at = :at"
        if outcome is DeliveryState.FAILED and error:
            values[":error"] = attribute(error[:1000])
            expression += ", last_error = :error"
        if target != "subscribers" or outcome is DeliveryState.FAILED:
            values[":state"] = attribute(outcome.value)
            expression += ", #state = :state"
        elif outcome is DeliveryState.SENT:
            values[":sending"] = attribute(DeliveryState.SENT.value)
            expression += ", #state = :sending"
        names = {"#state": "state"} if ":state" in values or ":sending" in values else None
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": self._key(tenant_id, f"DELIV#{statement_id}#{version}#{target}"),
            "UpdateExpression": expression,
            "ExpressionAttributeValues": values,
        }
        if names:
            update["ExpressionAttributeNames"] = names
        items: list[dict[str, Any]] = [{"Update": update}]
        done = {
            "state": attribute("done"),
            "outcome": attribute(outcome.value),
            "claimed_at": attribute(now.isoformat()),
        }
        for key in keys:
            items.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": self._key(tenant_id, f"CLAIM#{statement_id}#{version}#{key}") | done,
                        "ConditionExpression": "attribute_not_exists(#state) OR #state <> :done",
                        "ExpressionAttributeNames": {"#state": "state"},
                        "ExpressionAttributeValues": {":done": attribute("done")},
                    }
                }
            )
        if not keys:
            self._update_raw(update)
            return
        for start in range(0, len(items), 100):
            self._transact(items[start : start + 100])

    def _update(
        self, tenant_id: str, sk: str, expression: str, values: dict[str, Any], names: dict[str, str] | None = None
    ) -> None:
        request: dict[str, Any] = {
            "TableName": self._table,
            "Key": self._key(tenant_id, sk),
            "UpdateExpression": expression,
            "ExpressionAttributeValues": values,
        }
        if names:
            request["ExpressionAttributeNames"] = names
        self._update_raw(request)

    def _update_raw(self, request: dict[str, Any]) -> None:
        try:
            self._client.update_item(**request)
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("UpdateItem on publishing", exc) from exc

    # -- subscribers ---------------------------------------------------------------------------------------

    def subscriber(self, tenant_id: str, email: str) -> Subscriber | None:
        return self._get_model(tenant_id, f"SUB#{email}", Subscriber)

    def put_subscriber(self, subscriber: Subscriber) -> None:
        self._conditional_put(self._put_item(subscriber.tenant_id, f"SUB#{subscriber.email}", subscriber))

    def confirmed_subscribers(self, tenant_id: str) -> list[Subscriber]:
        return [s for s in self._models(tenant_id, "SUB#", Subscriber) if s.state is SubscriberState.CONFIRMED]

    def subscribers_by_email(self, tenant_id: str, emails: Sequence[str]) -> dict[str, Subscriber]:
        return {
            subscriber.email: subscriber
            for subscriber in self._batch_models(tenant_id, [f"SUB#{email}" for email in emails], Subscriber)
        }

    def suppressed(self, tenant_id: str, emails: Sequence[str]) -> set[str]:
        keys = [f"SUPP#{email}" for email in emails]
        return {found.email for found in self._batch_models(tenant_id, keys, Suppression)}

    def _batch_models(self, tenant_id: str, sort_keys: Sequence[str], model: type[M]) -> list[M]:
        """Every one of the items that exists, read consistently: nothing asked for is dropped."""
        keys = [self._key(tenant_id, sk) for sk in dict.fromkeys(sort_keys)]
        items = batch_items(self._client, self._table, keys, "BatchGetItem on publishing", consistent=True)
        return [model.model_validate_json(plain(item["doc"])) for item in items]

    def subscriber_counts(self, tenant_id: str) -> dict[str, int]:
        counts = {state.value: 0 for state in SubscriberState}
        for subscriber in self._models(tenant_id, "SUB#", Subscriber):
            counts[subscriber.state.value] += 1
        return counts

    def suppression(self, tenant_id: str, email: str) -> Suppression | None:
        return self._get_model(tenant_id, f"SUPP#{email}", Suppression)

    def suppress(self, tenant_id: str, suppression: Suppression) -> None:
        self._conditional_put(self._put_item(tenant_id, f"SUPP#{suppression.email}", suppression))

    def stats(self, tenant_id: str) -> SendingStats:
        item = self._get(tenant_id, "STATS")
        if item is None:
            return SendingStats()
        paused = value_of(item, "paused_at")
        return SendingStats(
            sent=int(value_of(item, "sent", 0)),
            bounces=int(value_of(item, "bounces", 0)),
            complaints=int(value_of(item, "complaints", 0)),
            paused_at=as_utc(datetime.fromisoformat(paused)) if paused else None,
            paused_reason=value_of(item, "paused_reason", ""),
        )

    def count_sent(self, tenant_id: str, sent: int) -> None:
        self._update(tenant_id, "STATS", "ADD sent :n", {":n": attribute(sent)})

    def record_feedback(self, tenant_id: str, bounces: int, complaints: int) -> SendingStats:
        self._update(
            tenant_id,
            "STATS",
            "ADD bounces :b, complaints :c",
            {":b": attribute(bounces), ":c": attribute(complaints)},
        )
        return self.stats(tenant_id)

    def pause(self, tenant_id: str, at: datetime, reason: str) -> None:
        self._update(
            tenant_id,
            "STATS",
            "SET paused_at = :at, paused_reason = :why",
            {":at": attribute(at.isoformat()), ":why": attribute(reason[:500])},
        )

    def resume(self, tenant_id: str) -> None:
        self._update(
            tenant_id,
            "STATS",
            "REMOVE paused_at, paused_reason SET complaints = :zero, sent = :zero",
            {":zero": attribute(0)},
        )

    # -- reminder marks ------------------------------------------------------------------------------------

    def first_time(self, tenant_id: str, key: str, at: datetime) -> bool:
        return self._conditional_put(
            {
                "TableName": self._table,
                "Item": self._key(tenant_id, f"MARK#{key}") | {"at": attribute(at.isoformat())},
                "ConditionExpression": "attribute_not_exists(sk)",
            }
        )

    def forget(self, tenant_id: str, key: str) -> None:
        self._delete(tenant_id, f"MARK#{key}")


def _delivery(target: str, item: dict[str, Any]) -> ChannelDelivery:
    updated = value_of(item, "updated_at")
    return ChannelDelivery(
        target=target,
        state=DeliveryState(value_of(item, "state", DeliveryState.PENDING.value)),
        sent=int(value_of(item, "sent", 0)),
        failed=int(value_of(item, "failed", 0)),
        skipped=int(value_of(item, "skipped", 0)),
        last_error=value_of(item, "last_error"),
        updated_at=as_utc(datetime.fromisoformat(updated)) if updated else None,
    )
