"""Reading a feed over HTTP, safely: every address checked by `ssrf.resolve_target` before it is connected to
(redirects included, each hop checked again), TLS verified against the URL's host name, a conditional GET with the
last read's validators, and the answer bounded in size and in time (a slow-dripping server cannot hold the
function). An answer that is not a feed's is a FeedFetchError with a reason the tenant can act on."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus
from urllib.parse import urljoin

import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error

from sigap.outbound.domain.retry import retry_after_seconds
from sigap.outbound.domain.ssrf import Resolver, UnsafeUrlError, resolve_target, system_resolver
from sigap.outbound.http import connection_to

MAX_FEED_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
CONNECT_SECONDS = 5.0
READ_SECONDS = 15.0
TOTAL_SECONDS = 25.0  # the whole read, redirects included
_CHUNK = 64 * 1024
USER_AGENT = "Sigap-FeedReader/1 (+https://github.com/sigap/sigap)"
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


class FeedFetchError(Exception):
    """The feed could not be read: why, the HTTP status if there was an answer, and how long it asked to wait."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after: timedelta | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class FeedAnswer:
    status: int  # 200, or 304 (not modified since the last read: no body)
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    url: str  # where it was read from, after redirects


@dataclass(frozen=True)
class FeedFetcher:
    allow_loopback: bool = False  # the local stack's demo feeds on 127.0.0.1, never on AWS
    resolver: Resolver = system_resolver
    total_seconds: float = TOTAL_SECONDS

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FeedAnswer:
        deadline = time.monotonic() + self.total_seconds
        conditional = {"If-None-Match": etag} if etag else {}
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            status, headers, body = self._one(current, conditional, deadline)
            location = headers.get("location")
            if status in (301, 302, 303, 307, 308) and location:
                current = urljoin(current, location)
                continue
            if status == 304:
                return FeedAnswer(304, b"", "", headers.get("etag"), headers.get("last-modified"), current)
            if 200 <= status < 300:
                return FeedAnswer(status, body, headers.get("content-type", ""), headers.get("etag"),
                                  headers.get("last-modified"), current)  # fmt: skip
            raise _refusal(status, headers)
        raise FeedFetchError(f"more than {MAX_REDIRECTS} redirects: use the feed's final address")

    def _one(self, url: str, conditional: dict[str, str], deadline: float) -> tuple[int, dict[str, str], bytes]:
        try:
            target = resolve_target(url, allow_loopback=self.allow_loopback, resolver=self.resolver)
        except UnsafeUrlError as exc:
            raise FeedFetchError(f"refused address {url[:200]}: {exc}") from exc
        pool, host_header = connection_to(target)
        headers = {"Host": host_header, "User-Agent": USER_AGENT, "Accept": _ACCEPT,
                   "Accept-Encoding": "gzip, deflate"} | conditional  # fmt: skip
        try:
            remaining = max(0.1, deadline - time.monotonic())
            response = pool.urlopen(
                "GET",
                target.path,
                headers=headers,
                redirect=False,
                retries=False,
                timeout=urllib3.Timeout(connect=min(CONNECT_SECONDS, remaining), read=min(READ_SECONDS, remaining)),
                preload_content=False,
            )
            answer_headers = {key.lower(): value for key, value in response.headers.items()}
            body = _bounded(response, deadline) if response.status == 200 else b""
            response.release_conn()
        except Urllib3Error as exc:
            raise FeedFetchError(f"could not reach {target.host}: {type(exc).__name__}") from exc
        finally:
            pool.close()
        return response.status, answer_headers, body


def _bounded(response: urllib3.BaseHTTPResponse, deadline: float) -> bytes:
    """The body, decompressed, refused past MAX_FEED_BYTES or past the deadline (a server sending a byte a second
    would otherwise hold the read for ever: the read timeout is per byte, not per answer)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FEED_BYTES and not response.headers.get("content-encoding"):
        raise FeedFetchError(f"the feed is {int(declared)} bytes; the limit is {MAX_FEED_BYTES}")
    parts: list[bytes] = []
    size = 0
    # read1: whatever has arrived (up to a chunk), so the deadline is checked however slowly the bytes come.
    while chunk := response.read1(_CHUNK, decode_content=True):
        size += len(chunk)
        if size > MAX_FEED_BYTES:
            raise FeedFetchError(f"the feed is larger than {MAX_FEED_BYTES} bytes (decompressed)")
        if time.monotonic() > deadline:
            raise FeedFetchError(f"the feed took longer than {TOTAL_SECONDS:.0f} s to send")
        parts.append(chunk)
    return b"".join(parts)


def _refusal(status: int, headers: dict[str, str]) -> FeedFetchError:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "an unknown status"
    wait = retry_after_seconds(headers.get("retry-after"))
    hint = {
        401: ": the feed needs credentials Sigap does not have",
        403: ": the site refuses Sigap's reader",
        404: ": check the feed's address",
        410: ": the feed was removed; remove the source or give its new address",
        429: ": the site asks Sigap to read less often",
    }.get(status, "")
    return FeedFetchError(
        f"the feed answered {status} {phrase}{hint}",
        status=status,
        retry_after=timedelta(seconds=wait) if wait is not None else None,
    )
