"""Shared fixtures: the repository's paths, the template, and builders for mentions and events."""

from __future__ import annotations

import importlib.util
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import pytest

from sigap_tools.local.template import Template

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_PATH = ROOT / "template.yaml"


@pytest.fixture(scope="session")
def template() -> Template:
    return Template.load(TEMPLATE_PATH)


def load_handler(function: str) -> ModuleType:
    """Imports functions/<function>/handler.py the way Lambda does: as its own module, from its own folder."""
    path = ROOT / "functions" / function / "handler.py"
    spec = importlib.util.spec_from_file_location(f"{function}_handler_{uuid.uuid4().hex[:6]}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mention_payload(mention_id: str = "m1", **overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": mention_id,
        "source": "listening-tool",
        "channel": "social",
        "text": "Pelayanannya ramah dan cepat, mantap!",
        "created_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "author": {"handle": f"@{mention_id}-author", "followers": 1200},
    }
    return base | overrides


class FakeContext:
    function_name = "test-function"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id = "request-1"
    log_group_name = "/aws/lambda/test-function"
    log_stream_name = "test"

    def get_remaining_time_in_millis(self) -> int:
        # a whole minute, as most functions are given: a test whose work must be cut short gives less, and a busy
        # machine's slow test never is
        return 60_000


@pytest.fixture
def lambda_context() -> FakeContext:
    return FakeContext()


def http_event(
    method: str,
    path: str,
    *,
    route_path: str,
    body: Any = None,
    raw_body: str | bytes | None = None,
    headers: dict[str, str | None] | None = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event, built with the local gateway's own builder."""
    from sigap_tools.local.http_gateway import Route, build_event

    route = Route(method=method, path=route_path, pool=None)  # type: ignore[arg-type]
    target = path + ("?" + urlencode(query) if query else "")
    payload = raw_body if raw_body is not None else (json.dumps(body) if body is not None else "")
    all_headers = {"content-type": "application/json"} | {k.lower(): v for k, v in (headers or {}).items()}
    data = payload if isinstance(payload, bytes) else payload.encode("utf-8", "surrogatepass")
    return build_event(
        route, method, target, {k: v for k, v in all_headers.items() if v is not None}, data, "127.0.0.1"
    )


def sqs_event(bodies: list[str], attributes: dict[str, str] | None = None) -> dict[str, Any]:
    """An SQS event as Lambda delivers it, built with the local stack's own record builder."""
    from sigap_tools.local.event_sources import sqs_record

    message_attributes = {
        name: {"StringValue": value, "DataType": "String"} for name, value in (attributes or {}).items()
    }
    messages: list[Any] = [
        {
            "MessageId": f"message-{index}",
            "ReceiptHandle": f"handle-{index}",
            "Body": body,
            "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000"},
            "MessageAttributes": message_attributes,
            "MD5OfBody": "",
        }
        for index, body in enumerate(bodies)
    ]
    return {"Records": [sqs_record(message, "arn:aws:sqs:us-east-1:123456789012:scoring") for message in messages]}
