"""The stack's link-signing key (acknowledgement and subscription links), in Secrets Manager."""

from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools.utilities import parameters
from botocore.exceptions import BotoCoreError, ClientError

from sigap.platform.aws import secrets_client
from sigap.platform.aws_errors import storage_error

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
