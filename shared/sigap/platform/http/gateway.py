"""What every route needs before Powertools validates it: a size limit, the access its declaration asks for
(a caller of the tenant with a permission, or none for a public route), and a body that is JSON text.

Powertools validates a request body before any middleware runs, so these checks run first, in `guarded()`,
on the raw API Gateway event: a wrong key or token gets 401, a caller without the route's permission 403 (and
an oversized body 413) without the body being read. Each route states its access and permission where it is
declared (`api_route`); a route with a `{tenant}` in its path that declared none is treated as needing the
tenant's caller, and a route that named no permission needs `read` to GET and `admin` for anything else, so
forgetting fails closed.
Who the caller is, and whether they may act on the path's tenant, is `callers.authenticate`.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.kernel.identity import Permission, refusal
from sigap.platform.http.body import (
    FORM_MEDIA_TYPE,
    BodyProblem,
    body_bytes,
    form_as_json,
    header,
    json_text,
    media_type,
)
from sigap.platform.http.callers import Caller, TenantLookup, authenticate, forbidden
from sigap.platform.http.errors import ERROR_RESPONSES, FieldProblem, error_response
from sigap.platform.rate_limits import Per, RateLimit, RateLimiter
from sigap.platform.user_tokens import UserTokens

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# A date-time whose '+07:00' was typed into a URL unencoded arrives with the '+' decoded as a space.
_UNENCODED_OFFSET = re.compile(r"^(\d{4}-\d{2}-\d{2}T[\d:.]+) (\d{2}(?::?\d{2})?)$")


class Access(StrEnum):
    TENANT_KEY = "tenant_key"  # Authorization: Bearer <a key of the path tenant or its agency, or a sign-in token>
    PUBLIC = "public"  # anyone (status pages, subscription confirmations)
    # A tool's webhook: the function's verifier checks the source's signature or secret on the raw body first.
    SOURCE_SECRET = "source_secret"  # noqa: S105 - the name of an access kind, not a secret
    # A page of the console: its function reads the person's session cookie itself, so a browser without one is
    # sent to the sign-in page (a 303), not given a 401 it cannot act on.
    SESSION = "session"


# Route key as API Gateway writes it ("POST /v1/tenants/{tenant}/mentions") → the access it declared.
ROUTE_ACCESS: dict[str, Access] = {}
ROUTE_PERMISSION: dict[str, Permission] = {}
ROUTE_RATE_LIMIT: dict[str, RateLimit] = {}
# Routes whose body model names who acts (its `actor` field): the gateway fills it from the caller, and refuses a
# body that tries to say it, so the audit trail records who called, never what they typed.
ROUTE_ACTOR_FIELD: dict[str, str] = {}
# Routes that also take an HTML form's body (a status page's subscribe form, a mail client's one-click
# unsubscribe): application/x-www-form-urlencoded fields become a JSON object of strings.
FORM_ROUTES: set[str] = set()


def api_route(
    router: APIGatewayHttpRouter,
    method: str,
    path: str,
    *,
    access: Access,
    permission: Permission | None = None,
    actor: str | None = None,
    rate: RateLimit | None = None,
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
    ROUTE_PERMISSION[f"{method} {path}"] = permission or default_permission(method)
    if actor is not None:
        ROUTE_ACTOR_FIELD[f"{method} {path}"] = actor
    if rate is not None:
        ROUTE_RATE_LIMIT[f"{method} {path}"] = rate
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
        self,
        method: str,
        path: str,
        *,
        access: Access | None = None,
        permission: Permission | None = None,
        actor: str | None = None,
        rate: RateLimit | None = None,
        tag: str | None = None,
        **options: Any,
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
                permission=permission,
                actor=actor,
                rate=rate,
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


def body_size(event: Mapping[str, Any]) -> int:
    body = event.get("body") or ""
    return len(body) * 3 // 4 if event.get("isBase64Encoded") else len(str(body).encode("utf-8", "surrogatepass"))


def route_access(event: Mapping[str, Any]) -> Access | None:
    declared = ROUTE_ACCESS.get(str(event.get("routeKey", "")))
    if declared is None and "tenant" in (event.get("pathParameters") or {}):
        return Access.TENANT_KEY
    return declared


def rate_limited(event: Mapping[str, Any], limiter: RateLimiter | None) -> Response[str] | None:
    """A 429 with Retry-After once the caller has used the route's limit in this window, else None."""
    route_key = str(event.get("routeKey", ""))
    limit = ROUTE_RATE_LIMIT.get(route_key)
    if limit is None or limiter is None:
        return None
    context = event.get("requestContext") or {}
    if limit.per is Per.TENANT:
        key = str((event.get("pathParameters") or {}).get("tenant", ""))
    else:
        key = str((context.get("http") or {}).get("sourceIp", "unknown"))
    wait = limiter.retry_after(route_key, key, limit, datetime.now(UTC))
    if wait is None:
        return None
    message = f"too many requests: {limit.describe()}; retry in {wait} s"
    return error_response(HTTPStatus.TOO_MANY_REQUESTS, "rate_limited", message, retry_after=wait)


def default_permission(method: str) -> Permission:
    """What a route that names no permission needs: reading to GET, an admin for anything else."""
    return Permission.READ if method == "GET" else Permission.ADMIN


def permission_of(event: Mapping[str, Any]) -> Permission:
    route_key = str(event.get("routeKey", ""))
    return ROUTE_PERMISSION.get(route_key) or default_permission(route_key.partition(" ")[0])


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
    on_caller: Callable[[Caller], None],
    tokens: UserTokens | None = None,
    limiter: RateLimiter | None = None,
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
    found: Caller | None = None
    if access is Access.TENANT_KEY:
        outcome = authenticate(event, tenants, tokens)
        if isinstance(outcome, Response):
            return as_proxy_result(outcome)
        if (refused := refusal(outcome.principal, permission_of(event))) is not None:
            return as_proxy_result(forbidden(refused, "missing_permission"))
        on_caller(outcome)
        found = outcome
    elif access is Access.SOURCE_SECRET:
        unverified = (
            verify(event)
            if verify
            else error_response(HTTPStatus.UNAUTHORIZED, "unauthenticated", "this route cannot verify requests")
        )
        if unverified is not None:
            return as_proxy_result(unverified)
    # After the door: a stranger's refused requests never use up a tenant's own allowance.
    if (limited := rate_limited(event, limiter)) is not None:
        return as_proxy_result(limited)
    try:
        event = with_offsets_restored(with_json_body(event, reshape))
    except BodyProblem as problem:
        return as_proxy_result(error_response(problem.status, problem.code, problem.message))
    if found is not None and (field := ROUTE_ACTOR_FIELD.get(str(event.get("routeKey", "")))):
        acted = with_actor(event, field, found.principal.actor)
        if isinstance(acted, Response):
            return as_proxy_result(acted)
        event = acted
    return resolve(event, context)


def with_actor(event: dict[str, Any], field: str, actor: str) -> dict[str, Any] | Response[str]:
    """The event with its JSON body's `field` set to the caller's name; a body that names it is refused."""
    text = event.get("body")
    document = json.loads(text) if text else {}
    if not isinstance(document, dict):
        return event  # validation names what the body should be
    if field in document:
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "validation_error",
            f"'{field}' is not sent: who acts is taken from the caller's sign-in or API key",
            [FieldProblem(field=field, problem="set from the caller's identity; leave it out")],
        )
    return event | {"body": json.dumps(document | {field: actor}, ensure_ascii=False)}


def as_proxy_result(response: Response[str]) -> dict[str, Any]:
    extra = {name: value for name, value in response.headers.items() if isinstance(value, str)}
    return {
        "statusCode": response.status_code,
        "headers": extra | {"Content-Type": response.headers.get("Content-Type", "application/json")},
        "body": response.body,
        "isBase64Encoded": False,
    }
