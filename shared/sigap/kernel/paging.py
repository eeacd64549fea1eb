"""Opaque page cursors: the listing position as JSON, signed with a key only the stack knows and bound to the
tenant and the listing, so a cursor that was altered, made up or issued to another tenant or listing is a 400,
never a storage error."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from sigap.kernel.errors import InvalidCursorError
from sigap.kernel.models import Tenant


def _signature(tenant: Tenant, payload: bytes) -> bytes:
    # The key is the tenant's stored API-key hash: secret to the stack, different per tenant, no new resource.
    return hmac.new(f"cursor:{tenant.api_key_hash}".encode(), payload, hashlib.sha256).digest()[:16]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


INVALID_CURSOR = "the cursor is not one this API returned for this tenant; start without one"


def signed(tenant: Tenant, payload: bytes) -> str:
    return f"{_b64(payload)}.{_b64(_signature(tenant, payload))}"


def verified(tenant: Tenant, cursor: str) -> Any:
    """The JSON a cursor carries, if this API signed it for this tenant; else InvalidCursorError."""
    try:
        payload_text, _, signature_text = cursor.partition(".")
        payload, signature = _unb64(payload_text), _unb64(signature_text)
    except (ValueError, binascii.Error) as exc:
        raise InvalidCursorError(INVALID_CURSOR) from exc
    if not hmac.compare_digest(signature, _signature(tenant, payload)):
        raise InvalidCursorError(INVALID_CURSOR)
    try:
        return json.loads(payload)
    except (ValueError, TypeError) as exc:
        raise InvalidCursorError(INVALID_CURSOR) from exc


def sign_parts(tenant: Tenant, purpose: str, parts: list[str]) -> str:
    """An opaque cursor for any listing: the parts, signed for this tenant and this listing."""
    return signed(tenant, json.dumps([purpose, *parts], separators=(",", ":")).encode())


def read_parts(tenant: Tenant, purpose: str, cursor: str, count: int) -> list[str]:
    parts = verified(tenant, cursor)
    if not isinstance(parts, list) or len(parts) != count + 1 or parts[0] != purpose:
        raise InvalidCursorError(INVALID_CURSOR)
    if not all(isinstance(part, str) for part in parts):
        raise InvalidCursorError(INVALID_CURSOR)
    return parts[1:]
