"""Lazily created, cached AWS clients.

Created on first use (not at import) so tests can start moto first and the local stack can point every client
at its endpoint with the standard AWS_ENDPOINT_URL variable; `reset_clients()` drops the cache between tests.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_ses import SESClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_ssm import SSMClient

# Requests are built by Sigap's own adapters, and DynamoDB and SQS validate them again: client-side validation
# only costs CPU on every call (a scoring batch's transaction is a few hundred parameters).
_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=20, parameter_validation=False
)


@lru_cache(maxsize=1)
def dynamodb_client() -> DynamoDBClient:
    return boto3.client("dynamodb", config=_CONFIG)


@lru_cache(maxsize=1)
def sqs_client() -> SQSClient:
    return boto3.client("sqs", config=_CONFIG)


@lru_cache(maxsize=1)
def ses_client() -> SESClient:
    return boto3.client("ses", config=_CONFIG)


@lru_cache(maxsize=1)
def sns_client() -> SNSClient:
    return boto3.client("sns", config=_CONFIG)


@lru_cache(maxsize=1)
def ssm_client() -> SSMClient:
    return boto3.client("ssm", config=_CONFIG)


@lru_cache(maxsize=1)
def secrets_client() -> SecretsManagerClient:
    return boto3.client("secretsmanager", config=_CONFIG)


@lru_cache(maxsize=1)
def s3_client() -> S3Client:
    return boto3.client("s3", config=_CONFIG)


@lru_cache(maxsize=1)
def cognito_client() -> CognitoIdentityProviderClient:
    return boto3.client("cognito-idp", config=_CONFIG)


def reset_clients() -> None:
    factories = (dynamodb_client, sqs_client, ses_client, sns_client, ssm_client, secrets_client, s3_client)
    for factory in (*factories, cognito_client):
        factory.cache_clear()
