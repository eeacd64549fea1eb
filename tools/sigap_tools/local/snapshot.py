"""The local stack's memory across restarts: on a clean stop every table's items and every queue's waiting
messages are exported through the AWS APIs to `.sigap/state/`, and loaded into the new resources on the next
start. Tenants, API keys, mentions, aggregates and unscored mentions all survive; `sigap up --fresh` starts
empty. (moto keeps everything in memory, so without this a restart forgot it all.)

    .sigap/state/manifest.json          what was saved, when, with which template parameters
    .sigap/state/tables/<Logical>.jsonl one DynamoDB item per line, in DynamoDB's JSON
    .sigap/state/queues/<Logical>.jsonl one message per line: body and message attributes
    .sigap/state/parameters.jsonl       channel secrets (SSM SecureStrings) and the link key (Secrets Manager)
    .sigap/state/buckets/<Logical>.jsonl  the status site's files (key, content type, cache control, body)
"""

from __future__ import annotations

import base64
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sigap.kernel.errors import StorageError
from sigap.platform.retry import drain
from sigap_tools.local.provision import Provisioned

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_ssm import SSMClient

FORMAT = 1
_WRITE_BATCH = 25
_SEND_BATCH = 10


@dataclass(frozen=True)
class SnapshotCounts:
    items: int
    messages: int


def export_state(
    provisioned: Provisioned,
    dynamodb: DynamoDBClient,
    sqs: SQSClient,
    folder: Path,
    *,
    include_queues: bool = True,
    ssm: SSMClient | None = None,
    secrets: SecretsManagerClient | None = None,
    s3: S3Client | None = None,
    **about: Any,
) -> SnapshotCounts:
    """Writes every table and queue to `folder` (replacing what it held), atomically: a new folder renamed.

    Queues can only be read by receiving, so a snapshot taken while the stack runs (`include_queues=False`)
    holds the tables alone and is marked incomplete; see `LocalStack` for how mentions queued then are kept."""
    started = datetime.now(UTC)  # what this snapshot holds was read after this moment
    staging = folder.with_name(folder.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "tables").mkdir(parents=True)
    (staging / "queues").mkdir(parents=True)
    items = messages = 0
    for logical_id, table in provisioned.tables.items():
        with (staging / "tables" / f"{logical_id}.jsonl").open("w", encoding="utf-8") as out:
            for page in dynamodb.get_paginator("scan").paginate(TableName=table):
                for item in page.get("Items", []):
                    out.write(json.dumps(_portable(item), ensure_ascii=False) + "\n")
                    items += 1
    for logical_id, queue in provisioned.queues.items() if include_queues else ():
        with (staging / "queues" / f"{logical_id}.jsonl").open("w", encoding="utf-8") as out:
            for message in _drain(sqs, queue["url"]):
                out.write(json.dumps(message, ensure_ascii=False) + "\n")
                messages += 1
    with (staging / "parameters.jsonl").open("w", encoding="utf-8") as out:
        for row in _secret_values(provisioned, ssm, secrets):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    if s3 is not None:
        (staging / "buckets").mkdir()
        for logical_id, bucket in provisioned.buckets.items():
            with (staging / "buckets" / f"{logical_id}.jsonl").open("w", encoding="utf-8") as out:
                for listing in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                    for listed in listing.get("Contents", []):
                        found = s3.get_object(Bucket=bucket, Key=listed["Key"])
                        row = {
                            "key": listed["Key"],
                            "content_type": found.get("ContentType", "application/octet-stream"),
                            "cache_control": found.get("CacheControl", ""),
                            "body": base64.b64encode(found["Body"].read()).decode(),
                        }
                        out.write(json.dumps(row) + "\n")
    manifest = {
        "format": FORMAT,
        "started_at": started.isoformat(),
        "saved_at": datetime.now(UTC).isoformat(),
        "complete": include_queues,
        "items": items,
        "messages": messages,
    }
    (staging / "manifest.json").write_text(json.dumps(manifest | about, indent=2), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return SnapshotCounts(items, messages)


def _secret_values(
    provisioned: Provisioned, ssm: SSMClient | None, secrets: SecretsManagerClient | None
) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    if ssm is not None:
        for page in ssm.get_paginator("get_parameters_by_path").paginate(Path="/", Recursive=True, WithDecryption=True):
            rows.extend(
                {"ssm": parameter["Name"], "value": parameter["Value"], "type": parameter["Type"]}
                for parameter in page.get("Parameters", [])
            )
    if secrets is not None:
        for name in provisioned.secrets.values():
            value = secrets.get_secret_value(SecretId=name).get("SecretString", "")
            rows.append({"secret": name, "value": value})
    return rows


def _drain(sqs: SQSClient, url: str) -> list[dict[str, Any]]:
    """Every message visible on the queue (the stack is stopped, so none is being handled)."""
    found: list[dict[str, Any]] = []
    while True:
        answer = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=900,
            WaitTimeSeconds=0,
            MessageAttributeNames=["All"],
        )
        received = answer.get("Messages", [])
        if not received:
            return found
        found.extend(
            {"body": message["Body"], "attributes": message.get("MessageAttributes", {})} for message in received
        )


def saved_manifest(folder: Path) -> dict[str, Any] | None:
    path = folder / "manifest.json"
    if not path.is_file():
        return None
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest if manifest.get("format") == FORMAT else None


def _write_batch(dynamodb: DynamoDBClient) -> Any:
    """One BatchWriteItem; what DynamoDB left unprocessed, for `drain` to send again."""

    def write(pending: Any) -> Any:
        return dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or None

    return write


def _portable(item: dict[str, Any]) -> dict[str, Any]:
    """An item in DynamoDB's JSON with its binary values (author sketches, deflated documents) as base64."""
    return {name: _value_out(value) for name, value in item.items()}


def _value_out(value: dict[str, Any]) -> dict[str, Any]:
    if "B" in value:
        return {"B64": base64.b64encode(bytes(value["B"])).decode("ascii")}
    if "BS" in value:
        return {"BS64": [base64.b64encode(bytes(member)).decode("ascii") for member in value["BS"]]}
    if "M" in value:
        return {"M": _portable(value["M"])}
    if "L" in value:
        return {"L": [_value_out(member) for member in value["L"]]}
    return value


def _restored(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _value_in(value) for name, value in item.items()}


def _value_in(value: dict[str, Any]) -> dict[str, Any]:
    if "B64" in value:
        return {"B": base64.b64decode(value["B64"])}
    if "BS64" in value:
        return {"BS": [base64.b64decode(member) for member in value["BS64"]]}
    if "M" in value:
        return {"M": _restored(value["M"])}
    if "L" in value:
        return {"L": [_value_in(member) for member in value["L"]]}
    return value


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def import_state(
    provisioned: Provisioned,
    dynamodb: DynamoDBClient,
    sqs: SQSClient,
    folder: Path,
    *,
    ssm: SSMClient | None = None,
    secrets: SecretsManagerClient | None = None,
    s3: S3Client | None = None,
) -> SnapshotCounts:
    """Loads a snapshot into freshly provisioned resources, matched by logical id."""
    items = messages = 0
    parameters = folder / "parameters.jsonl"
    for row in _read_jsonl(parameters) if parameters.is_file() else []:
        if "ssm" in row and ssm is not None:
            ssm.put_parameter(Name=row["ssm"], Value=row["value"], Type=row["type"], Overwrite=True)
        elif "secret" in row and secrets is not None:  # the key earlier links were signed with
            secrets.put_secret_value(SecretId=row["secret"], SecretString=row["value"])
    for logical_id, table in provisioned.tables.items():
        path = folder / "tables" / f"{logical_id}.jsonl"
        if not path.is_file():
            continue
        rows = _read_jsonl(path)
        failure = StorageError(f"could not restore every item of {logical_id}")

        def refused(_: Any, error: StorageError = failure) -> StorageError:
            return error

        for start in range(0, len(rows), _WRITE_BATCH):
            chunk = rows[start : start + _WRITE_BATCH]
            request: Any = {table: [{"PutRequest": {"Item": _restored(row)}} for row in chunk]}
            drain(_write_batch(dynamodb), request, failure=refused)
        items += len(rows)
    for logical_id, queue in provisioned.queues.items():
        path = folder / "queues" / f"{logical_id}.jsonl"
        if not path.is_file():
            continue
        saved = _read_jsonl(path)
        for start in range(0, len(saved), _SEND_BATCH):
            entries: Any = [
                {"Id": str(index), "MessageBody": message["body"], "MessageAttributes": message["attributes"]}
                for index, message in enumerate(saved[start : start + _SEND_BATCH])
            ]
            failed = sqs.send_message_batch(QueueUrl=queue["url"], Entries=entries).get("Failed", [])
            if failed:
                raise RuntimeError(f"could not restore {len(failed)} message(s) to {logical_id}: {failed[0]}")
        messages += len(saved)
    for logical_id, bucket in provisioned.buckets.items() if s3 is not None else ():
        path = folder / "buckets" / f"{logical_id}.jsonl"
        for row in _read_jsonl(path) if path.is_file() else []:
            s3.put_object(  # type: ignore[union-attr]
                Bucket=bucket,
                Key=row["key"],
                Body=base64.b64decode(row["body"]),
                ContentType=row["content_type"],
                CacheControl=row["cache_control"],
            )
    return SnapshotCounts(items, messages)
