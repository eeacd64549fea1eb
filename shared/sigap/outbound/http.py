"""The only way a channel calls a URL: one POST to the address `ssrf.resolve_target` checked, a new connection
each time (so every connection is checked), TLS verified against the URL's host name, redirects never
followed, and the answer turned into a receipt or a typed DeliveryError."""

from __future__ import annotations

import time
from dataclasses import dataclass

import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error

from sigap.outbound.domain.models import DeliveryError
from sigap.outbound.domain.retry import retry_after_seconds
from sigap.outbound.domain.ssrf import Resolver, Target, UnsafeUrlError, resolve_target, system_resolver

TIMEOUT_SECONDS = 15.0  # Standard Webhooks: a receiver must answer within 15 s
MAX_ANSWER_BYTES = 4096


USER_AGENT = "Sigap/1 (+https://github.com/sigap)"


def connection_to(target: Target) -> tuple[urllib3.HTTPConnectionPool, str]:
    """A one-connection pool to the address `resolve_target` checked (TLS verified against the URL's host name, not
    the address), and the Host header to send with it."""
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            maxsize=1,
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, maxsize=1)
    return pool, target.host if target.port in (80, 443) else f"{target.host}:{target.port}"


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: str
    duration_ms: int


@dataclass(frozen=True)
class SafeHttp:
    allow_loopback: bool = False
    resolver: Resolver = system_resolver
    timeout: float = TIMEOUT_SECONDS

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpAnswer:
        """2xx → the answer; anything else → DeliveryError (retryable for 408/425/429/5xx and network errors)."""
        try:
            target = resolve_target(url, allow_loopback=self.allow_loopback, resolver=self.resolver)
        except UnsafeUrlError as exc:
            raise DeliveryError(f"refused URL: {exc}", retryable=False) from exc
        pool, host_header = connection_to(target)
        started = time.monotonic()
        try:
            response = pool.urlopen(
                "POST",
                target.path,
                body=body,
                headers={"Host": host_header, "User-Agent": USER_AGENT} | headers,
                redirect=False,
                retries=False,
                timeout=urllib3.Timeout(connect=5.0, read=self.timeout),
                preload_content=False,
            )
            answer = response.read(MAX_ANSWER_BYTES, decode_content=True).decode("utf-8", "replace")
            response.release_conn()
        except Urllib3Error as exc:
            raise DeliveryError(f"could not reach the receiver: {type(exc).__name__}", retryable=True) from exc
        finally:
            pool.close()
        duration = int((time.monotonic() - started) * 1000)
        status = response.status
        if 200 <= status < 300:
            return HttpAnswer(status=status, body=answer, duration_ms=duration)
        if 300 <= status < 400:
            raise DeliveryError(
                f"the receiver answered {status} (a redirect); Sigap does not follow redirects: use the final URL",
                retryable=False,
                status_code=status,
            )
        if status == 410:
            raise DeliveryError(
                "the receiver answered 410 Gone: the endpoint is disabled",
                retryable=False,
                status_code=410,
                disable=True,
            )
        retryable = status in (408, 409, 425, 429) or status >= 500
        raise DeliveryError(
            f"the receiver answered {status}: {answer[:200]}".strip(),
            retryable=retryable,
            status_code=status,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
