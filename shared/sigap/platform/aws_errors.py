"""Turning botocore errors into Sigap's domain errors, and the optimistic-write condition they answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.kernel.errors import QueueError, StorageError
from sigap.platform.attributes import attribute


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def storage_error(action: str, exc: ClientError | BotoCoreError) -> StorageError:
    detail = error_code(exc) if isinstance(exc, ClientError) else type(exc).__name__
    return StorageError(f"DynamoDB {action} failed: {detail}: {exc}")


def queue_error(action: str, exc: ClientError | BotoCoreError) -> QueueError:
    detail = error_code(exc) if isinstance(exc, ClientError) else type(exc).__name__
    return QueueError(f"SQS {action} failed: {detail}: {exc}")


def conditional_write(action: str, write: Callable[[], object]) -> bool:
    """Makes one conditional DynamoDB write: True when it was written, False when its condition did not hold (a
    race lost, a limit reached, an item gone); any other failure is a StorageError naming `action`."""
    try:
        write()
    except ClientError as exc:
        if error_code(exc) == "ConditionalCheckFailedException":
            return False
        raise storage_error(action, exc) from exc
    except BotoCoreError as exc:
        raise storage_error(action, exc) from exc
    return True


def cancelled_by_condition(exc: ClientError) -> bool:
    """A cancelled transaction that lost on a condition (a race), not on a failure."""
    reasons = exc.response.get("CancellationReasons") or []
    return any(reason.get("Code") == "ConditionalCheckFailed" for reason in reasons)


def version_condition(expected_version: int) -> dict[str, Any]:
    """Write only over the version that was read (0: only if nothing is stored yet)."""
    if expected_version == 0:
        return {"ConditionExpression": "attribute_not_exists(sk)"}
    return {
        "ConditionExpression": "version = :expected",
        "ExpressionAttributeValues": {":expected": attribute(expected_version)},
    }
