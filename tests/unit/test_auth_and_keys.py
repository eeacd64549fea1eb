"""API keys and DynamoDB key layout."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sigap.kernel.api_keys import bearer_token, hash_api_key, key_matches, new_api_key, tenant_of_key
from sigap.kernel.errors import SingleBrandStackError
from sigap.kernel.models import StackMode, Tenant
from sigap.platform import keys
from sigap_tools.tenants import create_tenant


def test_a_new_key_names_its_tenant_even_when_the_secret_holds_underscores() -> None:
    for _ in range(200):  # token_urlsafe produces "_" often enough to hit it
        key = new_api_key("brand-a")
        assert tenant_of_key(key) == "brand-a"


@pytest.mark.parametrize("key", ["", "sgp_", "sgp_brand", "xyz_brand_secret", "brand_secret"])
def test_a_key_of_the_wrong_shape_names_no_tenant(key: str) -> None:
    assert tenant_of_key(key) is None


def test_only_the_exact_key_matches_its_stored_hash() -> None:
    key = new_api_key("brand-a")
    tenant = Tenant(tenant_id="brand-a", display_name="A", api_key_hash=hash_api_key(key), created_at=datetime.now(UTC))
    assert key_matches(tenant, key)
    assert not key_matches(tenant, key + "x")
    assert not key_matches(tenant, new_api_key("brand-a"))


@pytest.mark.parametrize(
    ("header", "token"),
    [("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("Basic abc", None), ("Bearer", None), (None, None)],
)
def test_bearer_tokens_are_read_from_the_authorization_header(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


def test_every_dynamodb_key_starts_with_the_tenant_id() -> None:
    for key in (
        keys.tenant_pk("brand-a"),
        keys.mention_pk("brand-a", "m1"),
        keys.aggregate_pk("brand-a", 3),
        keys.aggregate_late_pk("brand-a"),
        keys.aggregate_rollup_pk("brand-a", "M"),
        keys.aggregate_cursor_pk("brand-a"),
    ):
        assert key.startswith("brand-a")


class _Registry:
    def __init__(self, existing: int = 0) -> None:
        self.created: list[Tenant] = []
        self.existing = existing

    def create(self, tenant: Tenant) -> None:
        self.created.append(tenant)

    def count(self, limit: int = 2) -> int:
        return min(self.existing + len(self.created), limit)


def test_a_tenant_is_created_with_only_the_hash_of_its_key() -> None:
    registry = _Registry()
    tenant, key = create_tenant(registry, "brand-a", "Brand A", mode=StackMode.MULTI, now=datetime.now(UTC))
    assert registry.created == [tenant]
    assert key not in tenant.model_dump_json()
    assert tenant.api_key_hash == hash_api_key(key)


def test_a_single_brand_stack_refuses_a_second_tenant() -> None:
    registry = _Registry(existing=1)
    with pytest.raises(SingleBrandStackError, match="StackMode=single"):
        create_tenant(registry, "brand-b", None, mode=StackMode.SINGLE, now=datetime.now(UTC))
    assert registry.created == []
