"""Signed tokens for links Sigap hands out (acknowledge an alert, confirm or leave a subscription): an
HMAC-SHA256 over (action, tenant, subject, expiry), so a link cannot be moved to another subject or tenant,
altered, or used after it expires. The action names the purpose: a token made for one never passes as another."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime


class LinkError(ValueError):
    """Why a link cannot be used, in words to show the person who clicked it."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_token(key: bytes, tenant_id: str, alert_id: str, expires: datetime, action: str = "ack") -> str:
    claims = f"{action}|{tenant_id}|{alert_id}|{int(expires.timestamp())}"
    signature = hmac.new(key, claims.encode(), hashlib.sha256).digest()
    return f"{_b64(claims.encode())}.{_b64(signature)}"


def read_token(key: bytes, token: str, now: datetime) -> tuple[str, str, str]:
    """(action, tenant id, alert id) of a valid token; LinkError if it was altered, forged or has expired."""
    try:
        claims_part, signature_part = token.split(".", 1)
        claims = _unb64(claims_part)
        signature = _unb64(signature_part)
    except (ValueError, UnicodeDecodeError) as exc:
        raise LinkError("this link is damaged: copy the whole link from the message") from exc
    expected = hmac.new(key, claims, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        raise LinkError("this link is not valid: it was altered or was not made by this Sigap")
    try:
        action, tenant_id, alert_id, expires = claims.decode().split("|")
        expires_at = int(expires)
    except ValueError as exc:
        raise LinkError("this link is not valid") from exc
    if now.timestamp() >= expires_at:
        raise LinkError("this link has expired; acknowledge the alert in the API or from a newer message")
    return action, tenant_id, alert_id
