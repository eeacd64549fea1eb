"""The people, keys and clients routes, fuzzed: whatever body, path value and credential a stranger sends, the
answer is never a 5xx, an error always has the error shape, and a 2xx on a create route shows what was made."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sigap.kernel.identity import Role
from sigap.kernel.models import TenantKind
from sigap_tools.local.template import Template
from tests.conftest import TEMPLATE_PATH, http_event, load_handler
from tests.integration.conftest import AwsStack

EXAMPLES = 60
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
ROUTES = {
    "me": ("GET", "/v1/tenants/{tenant}/me"),
    "people": ("GET", "/v1/tenants/{tenant}/users"),
    "invite": ("POST", "/v1/tenants/{tenant}/users"),
    "role": ("PATCH", "/v1/tenants/{tenant}/users/{user_id}"),
    "remove": ("DELETE", "/v1/tenants/{tenant}/users/{user_id}"),
    "keys": ("GET", "/v1/tenants/{tenant}/keys"),
    "key": ("POST", "/v1/tenants/{tenant}/keys"),
    "rotate": ("POST", "/v1/tenants/{tenant}/keys/{key_id}/rotate"),
    "revoke": ("DELETE", "/v1/tenants/{tenant}/keys/{key_id}"),
    "clients": ("GET", "/v1/tenants/{tenant}/clients"),
    "client": ("POST", "/v1/tenants/{tenant}/clients"),
    "one": ("GET", "/v1/tenants/{tenant}/clients/{client}"),
    "quotas": ("PATCH", "/v1/tenants/{tenant}/clients/{client}"),
    "delete": ("DELETE", "/v1/tenants/{tenant}/clients/{client}"),
    "suspend": ("POST", "/v1/tenants/{tenant}/clients/{client}/suspend"),
    "resume": ("POST", "/v1/tenants/{tenant}/clients/{client}/resume"),
    "rollup": ("GET", "/v1/tenants/{tenant}/rollup"),
    "inbox": ("GET", "/v1/tenants/{tenant}/inbox"),
}
bodies = {
    "invite": st.fixed_dictionaries(
        {"email": st.emails() | st.text(max_size=40), "role": st.sampled_from(["viewer", "admin", "root", ""])}
    ),
    "role": st.fixed_dictionaries({"role": st.sampled_from(["viewer", "responder", "approver", "admin", "x"])}),
    "key": st.fixed_dictionaries(
        {"name": st.text(max_size=70), "scope": st.sampled_from(["ingest", "read", "admin", "approve", ""])}
    ),
    "rotate": st.fixed_dictionaries({}, optional={"overlap_minutes": st.integers(-10, 20_000) | st.text(max_size=5)}),
    "client": st.fixed_dictionaries(
        {
            "tenant_id": st.sampled_from(["kopi-senja", "agensi", "ab"]) | st.text(max_size=45),
            "display_name": st.text(max_size=210),
        },
        optional={
            "quotas": st.fixed_dictionaries({}, optional={"mentions_per_day": json_values, "sources": json_values})
        },
    ),
    "quotas": st.fixed_dictionaries(
        {"quotas": st.fixed_dictionaries({}, optional={"mentions_per_day": json_values, "sources": json_values})}
    ),
}


@pytest.fixture
def template() -> Template:
    return Template.load(TEMPLATE_PATH, {"StackMode": "multi"})


@pytest.fixture
def world(aws: AwsStack) -> dict[str, Any]:
    aws.use_function_environment("AccountsFunction")
    aws.new_tenant("agensi", TenantKind.AGENCY)
    _, root = aws.new_tenant("brand-b")
    return {
        "handler": load_handler("accounts"),
        "credentials": {
            "admin": aws.new_person("agensi", "sari@agensi.example", Role.ADMIN),
            "viewer": aws.new_person("agensi", "vera@agensi.example", Role.VIEWER),
            "stranger": root,
            "none": None,
            "garbage": "eyJ.x.y",
        },
    }


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    data=st.data(),
    which=st.sampled_from(sorted(ROUTES)),
    who=st.sampled_from(["admin"] * 5 + ["viewer", "stranger", "none", "garbage"]),
)
def test_any_request_to_the_accounts_routes_never_gets_a_5xx(
    world: dict[str, Any], lambda_context: Any, data: st.DataObject, which: str, who: str
) -> None:
    method, route = ROUTES[which]
    strategy = bodies.get(which, st.none())
    body = data.draw(st.one_of(strategy, json_values) if data.draw(st.booleans()) else strategy)
    tenant = data.draw(st.sampled_from(["agensi", "agensi", "brand-b", "kopi-senja"]))
    path = route.replace("{tenant}", tenant)
    for name, choices in (
        ("user_id", ["0000", "x" * 200]),
        ("key_id", ["0123456789ab", "zz"]),
        ("client", ["kopi-senja", "..", "A"]),
    ):
        path = path.replace(
            "{" + name + "}", quote(data.draw(st.sampled_from(choices) | st.text(min_size=1, max_size=20)), safe="")
        )
    token = world["credentials"][who]
    headers: dict[str, str | None] = {"authorization": f"Bearer {token}"} if token else {}
    event = http_event(method, path, route_path=route, body=body, headers=headers)
    if not event.get("pathParameters"):
        return  # API Gateway would not route it here
    result = world["handler"].lambda_handler(event, lambda_context)
    assert result["statusCode"] < 500, result["body"]
    answer = json.loads(result["body"])
    if result["statusCode"] >= 400:
        assert set(answer) == {"error"}, answer
        assert answer["error"]["message"]
    elif which == "key":
        assert answer["api_key"].startswith("sgp_")
    if who in ("none", "garbage") or (who == "stranger" and tenant != "brand-b"):
        assert result["statusCode"] in (401, 403), (who, result)
