"""What every route needs before Powertools validates it: a size limit, the access its declaration asks for
(a tenant's API key, or none for a public route), and a body that is JSON text.

Powertools validates a request body before any middleware runs, so these checks run first, in `guarded()`,
on the raw API Gateway event: a wrong key gets 401 (and an oversized body 413) without the body being read.
Each route states its access where it is declared (`api_route`); a route with a `{tenant}` in its path that
declared none is treated as needing the tenant's key, so forgetting fails closed.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from http import HTTPStatus
from typing import Any, Protocol

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.kernel.api_keys import bearer_token, key_matches, tenant_of_key
from sigap.kernel.models import Tenant
from sigap.platform.http.body import FORM_MEDIA_TYPE, BodyProblem, body_bytes, form_as_json, json_text, media_type
from sigap.platform.http.errors import ERROR_RESPONSES, error_response

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# A date-time whose '+07:00' was typed into a URL unencoded arrives with the '+' decoded as a space.
_UNENCODED_OFFSET = re.compile(r"^(\d{4}-\d{2}-\d{2}T[\d:.]+) (\d{2}(?::?\d{2})?)$")


class Access(StrEnum):
    TENANT_KEY = "tenant_key"  # Authorization: Bearer <the path tenant's API key>
    PUBLIC = "public"  # anyone (status pages, subscription confirmations)
    # A tool's webhook: the function's verifier checks the source's signature or secret on the raw body first.
    SOURCE_SECRET = "source_secret"  # noqa: S105 - the name of an access kind, not a secret


# Route key as API Gateway writes it ("POST /v1/tenants/{tenant}/mentions") → the access it declared.
ROUTE_ACCESS: dict[str, Access] = {}
# Routes that also take an HTML form's body (a status page's subscribe form, a mail client's one-click
# unsubscribe): application/x-www-form-urlencoded fields become a JSON object of strings.
FORM_ROUTES: set[str] = set()


def api_route(
    router: APIGatewayHttpRouter,
    method: str,
    path: str,
    *,
    access: Access,
    answer: str | None = None,
    status: HTTPStatus = HTTPStatus.OK,
    forms: bool = False,
    **options: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declares a route with its access. `path` is written as in template.yaml, with {name} parameters.

    A route that answers JSON describes its success (`answer`, and `status` when not 200) and returns its model:
    Powertools checks the value against the return annotation, serialises it, and documents that schema beside
    every error response. A route that builds its own Response (HTML, PDF) names no answer."""
    if answer is not None:
        options |= {"status_code": status.value, "responses": {status.value: {"description": answer}} | ERROR_RESPONSES}
    ROUTE_ACCESS[f"{method} {path}"] = access
    if forms:
        FORM_ROUTES.add(f"{method} {path}")
    rule = path.replace("{", "<").replace("}", ">")
    decorator: Callable[[Callable[..., Any]], Callable[..., Any]] = router.route(rule, method, **options)
    return decorator


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


@dataclass(frozen=True)
class Routes:
    """The routes of one router, sharing an OpenAPI tag and (unless a route says otherwise) their access. A
    route's docstring is its documentation: the first paragraph its summary, the rest its description.

        @routes.get("/v1/tenants/{tenant}/channels", answer="Channels")
        def get_channels(tenant: str) -> ChannelList:
            \"\"\"The tenant's channels (secrets are never shown).\"\"\"
    """

    router: APIGatewayHttpRouter
    tag: str
    access: Access = Access.TENANT_KEY

    def route(
        self, method: str, path: str, *, access: Access | None = None, tag: str | None = None, **options: Any
    ) -> Decorator:
        def declare(function: Callable[..., Any]) -> Callable[..., Any]:
            summary, _, description = (inspect.getdoc(function) or "").partition("\n\n")
            if not summary:
                raise TypeError(f"route {method} {path}: its function needs a docstring (the OpenAPI summary)")
            if description:
                options["description"] = " ".join(description.split())
            declared = api_route(
                self.router,
                method,
                path,
                access=access or self.access,
                summary=" ".join(summary.split()).removesuffix("."),
                tags=[tag or self.tag],
                **options,
            )
            return declared(function)

        return declare

    def get(self, path: str, **options: Any) -> Decorator:
        return self.route("GET", path, **options)

    def post(self, path: str, **options: Any) -> Decorator:
        return self.route("POST", path, **options)

    def put(self, path: str, **options: Any) -> Decorator:
        return self.route("PUT", path, **options)

    def patch(self, path: str, **options: Any) -> Decorator:
        return self.route("PATCH", path, **options)

    def delete(self, path: str, **options: Any) -> Decorator:
        return self.route("DELETE", path, **options)


class TenantLookup(Protocol):
    def get(self, tenant_id: str) -> Tenant | None: ...


def header(event: Mapping[str, Any], name: str) -> str | None:
    headers = event.get("headers") or {}
    for key, value in headers.items():
        if key.lower() == name:
            return str(value)
    return None


def body_size(event: Mapping[str, Any]) -> int:
    body = event.get("body") or ""
    return len(body) * 3 // 4 if event.get("isBase64Encoded") else len(str(body).encode("utf-8", "surrogatepass"))


def route_access(event: Mapping[str, Any]) -> Access | None:
    declared = ROUTE_ACCESS.get(str(event.get("routeKey", "")))
    if declared is None and "tenant" in (event.get("pathParameters") or {}):
        return Access.TENANT_KEY
    return declared


def authenticate(event: Mapping[str, Any], tenants: TenantLookup) -> Tenant | Response[str]:
    """The tenant the request's API key belongs to, if it may act on the tenant in the path; else an error."""
    path_tenant = (event.get("pathParameters") or {}).get("tenant", "")
    api_key = bearer_token(header(event, "authorization"))
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


def with_json_body(event: dict[str, Any], reshape: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """The event with its body as checked JSON text and a JSON content type, or BodyProblem."""
    method = str((event.get("requestContext") or {}).get("http", {}).get("method", "")).upper()
    if method not in _BODY_METHODS:
        return event
    # An empty body is left for validation to name ("body: Field required") whatever type it claimed.
    content_type = header(event, "content-type")
    raw = body_bytes(event) if event.get("body") else b""
    if str(event.get("routeKey", "")) in FORM_ROUTES and media_type(content_type) == FORM_MEDIA_TYPE:
        raw = form_as_json(raw)
        content_type = "application/json"
    text = json_text(raw, content_type, reshape) if raw else None
    headers = {key: value for key, value in (event.get("headers") or {}).items() if key.lower() != "content-type"}
    return event | {"body": text, "isBase64Encoded": False, "headers": headers | {"content-type": "application/json"}}


def with_offsets_restored(event: dict[str, Any]) -> dict[str, Any]:
    """Query values like '2026-11-22T10:00:00 07:00' read as the '+07:00' their sender meant."""
    query = event.get("queryStringParameters") or {}
    fixed = {name: _UNENCODED_OFFSET.sub(r"\1+\2", str(value)) for name, value in query.items()}
    return event if fixed == query else event | {"queryStringParameters": fixed}


def guarded(
    resolve: Callable[[dict[str, Any], Any], dict[str, Any]],
    event: dict[str, Any],
    context: Any,
    *,
    tenants: TenantLookup,
    max_body_bytes: int,
    on_tenant: Callable[[Tenant], None],
    reshape: Callable[[Any], Any] | None = None,
    verify: Callable[[dict[str, Any]], Response[str] | None] | None = None,
) -> dict[str, Any]:
    """Checks size, access and body, then lets the resolver route, validate and answer. A SOURCE_SECRET route's
    request is given to `verify` with its body as received (a signature covers those bytes); without a
    verifier it is refused, so a forgotten one fails closed."""
    size = body_size(event)
    if size > max_body_bytes:
        return as_proxy_result(
            error_response(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                "body_too_large",
                f"the body is {size} bytes; the limit is {max_body_bytes} bytes",
            )
        )
    access = route_access(event)
    if access is Access.TENANT_KEY:
        outcome = authenticate(event, tenants)
        if isinstance(outcome, Response):
            return as_proxy_result(outcome)
        on_tenant(outcome)
    elif access is Access.SOURCE_SECRET:
        refusal = (
            verify(event)
            if verify
            else error_response(HTTPStatus.UNAUTHORIZED, "unauthenticated", "this route cannot verify requests")
        )
        if refusal is not None:
            return as_proxy_result(refusal)
    try:
        event = with_offsets_restored(with_json_body(event, reshape))
    except BodyProblem as problem:
        return as_proxy_result(error_response(problem.status, problem.code, problem.message))
    return resolve(event, context)


def as_proxy_result(response: Response[str]) -> dict[str, Any]:
    return {
        "statusCode": response.status_code,
        "headers": {"Content-Type": response.headers.get("Content-Type", "application/json")},
        "body": response.body,
        "isBase64Encoded": False,
    }
