"""Powertools idempotency backed by the stack's idempotency table (keys prefixed with the tenant id)."""

from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from sigap.platform.aws import dynamodb_client


@lru_cache(maxsize=4)
def idempotency_store(table_name: str) -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(table_name=table_name, key_attr="pk", boto3_client=dynamodb_client())
