"""Tenant logic: creating a brand with its API key, within the stack's mode."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sigap.kernel.api_keys import hash_api_key, new_api_key
from sigap.kernel.errors import SingleBrandStackError
from sigap.kernel.models import StackMode, Tenant, TenantKind


class TenantRegistry(Protocol):
    def create(self, tenant: Tenant) -> None: ...

    def count(self, limit: int = 2) -> int: ...


def create_tenant(
    registry: TenantRegistry,
    tenant_id: str,
    display_name: str | None,
    *,
    mode: StackMode,
    now: datetime,
    kind: TenantKind = TenantKind.BRAND,
) -> tuple[Tenant, str]:
    """The new tenant and its API key; the key is shown once and only its hash is stored."""
    if mode is StackMode.SINGLE and registry.count(limit=1) >= 1:
        raise SingleBrandStackError(
            "this stack was deployed with StackMode=single and already holds its brand; "
            "deploy another stack for another brand, or deploy with StackMode=multi"
        )
    api_key = new_api_key(tenant_id)
    tenant = Tenant(
        tenant_id=tenant_id,
        display_name=display_name or tenant_id,
        api_key_hash=hash_api_key(api_key),
        created_at=now,
        kind=kind,
    )
    registry.create(tenant)
    return tenant, api_key
