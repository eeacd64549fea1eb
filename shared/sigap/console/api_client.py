"""The console calls Sigap's own HTTP API as the signed-in person (their ID token, never a stored key), so every
role is checked by the API, once, the same way for a browser, a script and a tool; a page only shows what the
API answered and hides the buttons the person's role cannot use."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode

import urllib3

from sigap.kernel.errors import SigapError

_TIMEOUT = urllib3.Timeout(connect=3.0, read=25.0)


class ApiUnavailableError(SigapError):
    """The API could not be reached or did not answer in time (the page says so: retry)."""


@dataclass(frozen=True)
class ApiAnswer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def problem(self) -> str:
        """The API's own words for a refusal ('approving is a person's act', a field's problem), or ''."""
        if self.ok or not isinstance(self.body, dict):
            return ""
        error = self.body.get("error") or {}
        return str(error.get("message") or self.body.get("message") or f"the API answered {self.status}")


def path_of(*parts: str) -> str:
    """A path with each part escaped: ids typed into an address bar reach the API as one segment each."""
    return "/" + "/".join(quote(part, safe="") for part in parts)


@lru_cache(maxsize=1)
def _pool() -> urllib3.PoolManager:
    return urllib3.PoolManager(timeout=_TIMEOUT, retries=False, maxsize=8)


@dataclass(frozen=True)
class ApiClient:
    base_url: str
    token: str

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: dict[str, str] | None = None,
        accept: str = "application/json",
    ) -> ApiAnswer:
        target = self.base_url.rstrip("/") + path + (f"?{urlencode(query)}" if query else "")
        headers = {"authorization": f"Bearer {self.token}", "accept": accept}
        payload = None
        if body is not None:
            payload = json.dumps(body, ensure_ascii=False).encode()
            headers["content-type"] = "application/json"
        try:
            answer = _pool().request(method, target, body=payload, headers=headers)
        except urllib3.exceptions.HTTPError as exc:
            raise ApiUnavailableError(f"the API did not answer: {exc}") from exc
        text = answer.data.decode("utf-8", "replace")
        kind = answer.headers.get("content-type", "")
        parsed: Any = text
        if "json" in kind and text:
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = text
        if answer.status in (502, 503, 504):
            raise ApiUnavailableError(f"the API answered {answer.status}: retry in a moment")
        return ApiAnswer(answer.status, parsed, {name.lower(): value for name, value in answer.headers.items()})

    def get(self, *parts: str, query: dict[str, str] | None = None) -> ApiAnswer:
        return self.call("GET", path_of(*parts), query=query)

    def post(self, *parts: str, body: Any = None) -> ApiAnswer:
        return self.call("POST", path_of(*parts), body={} if body is None else body)

    def put(self, *parts: str, body: Any) -> ApiAnswer:
        return self.call("PUT", path_of(*parts), body=body)

    def patch(self, *parts: str, body: Any) -> ApiAnswer:
        return self.call("PATCH", path_of(*parts), body=body)

    def delete(self, *parts: str) -> ApiAnswer:
        return self.call("DELETE", path_of(*parts))
