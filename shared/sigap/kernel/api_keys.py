"""Tenant API keys: `sgp_<tenant>_<secret>`; only a SHA-256 of the key is stored, compared in constant time.

The key names its tenant so a valid key used on another tenant's path is told apart (403) from a wrong key
(401) without searching every tenant. The secret has 256 bits of entropy, so a fast hash is sufficient.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from enum import StrEnum

from sigap.kernel.models import Tenant

KEY_PREFIX = "sgp"


class AuthOutcome(StrEnum):
    OK = "ok"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"


def new_api_key(tenant_id: str) -> str:
    return f"{KEY_PREFIX}_{tenant_id}_{secrets.token_urlsafe(32)}"


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def tenant_of_key(api_key: str) -> str | None:
    # Tenant ids never hold "_" but the url-safe secret may, so the tenant ends at the second "_".
    prefix, _, rest = api_key.partition("_")
    tenant_id, _, secret = rest.partition("_")
    if prefix != KEY_PREFIX or not tenant_id or not secret:
        return None
    return tenant_id


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def key_matches(tenant: Tenant, api_key: str) -> bool:
    return hmac.compare_digest(tenant.api_key_hash, hash_api_key(api_key))
