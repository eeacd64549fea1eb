"""API Gateway HTTP API, locally: routes from the template's HttpApi events, requests turned into payload
format 2.0 events, the function's proxy result turned back into an HTTP response."""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from sigap_tools.local.worker import FunctionPool, FunctionUnavailableError, InvocationError

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's own limit
log = logging.getLogger("sigap_tools.local")
_TEXT_TYPES = ("application/json", "text/", "application/xml", "application/x-www-form-urlencoded")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    pool: FunctionPool
    # API Gateway's JWT authorizer on this route: a request without a valid sign-in token never reaches the function.
    authorizer: Callable[[str], bool] | None = None

    @cached_property
    def pattern(self) -> re.Pattern[str]:  # built once per route, not once per request
        regex = re.sub(r"\\\{(\w+)(?:\\\+)?\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        return re.compile(f"^{regex}$")

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"


def build_event(
    route: Route, method: str, target: str, headers: dict[str, str], body: bytes, client: str
) -> dict[str, Any]:
    parts = urlsplit(target)
    path = unquote(parts.path)  # HTTP APIs decode the path before they route (%2F is then a '/')
    match = route.pattern.match(path)
    path_parameters = match.groupdict() if match else {}
    query: dict[str, list[str]] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        query.setdefault(key, []).append(value)
    content_type = headers.get("content-type", "")
    is_text = not body or any(content_type.startswith(kind) for kind in _TEXT_TYPES)
    now = datetime.now(UTC)
    # As HTTP APIs deliver them (payload 2.0): each cookie in `cookies`, and no Cookie header.
    cookies = [part.strip() for part in headers.get("cookie", "").split(";") if part.strip()]
    headers = {name: value for name, value in headers.items() if name != "cookie"}
    return {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": path,
        "rawQueryString": parts.query,
        "headers": {"x-forwarded-proto": "http"} | headers,  # as API Gateway adds it (https there)
        "queryStringParameters": {key: ",".join(values) for key, values in query.items()} or None,
        "pathParameters": path_parameters or None,
        **({"cookies": cookies} if cookies else {}),
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": headers.get("host", "localhost"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": client,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route.route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "body": (body.decode("utf-8", "replace") if is_text else base64.b64encode(body).decode()) if body else None,
        "isBase64Encoded": not is_text,
    }


STATIC_PREFIX = "/status/"
# What CloudFront's response headers policy adds on AWS (the page's own meta CSP narrows it further).
STATIC_HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; "
    "form-action http://127.0.0.1:* https:; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}


class StaticSite:
    """The status site bucket served at /status/<tenant>/..., a folder answered by its index.html, as the
    stack's CloudFront distribution (with its index function) serves it on AWS."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self._s3 = s3
        self._bucket = bucket

    def serve(self, request: BaseHTTPRequestHandler, path: str) -> None:
        if request.command not in ("GET", "HEAD"):
            _send_error(request, 405, "method_not_allowed", "the status site is read-only")
            return
        key = path.removeprefix(STATIC_PREFIX)
        if not key or ".." in key.split("/"):
            _send_error(request, 404, "not_found", "no such page")
            return
        if key.endswith("/"):
            key += "index.html"
        elif "." not in key.rsplit("/", 1)[-1]:
            key += "/index.html"
        try:
            answer = self._s3.get_object(Bucket=self._bucket, Key=key)
        except Exception as exc:  # moto answers NoSuchKey as a ClientError; anything else is a 404 here too
            log.info("status site: %s not served (%s)", key, type(exc).__name__)
            _send_error(request, 404, "not_found", "no such page: publish a statement first")
            return
        headers = STATIC_HEADERS | {
            "content-type": answer.get("ContentType", "application/octet-stream"),
            "cache-control": answer.get("CacheControl", "no-cache"),
        }
        _send(request, 200, headers, answer["Body"].read())


class HttpGateway:
    """Bound to its port when made (0: one the system picks, then `port`), so the port is held while the rest of a
    stack starts; it answers once started, with the routes given by then."""

    def __init__(
        self, host: str, port: int, routes: list[Route] | None = None, static: StaticSite | None = None
    ) -> None:
        self._routes: list[Route] = []
        self._static: StaticSite | None = None
        self.route(routes or [], static)
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _handle(self) -> None:
                gateway.serve(self)

            def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
                # http.server's own refusals (414 URI too long, 431 headers too large, 400, 501) in Sigap's
                # error shape, as every other answer of the API.
                self.close_connection = True
                _send_error(self, code, _CODES.get(code, "bad_request"), message or explain or "refused")

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle  # noqa: N815

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="http-gateway", daemon=True)

    def route(self, routes: list[Route], static: StaticSite | None = None) -> None:
        # As API Gateway chooses: the most specific route wins (a literal segment over a {parameter} in its place).
        self._routes = sorted(routes, key=lambda route: [part.startswith("{") for part in route.path.split("/")])
        self._static = static

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() waits for serve_forever, which a stack that failed never began
            self._server.shutdown()
        self._server.server_close()

    def find(self, method: str, path: str) -> Route | None:
        for route in self._routes:
            if route.method in (method, "ANY") and route.pattern.match(path):
                return route
        return None

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        started = time.monotonic()
        try:
            length = int(request.headers.get("content-length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            request.close_connection = True
            _send_error(request, 400, "bad_request", "the Content-Length header is not a whole number")
            return
        if length > MAX_PAYLOAD_BYTES:
            request.close_connection = True  # the body is not read, so the connection cannot be reused
            _send_error(request, 413, "body_too_large", f"the body is over API Gateway's {MAX_PAYLOAD_BYTES} bytes")
            return
        body = request.rfile.read(length) if length else b""
        path = unquote(urlsplit(request.path).path)
        if self._static is not None and (path.startswith(STATIC_PREFIX) or path == STATIC_PREFIX.rstrip("/")):
            self._static.serve(request, path)
            return
        route = self.find(request.command, path)
        if route is None:
            _send_error(request, 404, "not_found", "no such route; see /v1/openapi.json")
            return
        headers = {key.lower(): value for key, value in request.headers.items()}
        if route.authorizer is not None and not route.authorizer(headers.get("authorization", "")):
            # As API Gateway answers for its JWT authorizer: its own body, not Sigap's error shape.
            _send(request, 401, {"content-type": "application/json"}, b'{"message":"Unauthorized"}')
            return
        event = build_event(route, request.command, request.path, headers, body, request.client_address[0])
        try:
            result = route.pool.invoke(event)
        except FunctionUnavailableError as exc:
            log.error("%s did not answer a request: %s", route.route_key, exc)
            _send_error(
                request,
                503,
                "unavailable",
                "the function did not answer in time; retry with the same body",
                retry_after=1,
            )
            return
        except InvocationError as exc:
            log.error("%s failed a request: %s", route.route_key, exc)
            _send_error(request, 500, "internal_error", "the function failed; see .sigap/logs/ for its log")
            return
        status, response_headers, payload = proxy_response(result)
        response_headers["x-local-latency-ms"] = f"{(time.monotonic() - started) * 1000:.1f}"
        _send(request, status, response_headers, payload, cookies_to_set(result))


def cookies_to_set(result: Any) -> list[str]:
    """A proxy result's `cookies` (payload 2.0), each of which API Gateway sends as its own Set-Cookie header."""
    return [str(cookie) for cookie in result.get("cookies") or []] if isinstance(result, dict) else []


def proxy_response(result: Any) -> tuple[int, dict[str, str], bytes]:
    """Payload format 2.0: a dict with statusCode is a proxy result; anything else is a 200 JSON body."""
    if not isinstance(result, dict) or "statusCode" not in result:
        return 200, {"content-type": "application/json"}, json.dumps(result).encode()
    headers = {str(key).lower(): str(value) for key, value in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[str(name).lower()] = ",".join(str(value) for value in values)
    body = result.get("body") or ""
    payload = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode("utf-8")
    return int(result["statusCode"]), headers, payload


_CODES = {400: "bad_request", 404: "not_found", 414: "uri_too_long", 431: "headers_too_large", 501: "not_implemented"}


def _send_error(
    request: BaseHTTPRequestHandler, status: int, code: str, message: str, *, retry_after: int | None = None
) -> None:
    payload = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = {"content-type": "application/json"} | ({"retry-after": str(retry_after)} if retry_after else {})
    _send(request, status, headers, payload)


def _send(
    request: BaseHTTPRequestHandler,
    status: int,
    headers: dict[str, str],
    payload: bytes,
    cookies: list[str] | None = None,
) -> None:
    request.send_response(status)
    for key, value in headers.items():
        if key not in ("content-length", "connection"):
            request.send_header(key, value)
    for cookie in cookies or []:
        request.send_header("set-cookie", cookie)
    request.send_header("content-length", str(len(payload)))
    request.end_headers()
    if request.command != "HEAD":
        request.wfile.write(payload)
