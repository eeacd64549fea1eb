"""Turning botocore errors into Sigap's domain errors."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from sigap.errors import QueueError, StorageError


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def storage_error(action: str, exc: ClientError | BotoCoreError) -> StorageError:
    detail = error_code(exc) if isinstance(exc, ClientError) else type(exc).__name__
    return StorageError(f"DynamoDB {action} failed: {detail}: {exc}")


def queue_error(action: str, exc: ClientError | BotoCoreError) -> QueueError:
    detail = error_code(exc) if isinstance(exc, ClientError) else type(exc).__name__
    return QueueError(f"SQS {action} failed: {detail}: {exc}")
