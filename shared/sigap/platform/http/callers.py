"""Who is calling: a machine key (`Bearer sgp_...`) or a person signed in to the stack's user pool (`Bearer <JWT>`;
the console calls with its person's token too), acting on the tenant in the path: its own, or a client of the
agency the key or the person's role belongs to, and neither suspended nor deleted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any, Protocol

from aws_lambda_powertools.event_handler import Response

from sigap.kernel.api_keys import KEY_PREFIX, bearer_token, hashes_match, key_id_of, tenant_of_key
from sigap.kernel.identity import ROOT_KEY_ID, KeyScope, MachineKey, Membership, Principal, PrincipalKind
from sigap.kernel.models import Tenant, TenantStatus
from sigap.platform.http.body import header
from sigap.platform.http.errors import error_response
from sigap.platform.user_tokens import InvalidTokenError, SignInUnavailableError, UserTokens, looks_like_jwt

KEY_TOUCH_INTERVAL = timedelta(minutes=5)  # a key's last-used time is written at most this often


class TenantLookup(Protocol):
    """The tenants table, as far as checking a caller needs it."""

    def get(self, tenant_id: str) -> Tenant | None: ...

    def key(self, tenant_id: str, key_id: str) -> MachineKey | None: ...

    def member(self, tenant_id: str, user_id: str) -> Membership | None: ...

    def touch_key(self, key: MachineKey, at: datetime) -> None: ...


@dataclass(frozen=True)
class Caller:
    """Who is calling (`principal`) and the tenant in the path they act on (`tenant`)."""

    tenant: Tenant
    principal: Principal


def _unauthenticated(message: str) -> Response[str]:
    return error_response(HTTPStatus.UNAUTHORIZED, "unauthenticated", message)


def forbidden(message: str, code: str = "forbidden") -> Response[str]:
    return error_response(HTTPStatus.FORBIDDEN, code, message)


def _key_caller(
    api_key: str, path: Tenant | None, tenants: TenantLookup, now: datetime
) -> tuple[Principal, Tenant] | Response[str]:
    tenant_id = tenant_of_key(api_key)
    home = path if path is not None and path.tenant_id == tenant_id else tenants.get(tenant_id) if tenant_id else None
    key_id = key_id_of(api_key)
    if home is None:
        return _unauthenticated("the API key is not valid")
    if key_id == ROOT_KEY_ID:
        if not hashes_match(home.api_key_hash, api_key):
            return _unauthenticated("the API key is not valid")
        return Principal(
            kind=PrincipalKind.KEY, id=ROOT_KEY_ID, name=ROOT_KEY_ID, home_tenant=home.tenant_id, scope=KeyScope.ADMIN
        ), home
    key = tenants.key(home.tenant_id, key_id)
    if key is None or not hashes_match(key.key_hash, api_key):
        return _unauthenticated("the API key is not valid")
    if key.revoked_at is not None:
        return _unauthenticated(f"the API key {key.name!r} was revoked")
    if not key.usable(now):
        return _unauthenticated(f"the API key {key.name!r} was rotated and its overlap has ended: use the new key")
    if key.last_used_at is None or now - key.last_used_at >= KEY_TOUCH_INTERVAL:
        tenants.touch_key(key, now)
    return Principal(
        kind=PrincipalKind.KEY, id=key.key_id, name=key.name, home_tenant=home.tenant_id, scope=key.scope
    ), home


def _user_caller(
    token: str, path_tenant: str, tenant: Tenant | None, tenants: TenantLookup, tokens: UserTokens | None
) -> tuple[Principal, Tenant] | Response[str]:
    if tokens is None:
        return _unauthenticated("sign-in is not set up on this stack: use an API key")
    try:
        claims = tokens.verify(token)
    except InvalidTokenError as exc:
        return _unauthenticated(str(exc))
    except SignInUnavailableError as exc:
        return error_response(HTTPStatus.SERVICE_UNAVAILABLE, "unavailable", f"{exc}; retry")
    return _person_on(claims.user_id, path_tenant, tenant, tenants)


def _person_on(
    user_id: str, path_tenant: str, tenant: Tenant | None, tenants: TenantLookup
) -> tuple[Principal, Tenant] | Response[str]:
    """The person's role on the tenant, or on its agency (which reaches its clients)."""
    member = tenants.member(path_tenant, user_id) if tenant else None
    home = tenant
    if tenant is not None and member is None and tenant.agency:
        member = tenants.member(tenant.agency, user_id)
        home = tenants.get(tenant.agency) if member else None
    if member is None or home is None:
        return forbidden(f"you have no role on the tenant {path_tenant!r}: ask one of its admins to invite you")
    principal = Principal(
        kind=PrincipalKind.USER, id=user_id, name=member.email, home_tenant=home.tenant_id, role=member.role
    )
    return principal, home


def authenticate(
    event: Mapping[str, Any], tenants: TenantLookup, tokens: UserTokens | None = None, now: datetime | None = None
) -> Caller | Response[str]:
    """The caller, if its key or sign-in token is valid and may act on the tenant in the path; else an error."""
    path_tenant = (event.get("pathParameters") or {}).get("tenant", "")
    token = bearer_token(header(event, "authorization"))
    if token is None:
        return _unauthenticated("send an API key or a sign-in token as 'Authorization: Bearer <key or token>'")
    is_key, is_jwt = token.startswith(f"{KEY_PREFIX}_"), looks_like_jwt(token)
    if not (is_key or is_jwt):
        return _unauthenticated("the token is neither a Sigap API key ('sgp_...') nor a sign-in token (a JWT)")
    tenant = tenants.get(path_tenant) if path_tenant else None  # read once: the caller's home is often this one
    if is_key:
        found = _key_caller(token, tenant, tenants, now or datetime.now(UTC))
    else:
        found = _user_caller(token, path_tenant, tenant, tenants, tokens)
    return found if isinstance(found, Response) else _admitted(*found, tenant, path_tenant)


def _admitted(principal: Principal, home: Tenant, tenant: Tenant | None, path_tenant: str) -> Caller | Response[str]:
    """The caller, if its home is the path's tenant or that tenant's agency, and neither is suspended or deleted."""
    if tenant is None or (tenant.tenant_id != home.tenant_id and tenant.agency != home.tenant_id):
        what = "API key" if principal.kind is PrincipalKind.KEY else "role"
        return forbidden(f"this {what} belongs to another tenant than {path_tenant!r}")
    for either in (home, tenant):
        if either.status is TenantStatus.SUSPENDED:
            return forbidden(f"the tenant {either.tenant_id!r} is suspended", "tenant_suspended")
        if either.status is TenantStatus.DELETED:
            return forbidden(f"the tenant {either.tenant_id!r} was deleted", "tenant_deleted")
    return Caller(tenant=tenant, principal=principal)
