"""Machine keys: made with a name and a scope (the key shown once), rotated with an overlap during which both the
old and the new key work, revoked at once. Only hashes are kept."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from sigap.kernel.api_keys import hash_api_key, new_machine_key
from sigap.kernel.errors import ConflictError
from sigap.kernel.identity import KEY_NAME_PATTERN, KeyScope, MachineKey

MAX_KEYS = 50  # per tenant, revoked ones included: enough for every integration, few enough to list in one page
MAX_OVERLAP_MINUTES = 7 * 24 * 60


class KeyCreate(BaseModel):
    """`POST /v1/tenants/{tenant}/keys`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=KEY_NAME_PATTERN, description="What uses it ('crm-webhooks'); unique in the tenant")
    scope: KeyScope = Field(description="ingest: send mentions; read: read everything; admin: also change settings")


class KeyRotation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    overlap_minutes: int = Field(
        default=60, ge=0, le=MAX_OVERLAP_MINUTES, description="How long the old key keeps working (0: stops now)"
    )


class KeyView(BaseModel):
    """A key as listed: never its secret."""

    key_id: str
    name: str
    scope: KeyScope
    created_at: AwareDatetime
    created_by: str
    last_used_at: AwareDatetime | None
    expires_at: AwareDatetime | None
    revoked_at: AwareDatetime | None
    active: bool

    @classmethod
    def of(cls, key: MachineKey, now: datetime) -> KeyView:
        return cls(
            **key.model_dump(exclude={"tenant_id", "key_hash"}),
            active=key.usable(now),
        )


class NewKey(BaseModel):
    """A key just made: `api_key` is shown in this answer only."""

    key: KeyView
    api_key: str = Field(description="Send as 'Authorization: Bearer <api_key>'; shown this once")


class KeyList(BaseModel):
    items: list[KeyView]


def new_key(
    tenant_id: str, request: KeyCreate, existing: list[MachineKey], by: str, now: datetime
) -> tuple[MachineKey, str]:
    """The key to store and the key to show once; a live key's name cannot be taken twice."""
    if len(existing) >= MAX_KEYS:
        raise ConflictError(f"a tenant keeps at most {MAX_KEYS} keys: delete revoked ones first")
    if any(key.name == request.name and key.usable(now) for key in existing):
        raise ConflictError(f"a key named {request.name!r} is in use: rotate it, or choose another name")
    return _made(tenant_id, request.name, request.scope, by, now)


def _made(tenant_id: str, name: str, scope: KeyScope, by: str, now: datetime) -> tuple[MachineKey, str]:
    """A new key as stored (its hash) and the key itself, to show once."""
    key_id, api_key = new_machine_key(tenant_id)
    stored = MachineKey(
        tenant_id=tenant_id,
        key_id=key_id,
        name=name,
        scope=scope,
        key_hash=hash_api_key(api_key),
        created_at=now,
        created_by=by,
    )
    return stored, api_key


def rotated(old: MachineKey, overlap: KeyRotation, by: str, now: datetime) -> tuple[MachineKey, MachineKey, str]:
    """The old key with its end set, and its successor (same name and scope) with the key to show once."""
    if not old.usable(now):
        raise ConflictError(f"the key {old.name!r} no longer works: create a new one")
    ends = now + timedelta(minutes=overlap.overlap_minutes)
    successor, api_key = _made(old.tenant_id, old.name, old.scope, by, now)
    return old.model_copy(update={"expires_at": min(ends, old.expires_at or ends)}), successor, api_key


def revoked(key: MachineKey, now: datetime) -> MachineKey:
    return key if key.revoked_at else key.model_copy(update={"revoked_at": now})
