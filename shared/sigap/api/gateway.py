"""What every tenant route needs before its body is even parsed: a size limit and the tenant's API key.

Powertools validates a request body before any middleware runs, so these checks run first, in `guarded()`,
on the raw API Gateway event: a wrong key gets 401 (and an oversized body 413) without the body being read.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from http import HTTPStatus
from typing import Any, Protocol

from aws_lambda_powertools.event_handler import Response

from sigap.api.errors import error_response
from sigap.auth import bearer_token, key_matches, tenant_of_key
from sigap.models import Tenant

current_tenant: ContextVar[Tenant] = ContextVar("current_tenant")


class TenantLookup(Protocol):
    def get(self, tenant_id: str) -> Tenant | None: ...


def _header(event: Mapping[str, Any], name: str) -> str | None:
    headers = event.get("headers") or {}
    for key, value in headers.items():
        if key.lower() == name:
            return str(value)
    return None


def body_size(event: Mapping[str, Any]) -> int:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return len(base64.b64decode(body, validate=False))
    return len(str(body).encode("utf-8"))


def authenticate(event: Mapping[str, Any], tenants: TenantLookup) -> Tenant | Response[str]:
    """The tenant the request's API key belongs to, if it may act on the tenant in the path; else an error."""
    path_tenant = (event.get("pathParameters") or {}).get("tenant", "")
    api_key = bearer_token(_header(event, "authorization"))
    if api_key is None:
        return error_response(
            HTTPStatus.UNAUTHORIZED,
            "unauthenticated",
            "send the tenant's API key as 'Authorization: Bearer <key>'",
        )
    key_tenant_id = tenant_of_key(api_key)
    tenant = tenants.get(key_tenant_id) if key_tenant_id else None
    if tenant is None or not key_matches(tenant, api_key):
        return error_response(HTTPStatus.UNAUTHORIZED, "unauthenticated", "the API key is not valid")
    if tenant.tenant_id != path_tenant:
        return error_response(
            HTTPStatus.FORBIDDEN, "forbidden", f"this API key belongs to another tenant than {path_tenant!r}"
        )
    return tenant


def guarded(
    resolve: Callable[[dict[str, Any], Any], dict[str, Any]],
    event: dict[str, Any],
    context: Any,
    *,
    tenants: TenantLookup,
    max_body_bytes: int,
) -> dict[str, Any]:
    """Checks size and key for tenant routes, then lets the resolver route, validate and answer."""
    size = body_size(event)
    if size > max_body_bytes:
        return _as_proxy_result(
            error_response(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                "body_too_large",
                f"the body is {size} bytes; the limit is {max_body_bytes} bytes",
            )
        )
    if "tenant" in (event.get("pathParameters") or {}):
        outcome = authenticate(event, tenants)
        if isinstance(outcome, Response):
            return _as_proxy_result(outcome)
        token = current_tenant.set(outcome)
        try:
            return resolve(event, context)
        finally:
            current_tenant.reset(token)
    return resolve(event, context)


def _as_proxy_result(response: Response[str]) -> dict[str, Any]:
    return {
        "statusCode": response.status_code,
        "headers": {"Content-Type": response.headers.get("Content-Type", "application/json")},
        "body": response.body,
        "isBase64Encoded": False,
    }
