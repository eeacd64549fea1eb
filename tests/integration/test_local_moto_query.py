"""The local stack's moto fix for Query: a base-table Query reads its own partition, and answers exactly what moto
answered before (order, paging, ranges, indexes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.table import Table

from sigap_tools.local import moto_server


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "gpk", "gsk")],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "ByG",
                    "KeySchema": [
                        {"AttributeName": "gpk", "KeyType": "HASH"},
                        {"AttributeName": "gsk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        for partition in ("a", "b", "c"):
            for number in range(40):
                item = {"pk": {"S": partition}, "sk": {"S": f"{number:03d}"}, "gpk": {"S": "g"}}
                client.put_item(TableName="t", Item=item | {"gsk": {"S": f"{partition}{number:03d}"}})
        yield client


def every_page(client: Any, **request: Any) -> list[str]:
    found, request = [], {"TableName": "t", **request}
    while True:
        page = client.query(**request)
        found += [item["sk"]["S"] + item["pk"]["S"] for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return found
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


QUERIES: list[dict[str, Any]] = [
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "b"}}, "Limit": 7},
    {
        "KeyConditionExpression": "pk = :p AND sk BETWEEN :l AND :h",
        "ExpressionAttributeValues": {":p": {"S": "c"}, ":l": {"S": "005"}, ":h": {"S": "031"}},
        "ScanIndexForward": False,
        "Limit": 6,
    },
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "missing"}}},
    {
        "IndexName": "ByG",
        "KeyConditionExpression": "gpk = :g AND begins_with(gsk, :b)",
        "ExpressionAttributeValues": {":g": {"S": "g"}, ":b": {"S": "a01"}},
        "Limit": 4,
    },
]


@pytest.mark.parametrize("query", QUERIES, ids=["partition", "range-reversed", "empty", "index"])
def test_a_query_answers_as_moto_did_reading_only_its_partition(dynamodb: Any, query: dict[str, Any]) -> None:
    # Given what moto answers unpatched
    expected = every_page(dynamodb, **query)
    # When the local stack's fixes are installed, every item the table is listed is counted
    listed: list[int] = []
    with moto_server.installed():
        original = Table.all_items

        def counting(self: Table) -> list[Any]:
            items = original(self)
            listed.append(len(items))
            return items

        Table.all_items = counting  # type: ignore[method-assign]
        try:
            answered = every_page(dynamodb, **query)
        finally:
            Table.all_items = original  # type: ignore[method-assign]
    # Then the answer is the same, page for page, and a base-table query lists one partition, not the table
    assert answered == expected
    if "IndexName" not in query:
        assert max(listed, default=0) <= 40


def test_an_index_query_never_fails_while_another_thread_adds_partitions(dynamodb: Any) -> None:
    import sys
    import threading

    # Given the local stack's moto, and a thread adding new partitions as fast as it can (on AWS, a read never
    # sees another request's write half done)
    failures: list[BaseException] = []
    done = threading.Event()
    for first in range(0, 500, 25):  # a table of many partitions: moto's listing of them takes a while
        writes = [
            {"PutRequest": {"Item": {"pk": {"S": f"old{number}"}, "sk": {"S": "0"}, "gpk": {"S": "h"}}}}
            for number in range(first, first + 25)
        ]
        dynamodb.batch_write_item(RequestItems={"t": writes})

    def writer() -> None:
        number = 0
        while not done.is_set() and number < 2_000:
            item = {"pk": {"S": f"new{number}"}, "sk": {"S": "0"}, "gpk": {"S": "h"}}
            dynamodb.put_item(TableName="t", Item=item)
            number += 1

    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can: a race shows in a short run
    with moto_server.installed():
        thread = threading.Thread(target=writer)
        thread.start()
        try:
            # When this thread queries the index meanwhile, which moto answers by listing every partition
            for _ in range(30):
                try:
                    every_page(dynamodb, **QUERIES[3])
                except Exception as exc:  # every failure is collected and reported below
                    failures.append(exc)
        finally:
            done.set()
            thread.join()
            sys.setswitchinterval(switching)
    # Then no query failed ("dictionary changed size during iteration" came from moto's own listing)
    assert failures == []
