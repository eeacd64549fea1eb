"""No credential reaches a tenant it does not belong to, on any route the template declares, new ones included:
another brand's admin key and admin person, an agency's key and admin on a brand that is not its client, and a
client's key on its sibling client all get 403 before anything is read or written; a revoked key gets 401."""

from __future__ import annotations

import re
from typing import Any

import pytest

from sigap.kernel.identity import Role
from sigap.kernel.models import TenantKind
from sigap_tools.local.template import Template
from tests.conftest import TEMPLATE_PATH
from tests.integration.conftest import AwsStack
from tests.integration.gateway_client import Gateway

VICTIM = "brand-a"
# A value for every path parameter a tenant route has (what they name need not exist: the door comes first).
PARAMETERS = {
    "mention_id": "m-1",
    "alert_id": "20261201T0000-" + "0" * 20,
    "channel_id": "ch-0123456789ab",
    "silence_id": "si-0123456789ab",
    "notification_id": "n-1",
    "incident_id": "inc-20261202T0700-0a1b2c3d",
    "statement_id": "st-0123456789ab",
    "name": "crisis",
    "source": "crm",
    "import_id": "imp-1",
    "user_id": "0000",
    "key_id": "0123456789ab",
    "client": "kopi-senja",
}


@pytest.fixture
def template() -> Template:
    return Template.load(TEMPLATE_PATH, {"StackMode": "multi"})


def tenant_routes(gateway: Gateway) -> list[tuple[str, str]]:
    return sorted(route for route in gateway.routes if route[1].startswith("/v1/tenants/{tenant}"))


@pytest.fixture
def world(aws: AwsStack, lambda_context: Any) -> dict[str, Any]:
    api = Gateway(aws, lambda_context)
    aws.new_tenant(VICTIM)
    _, other_root = aws.new_tenant("brand-b")
    aws.new_tenant("agensi", TenantKind.AGENCY)
    agency_admin = aws.new_person("agensi", "sari@agensi.example", Role.ADMIN)
    status, _ = api.call(
        "POST",
        "/v1/tenants/{tenant}/clients",
        agency_admin,
        body={"tenant_id": "kopi-senja", "display_name": "Kopi Senja"},
        tenant="agensi",
    )
    assert status == 201
    api.call("POST", "/v1/tenants/{tenant}/clients", agency_admin, body={"tenant_id": "mie-kilat", "display_name": "M"},
             tenant="agensi")  # fmt: skip
    status, made = api.call(
        "POST", "/v1/tenants/{tenant}/keys", agency_admin, body={"name": "kopi", "scope": "admin"}, tenant="kopi-senja"
    )
    assert status == 201, made
    return {
        "api": api,
        "strangers": {
            "another brand's root key": other_root,
            "another brand's admin": aws.new_person("brand-b", "admin@brand-b.example", Role.ADMIN),
            "an agency's admin, on a brand not its client": agency_admin,
        },
        "sibling": made["api_key"],
    }


def _call(api: Gateway, method: str, route: str, token: str, tenant: str) -> tuple[int, Any]:
    names = re.findall(r"{(\w+)}", route)
    params = {name: PARAMETERS[name] for name in names if name != "tenant"}
    body = {} if method in ("POST", "PUT", "PATCH") else None
    return api.call(method, route, token, body=body, tenant=tenant, **params)


def test_no_stranger_reaches_another_tenant_on_any_route(world: dict[str, Any]) -> None:
    api: Gateway = world["api"]
    routes = tenant_routes(api)
    assert len(routes) >= 70  # every tenant route of every function, the accounts routes among them
    probes = 0
    for who, token in world["strangers"].items():
        for method, route in routes:
            status, answer = _call(api, method, route, token, VICTIM)
            assert status == 403, (who, method, route, status, answer)
            probes += 1
    # A client's own key does not reach its sibling client
    for method, route in routes:
        status, answer = _call(api, method, route, world["sibling"], "mie-kilat")
        assert status == 403, ("sibling", method, route, status, answer)
        probes += 1
    assert probes >= 4 * 70
