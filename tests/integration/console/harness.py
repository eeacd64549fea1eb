"""The console under test in process: a browser that keeps cookies and posts forms to the console function, and
the HTTP API the console calls as the signed-in person answered by the API's own functions in the same process
(each with its own environment from template.yaml, the console's put back afterwards)."""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from sigap.console.api_client import ApiAnswer, ApiClient
from tests.conftest import http_event, load_handler
from tests.integration.conftest import AwsStack


def _route_pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "$")


class Routes:
    """Every HTTP route of template.yaml: (method, path) → (function, handler folder), most specific first."""

    def __init__(self, aws: AwsStack) -> None:
        found = []
        for function in aws.template.functions():
            for event in function.events.values():
                if event.get("Type") == "HttpApi":
                    properties = event["Properties"]
                    found.append(
                        (properties["Method"], properties["Path"], function.logical_id, function.code_uri.name)
                    )
        found.sort(key=lambda route: [part.startswith("{") for part in route[1].split("/")])
        self.routes = [(method, path, _route_pattern(path), logical, folder) for method, path, logical, folder in found]

    def find(self, method: str, path: str) -> tuple[str, str, str]:
        for route_method, route_path, pattern, logical, folder in self.routes:
            if route_method == method and pattern.match(path):
                return route_path, logical, folder
        raise LookupError(f"no route {method} {path}")


class InProcessApi:
    def __init__(self, aws: AwsStack, context: Any) -> None:
        self.aws, self.context, self.routes = aws, context, Routes(aws)
        self.handlers: dict[str, Any] = {}
        self.calls: list[tuple[str, str, int]] = []
        # Told which function is answering (and then "ConsoleFunction" again), e.g. to attribute its AWS calls.
        self.on_function: Callable[[str], None] = lambda logical_id: None
        # One call at a time: a page makes its calls side by side, and on AWS each lands in a sandbox of its own;
        # here they share one process, its environment and each function's resolver.
        self._one_at_a_time = threading.Lock()

    def __call__(
        self,
        client: ApiClient,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: dict[str, str] | None = None,
        accept: str = "application/json",
    ) -> ApiAnswer:
        with self._one_at_a_time:
            return self._answer(client, method, path, body=body, query=query, accept=accept)

    def _answer(
        self, client: ApiClient, method: str, path: str, *, body: Any, query: dict[str, str] | None, accept: str
    ) -> ApiAnswer:
        route_path, logical, folder = self.routes.find(method, path)
        self.aws.use_function_environment(logical)
        self.on_function(logical)
        try:
            handler = self.handlers.setdefault(folder, load_handler(folder))
            headers: dict[str, str | None] = {"authorization": f"Bearer {client.token}", "accept": accept}
            event = http_event(method, path, route_path=route_path, body=body, headers=headers, query=query)
            result = handler.lambda_handler(event, self.context)
        finally:
            self.aws.use_function_environment("ConsoleFunction")
            self.on_function("ConsoleFunction")
        text = result.get("body") or ""
        kind = str((result.get("headers") or {}).get("Content-Type", ""))
        parsed = json.loads(text) if "json" in kind and text else text
        self.calls.append((method, path, int(result["statusCode"])))
        answer_headers = {str(k).lower(): str(v) for k, v in (result.get("headers") or {}).items()}
        return ApiAnswer(int(result["statusCode"]), parsed, answer_headers)


def serve_api_in_process(aws: AwsStack, lambda_context: Any, monkeypatch: pytest.MonkeyPatch) -> InProcessApi:
    """Every call the console makes to the API, answered in process for the rest of the test."""
    api = InProcessApi(aws, lambda_context)
    monkeypatch.setattr(ApiClient, "call", lambda client, method, path, **kw: api(client, method, path, **kw))
    return api


class Browser:
    """A browser as far as the console needs one: it keeps the cookies it is given (by name), sends them back,
    posts forms, and does not follow redirects (the tests read where they lead)."""

    def __init__(self, aws: AwsStack, context: Any, address: str = "127.0.0.1", language: str = "en") -> None:
        self.aws, self.context, self.address, self.language = aws, context, address, language
        self.cookies: dict[str, str] = {}
        self.set_cookie_lines: list[str] = []
        self.routes = Routes(aws)
        aws.use_function_environment("ConsoleFunction")
        self.handler = load_handler("console")

    def request(self, method: str, target: str, form: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        parts = urlsplit(target)
        headers: dict[str, str | None] = {"accept-language": self.language}
        if self.cookies:
            headers["cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if form is not None:
            headers["content-type"] = "application/x-www-form-urlencoded"
        route_path, _, _ = self.routes.find(method, parts.path)
        event = http_event(
            method,
            parts.path,
            route_path=route_path,
            raw_body=urlencode(form) if form is not None else "",
            headers=headers,
            query={key: values[0] for key, values in parse_qs(parts.query).items()} or None,
        )
        event["requestContext"]["http"]["sourceIp"] = self.address
        self.aws.use_function_environment("ConsoleFunction")
        result = self.handler.lambda_handler(event, self.context)
        self.set_cookie_lines = [str(line) for line in result.get("cookies") or []]
        for line in self.set_cookie_lines:
            name, _, rest = line.partition("=")
            value = rest.split(";")[0]
            if value and "Max-Age=0" not in line and "Expires=Thu, 01 Jan 1970" not in line:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        answer_headers = {k.lower(): str(v) for k, v in (result.get("headers") or {}).items()}
        return int(result["statusCode"]), answer_headers, str(result.get("body") or "")

    def get(self, target: str) -> tuple[int, dict[str, str], str]:
        return self.request("GET", target)

    def post(self, target: str, form: dict[str, str]) -> tuple[int, dict[str, str], str]:
        return self.request("POST", target, form)

    def sign_in(self, email: str, password: str, next_page: str = "") -> tuple[int, dict[str, str], str]:
        status, _, page = self.get("/console/sign-in" + (f"?{urlencode({'next': next_page})}" if next_page else ""))
        assert status == 200, page
        return self.post("/console/sign-in", {**hidden_fields(page), "email": email, "password": password})

    def submit(self, page: str, action: str, **fields: str) -> tuple[int, dict[str, str], str]:
        """Posts the page's form whose action is `action`, with its hidden fields and these."""
        match = re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
        assert match, f"no form posting to {action}"
        return self.post(action, {**form_fields(match.group(1)), **fields})


def form_fields(form: str) -> dict[str, str]:
    """What a browser sends for a form as it stands: its inputs' values, its text areas, each select's choice."""
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and 'type="submit"' not in tag:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, text in re.findall(r'<textarea\b[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[name] = html.unescape(text)
    for name, options in re.findall(r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r"<option[^>]*selected[^>]*>([^<]*)</option>", options) or re.search(
            r"<option[^>]*>([^<]*)</option>", options
        )
        if chosen:
            value = re.search(r'value="([^"]*)"', chosen.group(0))
            fields[name] = html.unescape(value.group(1) if value else chosen.group(1))
    return fields


def hidden_fields(page: str) -> dict[str, str]:
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page)
    }
