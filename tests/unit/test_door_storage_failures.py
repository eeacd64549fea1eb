"""A storage failure at the door (reading the tenant, a key or a person's role before any route runs) is a 503
to retry, as one behind it is, never an unhandled error that API Gateway turns into a 500."""

from __future__ import annotations

import json
from typing import Any

from sigap.kernel.errors import StorageError
from sigap.mentions.router import app
from sigap.platform.http.resolver import serve
from tests.conftest import http_event


class _Down:
    def get(self, tenant_id: str) -> Any:
        raise StorageError("DynamoDB GetItem on tenants failed: ProvisionedThroughputExceededException")

    key = member = touch_key = get


def test_a_tenants_table_that_fails_at_the_door_is_a_503_to_retry() -> None:
    event = http_event(
        "GET",
        "/v1/tenants/brand-a/summary",
        route_path="/v1/tenants/{tenant}/summary",
        headers={"authorization": "Bearer sgp_brand-a_secret"},
    )
    answer = serve(app, event, None, tenants=_Down(), max_body_bytes=1024, settings=object())
    assert answer["statusCode"] == 503
    assert json.loads(answer["body"])["error"]["code"] == "unavailable"
