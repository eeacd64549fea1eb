"""Creating the template's tables and queues on any DynamoDB/SQS endpoint (moto's server or moto's in-process
mock), from the template's own properties, so local runs and tests cannot drift from what deploys."""

from __future__ import annotations

import contextlib
import json
import secrets as secrets_module
import string
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sigap_tools.local.template import Resolver, Template, TemplateError

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_ses import SESClient
    from mypy_boto3_sqs import SQSClient

REGION = "us-east-1"
ACCOUNT = "123456789012"
_TABLE_KEYS = (
    "AttributeDefinitions",
    "KeySchema",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "BillingMode",
    "ProvisionedThroughput",
    "StreamSpecification",
    "SSESpecification",
)
_QUEUE_ATTRIBUTES = (
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "MaximumMessageSize",
    "ReceiveMessageWaitTimeSeconds",
    "SqsManagedSseEnabled",
    "KmsMasterKeyId",
    "FifoQueue",
    "ContentBasedDeduplication",
)


@dataclass
class Provisioned:
    """Physical names of what was created, by logical id, and the resolver that knows them."""

    stack_name: str
    tables: dict[str, str] = field(default_factory=dict)
    queues: dict[str, dict[str, str]] = field(default_factory=dict)
    functions: dict[str, str] = field(default_factory=dict)
    apis: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    buckets: dict[str, str] = field(default_factory=dict)
    configuration_sets: dict[str, str] = field(default_factory=dict)
    user_pools: dict[str, str] = field(default_factory=dict)  # logical id -> pool id
    user_pool_clients: dict[str, str] = field(default_factory=dict)  # logical id -> client id

    def attribute(self, logical_id: str, attribute: str | None) -> str:
        if logical_id in self.tables:
            name = self.tables[logical_id]
            if attribute in (None, "Name"):
                return name
            if attribute == "Arn":
                return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
        if logical_id in self.queues:
            queue = self.queues[logical_id]
            return queue[{None: "url", "QueueUrl": "url", "Arn": "arn", "QueueName": "name"}[attribute]]
        if logical_id in self.functions:
            return self.functions[logical_id]
        if logical_id in self.apis:
            return self.apis[logical_id]
        if logical_id in self.buckets:
            bucket = self.buckets[logical_id]
            return {
                None: bucket,
                "Arn": f"arn:aws:s3:::{bucket}",
                "RegionalDomainName": f"{bucket}.s3.{REGION}.amazonaws.com",
            }.get(attribute, bucket)
        if logical_id in self.user_pools:
            pool = self.user_pools[logical_id]
            return {
                None: pool,
                "Arn": f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{pool}",
                "ProviderURL": f"cognito-idp.{REGION}.amazonaws.com/{pool}",
                "ProviderName": f"cognito-idp.{REGION}.amazonaws.com/{pool}",
            }.get(attribute, pool)
        if logical_id in self.user_pool_clients:
            return self.user_pool_clients[logical_id]
        if logical_id in self.configuration_sets:
            return self.configuration_sets[logical_id]
        if logical_id in self.secrets:  # Ref gives the ARN on AWS; moto accepts the name wherever an id goes
            return self.secrets[logical_id]
        # Layers, alarms, log groups: nothing to create locally, but a reference must still resolve.
        return f"{self.stack_name}-{logical_id}" + (f".{attribute}" if attribute else "")


def physical_name(stack_name: str, logical_id: str) -> str:
    return f"{stack_name}-{logical_id}"


def provision(
    template: Template,
    stack_name: str,
    dynamodb: DynamoDBClient,
    sqs: SQSClient,
    secrets: SecretsManagerClient | None = None,
    *,
    s3: S3Client | None = None,
    ses: SESClient | None = None,
    cognito: CognitoIdentityProviderClient | None = None,
) -> tuple[Provisioned, Resolver]:
    done = Provisioned(stack_name=stack_name)
    resolver = Resolver(template.parameters, done.attribute, template.document.get("Conditions", {}))
    for logical_id in template.resources("AWS::Serverless::Function"):
        done.functions[logical_id] = physical_name(stack_name, logical_id)
    for logical_id in template.resources("AWS::Serverless::HttpApi"):
        done.apis[logical_id] = physical_name(stack_name, logical_id)
    for logical_id, properties in template.resources("AWS::DynamoDB::Table").items():
        done.tables[logical_id] = _create_table(dynamodb, stack_name, logical_id, resolver.resolve(properties))
    queues = template.resources("AWS::SQS::Queue")
    for logical_id, properties in queues.items():
        done.queues[logical_id] = _create_queue(sqs, stack_name, logical_id, properties)
    for (
        logical_id,
        properties,
    ) in queues.items():  # redrive after every queue exists: DLQs first is not needed
        if "RedrivePolicy" in properties:
            policy = resolver.resolve(properties["RedrivePolicy"])
            sqs.set_queue_attributes(
                QueueUrl=done.queues[logical_id]["url"],
                Attributes={"RedrivePolicy": policy if isinstance(policy, str) else json.dumps(policy)},
            )
    if secrets is not None:
        for logical_id, properties in template.resources("AWS::SecretsManager::Secret").items():
            done.secrets[logical_id] = _create_secret(secrets, stack_name, logical_id, properties)
    if s3 is not None:
        for logical_id, properties in template.resources("AWS::S3::Bucket").items():
            name = physical_name(stack_name, logical_id).lower()[:63]
            with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
                s3.create_bucket(Bucket=name)
            done.buckets[logical_id] = name
            notifications = resolver.resolve(properties.get("NotificationConfiguration", {}))
            if notifications.get("QueueConfigurations"):
                # moto then sends the bucket's events to the queue, as S3 does; the local runner drives the
                # queue's function like any other SQS event source.
                s3.put_bucket_notification_configuration(
                    Bucket=name, NotificationConfiguration=_queue_notifications(notifications)
                )
    if ses is not None:
        for logical_id in template.resources("AWS::SES::ConfigurationSet"):
            name = physical_name(stack_name, logical_id)
            with contextlib.suppress(ses.exceptions.ConfigurationSetAlreadyExistsException):
                ses.create_configuration_set(ConfigurationSet={"Name": name})
            done.configuration_sets[logical_id] = name
    if cognito is not None:
        _create_user_pools(cognito, stack_name, template, resolver, done)
    return done, resolver


_POOL_KEYS = ("UsernameAttributes", "AutoVerifiedAttributes", "Policies", "AdminCreateUserConfig", "MfaConfiguration")
_CLIENT_KEYS = ("ExplicitAuthFlows", "GenerateSecret", "PreventUserExistenceErrors", "IdTokenValidity",
                "AccessTokenValidity", "RefreshTokenValidity", "TokenValidityUnits")  # fmt: skip


def _create_user_pools(
    cognito: CognitoIdentityProviderClient, stack_name: str, template: Template, resolver: Resolver, done: Provisioned
) -> None:
    """The template's user pools and app clients; a restarted local stack finds the pool it made by its name."""
    for logical_id, properties in template.resources("AWS::Cognito::UserPool").items():
        name = physical_name(stack_name, logical_id)
        existing = [pool["Id"] for pool in cognito.list_user_pools(MaxResults=60)["UserPools"] if pool["Name"] == name]
        settings = {key: value for key, value in resolver.resolve(properties).items() if key in _POOL_KEYS}
        settings.get("AdminCreateUserConfig", {}).pop("InviteMessageTemplate", None)
        done.user_pools[logical_id] = (
            existing[0] if existing else cognito.create_user_pool(PoolName=name, **settings)["UserPool"]["Id"]
        )
    for logical_id, properties in template.resources("AWS::Cognito::UserPoolClient").items():
        resolved = resolver.resolve(properties)
        pool = resolved["UserPoolId"]
        name = resolved.get("ClientName") or physical_name(stack_name, logical_id)
        clients = cognito.list_user_pool_clients(UserPoolId=pool, MaxResults=60)["UserPoolClients"]
        known = [client["ClientId"] for client in clients if client["ClientName"] == name]
        settings = {key: value for key, value in resolved.items() if key in _CLIENT_KEYS}
        done.user_pool_clients[logical_id] = (
            known[0]
            if known
            else cognito.create_user_pool_client(UserPoolId=pool, ClientName=name, **settings)["UserPoolClient"][
                "ClientId"
            ]
        )


def _queue_notifications(notifications: dict[str, Any]) -> Any:
    """CloudFormation's QueueConfigurations (Queue, Filter.S3Key.Rules) as the S3 API writes them."""
    return {
        "QueueConfigurations": [
            {
                "QueueArn": queue["Queue"],
                "Events": [queue["Event"]],
                "Filter": {"Key": {"FilterRules": queue.get("Filter", {}).get("S3Key", {}).get("Rules", [])}},
            }
            for queue in notifications["QueueConfigurations"]
        ]
    }


def _create_secret(secrets: SecretsManagerClient, stack_name: str, logical_id: str, properties: dict[str, Any]) -> str:
    """A secret as CloudFormation makes one from GenerateSecretString: random, of its length, letters and digits."""
    name = physical_name(stack_name, logical_id)
    generate = properties.get("GenerateSecretString", {})
    length = int(generate.get("PasswordLength", 32))
    value = "".join(secrets_module.choice(string.ascii_letters + string.digits) for _ in range(length))
    with contextlib.suppress(secrets.exceptions.ResourceExistsException):  # a restart keeps the key it had
        secrets.create_secret(Name=name, SecretString=value)
    return name


def _create_table(dynamodb: DynamoDBClient, stack_name: str, logical_id: str, properties: dict[str, Any]) -> str:
    name = properties.get("TableName") or physical_name(stack_name, logical_id)
    request: dict[str, Any] = {key: properties[key] for key in _TABLE_KEYS if key in properties}
    sse = request.pop("SSESpecification", None)
    if sse:  # CloudFormation says SSEEnabled / KMSMasterKeyId; the API says Enabled / KMSMasterKeyId
        request["SSESpecification"] = {"Enabled": bool(sse.get("SSEEnabled", True))} | {
            key: sse[key] for key in ("SSEType", "KMSMasterKeyId") if key in sse
        }
    if "KeySchema" not in request:
        raise TemplateError(f"table {logical_id} has no KeySchema")
    dynamodb.create_table(TableName=name, **request)
    ttl = properties.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True}
        )
    return str(name)


def _create_queue(sqs: SQSClient, stack_name: str, logical_id: str, properties: dict[str, Any]) -> dict[str, str]:
    name = properties.get("QueueName") or physical_name(stack_name, logical_id)
    if properties.get("FifoQueue") and not str(name).endswith(".fifo"):
        name = f"{name}.fifo"
    attributes = {
        key: str(properties[key]).lower() if isinstance(properties[key], bool) else str(properties[key])
        for key in _QUEUE_ATTRIBUTES
        if key in properties
    }
    url = sqs.create_queue(QueueName=str(name), Attributes=attributes)["QueueUrl"]  # type: ignore[arg-type]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return {"name": str(name), "url": url, "arn": arn}
