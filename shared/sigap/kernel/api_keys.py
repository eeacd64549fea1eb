"""Tenant API keys; only a SHA-256 of a key is stored, compared in constant time.

A machine key is `sgp_<tenant>_<key id>.<secret>`; the key made with the tenant (its root key, admin scope) is
`sgp_<tenant>_<secret>`, with no key id. The key names its tenant and its id so it is found with one read, and a
valid key used on another tenant's path is told apart (403) from a wrong key (401) without searching every
tenant. The secret has 256 bits of entropy, so a fast hash is sufficient.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from enum import StrEnum

from sigap.kernel.identity import ROOT_KEY_ID
from sigap.kernel.models import Tenant

KEY_PREFIX = "sgp"


class AuthOutcome(StrEnum):
    OK = "ok"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"


def new_api_key(tenant_id: str) -> str:
    return f"{KEY_PREFIX}_{tenant_id}_{secrets.token_urlsafe(32)}"


def new_machine_key(tenant_id: str) -> tuple[str, str]:
    """A new key's id and the key itself (shown once)."""
    key_id = secrets.token_hex(6)
    return key_id, f"{KEY_PREFIX}_{tenant_id}_{key_id}.{secrets.token_urlsafe(32)}"


def key_id_of(api_key: str) -> str:
    """The id a key names (the url-safe secret never holds a '.'), or the root key's for a key without one."""
    _, _, rest = api_key.partition("_")
    _, _, secret = rest.partition("_")
    key_id, dot, _ = secret.partition(".")
    return key_id if dot and key_id else ROOT_KEY_ID


def hashes_match(stored_hash: str, api_key: str) -> bool:
    return hmac.compare_digest(stored_hash, hash_api_key(api_key))


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
