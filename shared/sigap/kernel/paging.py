"""Opaque page cursors: the listing position, signed by itsdangerous with a key only the stack knows and a salt
per listing, so a cursor that was altered, made up or issued to another tenant or listing is a 400, never a
storage error."""

from __future__ import annotations

import hashlib
from typing import Any

from itsdangerous import BadData, URLSafeSerializer

from sigap.kernel.errors import InvalidCursorError
from sigap.kernel.models import Tenant

INVALID_CURSOR = "the cursor is not one this API returned for this tenant; start without one"


def _serializer(tenant: Tenant, listing: str) -> URLSafeSerializer:
    # The key is the tenant's stored API-key hash: secret to the stack, different per tenant, no new resource.
    return URLSafeSerializer(
        f"cursor:{tenant.api_key_hash}", salt=f"sigap.cursor.{listing}", signer_kwargs={"digest_method": hashlib.sha256}
    )


def sign_parts(tenant: Tenant, listing: str, parts: list[str]) -> str:
    """An opaque cursor for a listing's position: the parts, signed for this tenant and this listing."""
    return _serializer(tenant, listing).dumps(parts)


def read_parts(tenant: Tenant, listing: str, cursor: str, count: int) -> list[str]:
    """The `count` parts a cursor carries, if this API signed it for this tenant and listing; else
    InvalidCursorError."""
    try:
        parts: Any = _serializer(tenant, listing).loads(cursor)
    except BadData as exc:
        raise InvalidCursorError(INVALID_CURSOR) from exc
    if not isinstance(parts, list) or len(parts) != count or not all(isinstance(part, str) for part in parts):
        raise InvalidCursorError(INVALID_CURSOR)
    return parts
