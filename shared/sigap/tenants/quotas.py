"""A client's daily mention quota, as every door that answers over HTTP applies it: mentions received count
against the UTC day they arrive on; once the day's quota is used, a request is refused whole (429, with the
seconds until midnight UTC in Retry-After) rather than accepted in part."""

from __future__ import annotations

from datetime import datetime, timedelta

from sigap.kernel.errors import QuotaExceededError
from sigap.kernel.models import Tenant
from sigap.tenants.store import TenantStore


def seconds_to_midnight(now: datetime) -> int:
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((midnight - now).total_seconds()))


def reserve_mentions(tenants: TenantStore, tenant: Tenant, count: int, now: datetime) -> None:
    """Counts `count` mentions against the tenant's quota for today, or QuotaExceededError (nothing counted)."""
    limit = tenant.quotas.mentions_per_day
    if limit is None or count == 0:
        return
    day = f"{now:%Y-%m-%d}"
    if not tenants.reserve_mentions(tenant.tenant_id, day, count, limit):
        used = tenants.mentions_used(tenant.tenant_id, day)
        raise QuotaExceededError(
            f"the quota of {limit} mentions a day is used ({used} received today, {count} in this request); "
            "it renews at midnight UTC",
            retry_after=seconds_to_midnight(now),
        )
