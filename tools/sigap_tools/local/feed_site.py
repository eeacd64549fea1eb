"""A local stand-in for the blogs and news sites whose feeds Sigap reads: the demo publishes its blog posts and news
items here, the tests and the bench their feeds. It answers as a well-behaved publisher does (an ETag and a
Last-Modified on every feed, 304 to a conditional GET that matches, gzip when asked), and as a badly behaved one
does when told to (any status with a Retry-After, a redirect, a slow drip, an endless body).

Used in-process: `with FeedSite() as site: site.publish("/blog.xml", rss)`; `site.url("/blog.xml")`.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass
class Published:
    body: bytes
    content_type: str
    etag: str
    last_modified: str
    validators: bool = True  # False: a publisher that sends neither ETag nor Last-Modified


@dataclass
class Misbehaviour:
    status: int | None = None  # answer this status instead of the feed
    retry_after: str | None = None
    redirect_to: str | None = None  # answer 301 to this path or URL
    drip_seconds: float = 0.0  # send the body a byte at a time, this long between bytes
    endless: bool = False  # send bytes for ever (chunked)


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    status: int


@dataclass
class _State:
    feeds: dict[str, Published] = field(default_factory=dict)
    faults: dict[str, Misbehaviour] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class FeedSite:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._state = _State()
        self._server = ThreadingHTTPServer((host, port), _handler(self._state))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="feed-site", daemon=True)

    def __enter__(self) -> FeedSite:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def start(self) -> FeedSite:
        return self.__enter__()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def publish(self, path: str, body: bytes | str, content_type: str = "application/rss+xml; charset=utf-8",
                *, validators: bool = True) -> None:  # fmt: skip
        """Serves `body` at `path` from now on; a new body is a new ETag and Last-Modified."""
        data = body.encode() if isinstance(body, str) else body
        with self._state.lock:
            self._state.feeds[path] = Published(
                body=data,
                content_type=content_type,
                etag='"' + hashlib.sha256(data).hexdigest()[:20] + '"',
                last_modified=formatdate(time.time(), usegmt=True),
                validators=validators,
            )

    def misbehave(self, path: str, misbehaviour: Misbehaviour | None) -> None:
        with self._state.lock:
            if misbehaviour is None:
                self._state.faults.pop(path, None)
            else:
                self._state.faults[path] = misbehaviour

    def requests(self, path: str | None = None) -> list[Request]:
        with self._state.lock:
            return [request for request in self._state.requests if path is None or request.path == path]


def _handler(state: _State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _answer(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
            with state.lock:
                state.requests.append(Request(self.path, dict(self.headers.items()), status))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            with state.lock:
                feed = state.feeds.get(self.path)
                fault = state.faults.get(self.path)
            if fault is not None and fault.redirect_to:
                self._answer(301, {"Location": fault.redirect_to})
            elif fault is not None and fault.status:
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                self._answer(fault.status, headers, b"not today")
            elif fault is not None and (fault.endless or fault.drip_seconds):
                self._trickle(fault)
            elif feed is None:
                self._answer(404, {"Content-Type": "text/plain"}, b"no such feed")
            else:
                self._feed(feed)

        def _feed(self, feed: Published) -> None:
            validators = {"ETag": feed.etag, "Last-Modified": feed.last_modified} if feed.validators else {}
            matches = feed.validators and (
                self.headers.get("If-None-Match") == feed.etag
                or (
                    not self.headers.get("If-None-Match")
                    and self.headers.get("If-Modified-Since") == feed.last_modified
                )
            )
            if matches:
                self._answer(304, validators)
                return
            body, encoding = feed.body, {}
            if "gzip" in (self.headers.get("Accept-Encoding") or ""):
                body, encoding = gzip.compress(feed.body), {"Content-Encoding": "gzip"}
            self._answer(200, {"Content-Type": feed.content_type} | validators | encoding, body)

        def _trickle(self, fault: Misbehaviour) -> None:
            with state.lock:
                state.requests.append(Request(self.path, dict(self.headers.items()), 200))
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<" * 65536 if fault.endless else b"<"
            try:
                while True:
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.flush()
                    if fault.drip_seconds:
                        time.sleep(fault.drip_seconds)
            except OSError:  # the reader gave up: what it was meant to do
                return

    return Handler
