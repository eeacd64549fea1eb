"""Checking that a webhook request comes from the tool its source registered, by the source's verification.

Every comparison is constant-time (hmac.compare_digest), each valid secret is tried (two during a rotation's
overlap), and a failure names the check that failed, never the secret. Standard Webhooks requests are checked by
the `standardwebhooks` package (5 minutes' tolerance); its errors on malformed headers (a signature without a
version, bad base64, a body that is not UTF-8) are caught here so a forged request is a 401, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from standardwebhooks import Webhook, WebhookVerificationError

from sigap.sources.domain import Source, Verification

MAX_WEBHOOK_ID_CHARS = 200


class VerificationFailedError(Exception):
    """The request is not from the source's tool: `reason` says which check failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Verified:
    webhook_id: str | None  # Standard Webhooks' message id: a second delivery of it is a replay


def verify(
    source: Source, body: bytes, headers: Mapping[str, str], query: Mapping[str, str], secrets: list[str]
) -> Verified:
    """The request's proof checked against each valid secret; VerificationFailedError if none matches."""
    if not secrets:
        raise VerificationFailedError("the source has no valid secret: rotate it to get a new one")
    lowered = {name.lower(): value for name, value in headers.items()}
    if source.verification is Verification.STANDARD_WEBHOOKS:
        return _standard_webhooks(body, lowered, secrets)
    if source.verification is Verification.HMAC_HEADER:
        _hmac_header(body, lowered, source.signature_header.lower(), secrets)
        return Verified(webhook_id=None)
    _url_secret(lowered, query, secrets)
    return Verified(webhook_id=None)


def _standard_webhooks(body: bytes, headers: dict[str, str], secrets: list[str]) -> Verified:
    missing = [name for name in ("webhook-id", "webhook-timestamp", "webhook-signature") if not headers.get(name)]
    if missing:
        raise VerificationFailedError(f"missing header(s) {', '.join(missing)} (Standard Webhooks signing)")
    webhook_id = headers["webhook-id"]
    if len(webhook_id) > MAX_WEBHOOK_ID_CHARS:
        raise VerificationFailedError(f"webhook-id is longer than {MAX_WEBHOOK_ID_CHARS} characters")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise VerificationFailedError("the body is not UTF-8 text, so its signature cannot match") from exc
    reason = "webhook-signature: no signature matches the body with the source's secret"
    for secret in secrets:
        try:
            Webhook(secret).verify(text, headers, json_parse=False)
        except WebhookVerificationError as exc:
            message = str(exc)
            if "too old" in message or "too new" in message:
                raise VerificationFailedError(
                    f"webhook-timestamp: {message.lower()} (more than 5 minutes from now)"
                ) from exc
            if "Invalid Signature Headers" in message:
                raise VerificationFailedError("webhook-timestamp is not a Unix time in seconds") from exc
            continue
        except (ValueError, binascii.Error):
            reason = "webhook-signature is malformed: expected 'v1,<base64>' (space-separated if several)"
            continue
        return Verified(webhook_id=webhook_id)
    raise VerificationFailedError(reason)


def _digests(signature: str) -> list[bytes]:
    """The digest a header carries, read as hex or as base64, with or without a 'sha256=' prefix."""
    value = signature.strip()
    value = value.split("=", 1)[1] if value.lower().startswith("sha256=") else value
    readings = []
    with contextlib.suppress(ValueError):
        readings.append(bytes.fromhex(value))
    with contextlib.suppress(binascii.Error, ValueError):
        readings.append(base64.b64decode(value, validate=True))
    return [reading for reading in readings if len(reading) == hashlib.sha256().digest_size]


def _hmac_header(body: bytes, headers: dict[str, str], header: str, secrets: list[str]) -> None:
    signature = headers.get(header)
    if not signature:
        raise VerificationFailedError(f"missing header {header} (the body's HMAC-SHA256)")
    digests = _digests(signature)
    if not digests:
        raise VerificationFailedError(f"{header} is not a SHA-256 digest in hex or base64")
    for secret in secrets:
        expected = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        if any(hmac.compare_digest(expected, digest) for digest in digests):
            return
    raise VerificationFailedError(f"{header}: the signature does not match the body with the source's secret")


def _basic_password(authorization: str | None) -> str | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return decoded.split(":", 1)[1] if ":" in decoded else None


def _url_secret(headers: dict[str, str], query: Mapping[str, str], secrets: list[str]) -> None:
    offered = query.get("key") or _basic_password(headers.get("authorization"))
    if not offered:
        raise VerificationFailedError("send the source's secret as ?key=<secret> or as Basic credentials' password")
    if not any(hmac.compare_digest(offered.encode(), secret.encode()) for secret in secrets):
        raise VerificationFailedError("the secret is not the source's")
