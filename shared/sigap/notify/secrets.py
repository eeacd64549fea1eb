"""Secrets: each channel's in SSM Parameter Store as a SecureString (never in DynamoDB, never logged, never
returned by the API after creation), and the stack's link-signing key in Secrets Manager."""

from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools.utilities import parameters
from botocore.exceptions import BotoCoreError, ClientError

from sigap.outbound.domain.models import ChannelSecret
from sigap.platform.aws import secrets_client, ssm_client
from sigap.platform.aws_errors import error_code, storage_error


class ChannelSecrets:
    def __init__(self, prefix: str) -> None:
        self._prefix = prefix.rstrip("/")

    def _name(self, owner: str, channel_id: str) -> str:
        return f"{self._prefix}/{owner}/channels/{channel_id}"

    def put(self, owner: str, channel_id: str, secret: ChannelSecret) -> None:
        try:
            ssm_client().put_parameter(
                Name=self._name(owner, channel_id),
                Value=secret.model_dump_json(),
                Type="SecureString",
                Overwrite=True,
                Description=f"Sigap channel {channel_id} of {owner}",
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("PutParameter", exc) from exc

    def secret(self, owner: str, channel_id: str) -> ChannelSecret | None:
        try:
            answer = ssm_client().get_parameter(Name=self._name(owner, channel_id), WithDecryption=True)
        except ClientError as exc:
            if error_code(exc) == "ParameterNotFound":
                return None
            raise storage_error("GetParameter", exc) from exc
        except BotoCoreError as exc:
            raise storage_error("GetParameter", exc) from exc
        return ChannelSecret.model_validate_json(answer["Parameter"].get("Value", "{}"))

    def delete(self, owner: str, channel_id: str) -> None:
        try:
            ssm_client().delete_parameter(Name=self._name(owner, channel_id))
        except ClientError as exc:
            if error_code(exc) != "ParameterNotFound":
                raise storage_error("DeleteParameter", exc) from exc
        except BotoCoreError as exc:
            raise storage_error("DeleteParameter", exc) from exc


# The link key is read through Powertools' parameters cache: a sandbox asks Secrets Manager at most every
# LINK_KEY_MAX_AGE seconds, so a rotated key reaches warm sandboxes within minutes instead of never.
LINK_KEY_MAX_AGE = 300


@lru_cache(maxsize=1)
def _secrets() -> parameters.SecretsProvider:
    # Through Sigap's own client (its retries and timeouts, and the endpoint tests and the local stack set).
    return parameters.SecretsProvider(boto3_client=secrets_client())


def link_key(secret_id: str) -> bytes:
    """The HMAC key of acknowledgement links: the secret's bytes (a text secret's UTF-8 encoding)."""
    try:
        value = _secrets().get(secret_id, max_age=LINK_KEY_MAX_AGE)
    except (ClientError, BotoCoreError) as exc:
        raise storage_error("GetSecretValue", exc) from exc
    except parameters.exceptions.GetParameterError as exc:
        cause = exc.__cause__
        if isinstance(cause, ClientError | BotoCoreError):
            raise storage_error("GetSecretValue", cause) from exc
        raise
    if isinstance(value, bytes):
        return value
    return str(value or "").encode()
