"""A small HTTP client for Sigap's API, used by the demo, the benchmarks and the end-to-end tests."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode


@dataclass(frozen=True)
class ApiAnswer:
    status: int
    body: Any
    headers: dict[str, str]


# Longer than the local gateway's own worst case (a cold sandbox may take 60 s to start on a busy machine, then
# the function's timeout), so what a caller sees is the gateway's answer, never its own socket giving up first.
DEFAULT_TIMEOUT_SECONDS = 120.0


class SigapClient:
    def __init__(self, api_url: str, api_key: str | None = None, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._base = api_url.rstrip("/")
        self._key = api_key
        self._timeout = timeout

    def without_key(self) -> SigapClient:
        """The same API as an external tool calls it: with no tenant key (a webhook proves itself otherwise)."""
        return SigapClient(self._base, None, self._timeout)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        raw: bytes | None = None,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> ApiAnswer:
        url = self._base + path + (f"?{urlencode({k: v for k, v in query.items() if v is not None})}" if query else "")
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        all_headers = {"content-type": "application/json"} | (headers or {})
        if self._key and "authorization" not in {key.lower() for key in all_headers}:
            all_headers["authorization"] = f"Bearer {self._key}"
        request = urllib.request.Request(url, data=data, method=method, headers=all_headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as answer:  # noqa: S310
                return ApiAnswer(answer.status, _decode(answer.read()), dict(answer.headers))
        except urllib.error.HTTPError as error:
            return ApiAnswer(error.code, _decode(error.read()), dict(error.headers))

    def post_mentions(self, tenant_id: str, mentions: list[dict[str, Any]]) -> ApiAnswer:
        return self.request("POST", f"/v1/tenants/{tenant_id}/mentions", body={"mentions": mentions})

    def summary(self, tenant_id: str, **query: Any) -> ApiAnswer:
        return self.request("GET", f"/v1/tenants/{tenant_id}/summary", query=query)

    def mentions(self, tenant_id: str, **query: Any) -> ApiAnswer:
        return self.request("GET", f"/v1/tenants/{tenant_id}/mentions", query=query)

    def alerts(self, tenant_id: str, **query: Any) -> ApiAnswer:
        return self.request("GET", f"/v1/tenants/{tenant_id}/alerts", query=query)

    def alert(self, tenant_id: str, alert_id: str) -> ApiAnswer:
        return self.request("GET", f"/v1/tenants/{tenant_id}/alerts/{alert_id}")


def _decode(payload: bytes) -> Any:
    """JSON as its value, text as str, anything else (a PDF) as the bytes themselves."""
    try:
        return json.loads(payload) if payload else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload
