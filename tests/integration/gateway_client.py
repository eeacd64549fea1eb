"""Calling any route of the API in one test, as the HTTP API would: the route's function is found from
template.yaml's events, its environment set from the template, its handler called with a payload 2.0 event."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import http_event, load_handler
from tests.integration.conftest import AwsStack


class Gateway:
    def __init__(self, aws: AwsStack, context: Any) -> None:
        self.aws = aws
        self.context = context
        self.routes: dict[tuple[str, str], tuple[str, str]] = {}
        for function in aws.template.functions():
            for event in function.events.values():
                if event.get("Type") == "HttpApi":
                    properties = event["Properties"]
                    folder = function.code_uri.name
                    self.routes[(properties["Method"], properties["Path"])] = (function.logical_id, folder)
        self._handlers: dict[str, Any] = {}
        self._current: str | None = None

    def call(
        self, method: str, route: str, token: str | None = None, *, body: Any = None, **params: str
    ) -> tuple[int, Any]:
        logical_id, folder = self.routes[(method, route)]
        if self._current != logical_id:
            self.aws.use_function_environment(logical_id)
            self._current = logical_id
        handler = self._handlers.setdefault(folder, load_handler(folder))
        path = route
        for name, value in params.items():
            path = path.replace("{" + name + "}", value)
        headers: dict[str, str | None] = {"authorization": f"Bearer {token}"} if token else {}
        event = http_event(method, path, route_path=route, body=body, headers=headers)
        result = handler.lambda_handler(event, self.context)
        self.headers: dict[str, str] = result.get("headers") or {}
        text = result["body"]
        is_json = "json" in result["headers"].get("Content-Type", "")
        return result["statusCode"], json.loads(text) if is_json and text else text
