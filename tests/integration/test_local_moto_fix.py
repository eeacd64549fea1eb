"""The local stack's moto fix keeps DynamoDB transactions all-or-nothing while skipping whole-table copies."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from sigap_tools.local import moto_server


@pytest.fixture
def patched_moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    # install() patches moto process-wide; monkeypatch puts both patched names back after the test.
    for name in ("transact_write_items", "put_item", "update_item", "delete_item", "batch_write_item"):
        monkeypatch.setattr(DynamoDBBackend, name, getattr(DynamoDBBackend, name))
    monkeypatch.setattr(moto_server.dynamodb_models, "copy", moto_server.dynamodb_models.copy)
    moto_server.install()
    assert DynamoDBBackend.transact_write_items.__name__ == "transact_write_items"
    assert DynamoDBBackend.transact_write_items is not moto_server._original_transact
    with mock_aws():
        yield


def test_a_cancelled_transaction_leaves_no_partial_write(patched_moto: None) -> None:
    client = boto3.client("dynamodb")
    client.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.put_item(TableName="t", Item={"pk": {"S": "exists"}, "n": {"N": "1"}})
    # Given a transaction whose first two writes succeed and whose last one's condition fails
    with pytest.raises(ClientError, match="TransactionCanceled"):
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "t", "Item": {"pk": {"S": "new"}}}},
                {
                    "Update": {
                        "TableName": "t",
                        "Key": {"pk": {"S": "exists"}},
                        "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": "t",
                        "Key": {"pk": {"S": "missing"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    # Then neither the put nor the update happened
    items = {item["pk"]["S"]: item for item in client.scan(TableName="t")["Items"]}
    assert set(items) == {"exists"}
    assert items["exists"]["n"] == {"N": "1"}


def _apply_aggregate_updates(client: object, table: str) -> list[dict[str, object]]:
    client.create_table(  # type: ignore[attr-defined]
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for step, (count, risk, authors) in enumerate([(1, "0.25", ["a"]), (2, "0.5", ["a", "b"]), (3, "1.125", ["c"])]):
        client.update_item(  # type: ignore[attr-defined]
            TableName=table,
            Key={"pk": {"S": "t#A#00"}, "sk": {"S": "2026-11-22T10:00"}},
            UpdateExpression="ADD #c0 :c0, #c1 :c1, #s0 :s0 SET expires_at = if_not_exists(expires_at, :exp)",
            ExpressionAttributeNames={"#c0": "n_total", "#c1": "risk_sum", "#s0": "authors"},
            ExpressionAttributeValues={
                ":c0": {"N": str(count)},
                ":c1": {"N": risk},
                ":s0": {"SS": authors},
                ":exp": {"N": str(1000 + step)},
            },
        )
    items: list[dict[str, object]] = client.scan(TableName=table)["Items"]  # type: ignore[attr-defined]
    return items


def test_the_fast_aggregate_update_gives_what_moto_gives(patched_moto: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the same ADD/SET updates applied through the fast path and through moto's own update
    moto_update = moto_server._original_update

    def refuse(*_: object) -> None:
        raise AssertionError("moto's own update ran: the fast path was not taken")

    monkeypatch.setattr(moto_server, "_original_update", refuse)
    fast = _apply_aggregate_updates(boto3.client("dynamodb"), "fast")
    monkeypatch.setattr(moto_server, "_original_update", moto_update)
    monkeypatch.setattr(moto_server, "_plain_update", lambda expression: None)
    slow = _apply_aggregate_updates(boto3.client("dynamodb"), "moto")
    # Then the stored items are the same: sums, set union, and the first expiry kept
    for items in (fast, slow):
        for item in items:
            item["authors"] = {"SS": sorted(item["authors"]["SS"])}  # type: ignore[index]
    assert fast == slow
    assert fast[0]["n_total"] == {"N": "6"}
    assert fast[0]["risk_sum"] == {"N": "1.875"}
    assert fast[0]["expires_at"] == {"N": "1000"}
