"""Machine keys of a tenant: list, create (the key shown once), rotate with an overlap, revoke."""

from __future__ import annotations

import secrets
from datetime import datetime
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.accounts.api.wiring import adapters_of
from sigap.accounts.domain.keys import KeyCreate, KeyList, KeyRotation, KeyView, NewKey, new_key, revoked, rotated
from sigap.kernel.api_keys import hash_api_key
from sigap.kernel.errors import ConflictError, ForbiddenError, NotFoundError
from sigap.kernel.identity import ROOT_KEY_ID, KeyScope, MachineKey, Role
from sigap.kernel.models import utc_now
from sigap.platform.http.gateway import Routes
from sigap.platform.http.resolver import caller, principal_of

router = APIGatewayHttpRouter()
routes = Routes(router, "keys")
KEY_ID = Path(pattern=r"^[0-9a-f]{12}$")
KEY_OR_ROOT = Path(pattern=r"^(?:[0-9a-f]{12}|root)$")


def _key(key_id: str) -> MachineKey:
    key = adapters_of(router).tenants.key(caller(router).tenant_id, key_id)
    if key is None:
        raise NotFoundError(f"no key {key_id!r} on this tenant")
    return key


@routes.get("/v1/tenants/{tenant}/keys", answer="The tenant's keys (never their secrets)")
def get_keys(tenant: str) -> KeyList:
    """The tenant's machine keys: name, scope, when made and by whom, when last used, and whether they work."""
    now = utc_now()
    keys = adapters_of(router).tenants.keys(caller(router).tenant_id)
    return KeyList(items=[KeyView.of(key, now) for key in sorted(keys, key=lambda key: key.created_at)])


@routes.post("/v1/tenants/{tenant}/keys", answer="The key, shown this once", status=HTTPStatus.CREATED)
def post_key(tenant: str, body: Annotated[KeyCreate, Body()]) -> NewKey:
    """Create a machine key with a scope: `ingest` (send mentions), `read`, or `admin`. No key can approve.

    The key is in this answer only; Sigap keeps its hash."""
    tenants, now = adapters_of(router).tenants, utc_now()
    owner = caller(router).tenant_id
    stored, api_key = new_key(owner, body, tenants.keys(owner), principal_of(router).actor, now)
    if not tenants.put_key(stored, only_new=True):
        raise ConflictError("a key with this id exists; retry")
    return NewKey(key=KeyView.of(stored, now), api_key=api_key)


@routes.post("/v1/tenants/{tenant}/keys/{key_id}/rotate", answer="The new key, shown this once")
def post_rotation(
    tenant: str, key_id: Annotated[str, KEY_ID], body: Annotated[KeyRotation | None, Body()] = None
) -> NewKey:
    """Replace a key: a new key with the same name and scope now, the old one working for `overlap_minutes` more
    (60 by default) so integrations can switch without a gap."""
    tenants, now = adapters_of(router).tenants, utc_now()
    old, successor, api_key = rotated(_key(key_id), body or KeyRotation(), principal_of(router).actor, now)
    if not tenants.put_key(successor, only_new=True):
        raise ConflictError("a key with this id exists; retry")
    tenants.put_key(old)
    return NewKey(key=KeyView.of(successor, now), api_key=api_key)


@routes.delete("/v1/tenants/{tenant}/keys/{key_id}", answer="The revoked key")
def delete_key(tenant: str, key_id: Annotated[str, KEY_OR_ROOT]) -> KeyView:
    """Revoke a key now: it stops working on the next request (it stays listed, revoked).

    `root` revokes the admin key `sigap tenants create` printed, once the tenant has another admin (a person, or
    an admin key) to act for it."""
    now = utc_now()
    if key_id == ROOT_KEY_ID:
        return _revoke_root(now)
    key = revoked(_key(key_id), now)
    adapters_of(router).tenants.put_key(key)
    return KeyView.of(key, now)


def _revoke_root(now: datetime) -> KeyView:
    tenants, tenant = adapters_of(router).tenants, caller(router)
    keys = [k for k in tenants.keys(tenant.tenant_id) if k.scope is KeyScope.ADMIN and k.usable(now)]
    if not any(member.role is Role.ADMIN for member in tenants.members_reaching(tenant)) and not keys:
        raise ForbiddenError("the root key is this tenant's only admin: add an admin person or an admin key first")
    # Its hash becomes one of a secret nobody holds: the key stops at once, and no key can ever match it again.
    tenants.update(tenant.tenant_id, api_key_hash=hash_api_key(secrets.token_urlsafe(32)))
    root = MachineKey(
        tenant_id=tenant.tenant_id,
        key_id=ROOT_KEY_ID,
        name=ROOT_KEY_ID,
        scope=KeyScope.ADMIN,
        key_hash="",
        created_at=tenant.created_at,
        created_by="sigap tenants create",
        revoked_at=now,
    )
    return KeyView.of(root, now)
