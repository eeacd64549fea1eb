"""The local stack's moto fix keeps DynamoDB transactions all-or-nothing while skipping whole-table copies."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from sigap.local import moto_server


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
