"""This stop's new API routes, tried as a stranger would: bodies as arrays and objects, missing and extra fields,
malformed ids, out-of-range numbers. Each is a 4xx naming the problem, never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import http_event, load_handler
from tests.integration.conftest import AwsStack
from tests.integration.gateway_client import Gateway

JOIN = "/v1/tenants/{tenant}/incidents/{incident_id}/alerts"
VOLUME = "/v1/tenants/{tenant}/volume"
INCIDENT = "inc-20261202T0700-0a1b2c3d"


@pytest.fixture
def world(aws: AwsStack, lambda_context: Any) -> tuple[Gateway, str]:
    _, key = aws.new_tenant("brand-a")
    return Gateway(aws, lambda_context), key


@pytest.mark.parametrize(
    "body",
    [
        [],
        [{"alert_id": "20261202T0900-00000000000000000001"}],
        {},
        {"alert_id": "not-an-alert"},
        {"alert_id": "20261202T0900-00000000000000000001", "by": "the-ceo"},
        {"alert_id": "20261202T0900-00000000000000000001", "extra": 1},
        {"alert_id": 5},
        "20261202T0900-00000000000000000001",
    ],
)
def test_joining_an_alert_with_any_body_is_a_4xx_never_a_5xx(world: tuple[Gateway, str], body: Any) -> None:
    api, key = world
    status, answer = api.call("POST", JOIN, key, body=body, tenant="brand-a", incident_id=INCIDENT)
    assert 400 <= status < 500, answer
    assert answer["error"]["message"]


def test_joining_an_unknown_alert_or_incident_is_a_404(world: tuple[Gateway, str]) -> None:
    api, key = world
    body = {"alert_id": "20261202T0900-00000000000000000001"}
    status, answer = api.call("POST", JOIN, key, body=body, tenant="brand-a", incident_id=INCIDENT)
    assert status == 404, answer
    status, _ = api.call("POST", JOIN, key, body=body, tenant="brand-a", incident_id="inc-x")
    assert status == 422


@pytest.mark.parametrize("hours", ["0", "169", "-1", "x", "1e3", ""])
def test_volume_refuses_hours_out_of_range_by_name(world: tuple[Gateway, str], hours: str) -> None:
    api, key = world
    event = http_event(
        "GET",
        "/v1/tenants/brand-a/volume",
        route_path=VOLUME,
        headers={"authorization": f"Bearer {key}"},
        query={"hours": hours},
    )
    api.aws.use_function_environment("AlertsFunction")
    result = load_handler("alerts").lambda_handler(event, api.context)
    assert result["statusCode"] == 422, result["body"]
    assert "hours" in result["body"]


def test_volume_with_no_history_is_every_hour_at_zero_with_no_usual(world: tuple[Gateway, str]) -> None:
    api, key = world
    status, answer = api.call("GET", VOLUME, key, tenant="brand-a")
    assert status == 200, answer
    assert len(answer["items"]) == 24
    assert all(item["total"] == 0 and item["usual_total"] is None for item in answer["items"])
