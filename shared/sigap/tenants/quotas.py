"""A client's daily mention quota. Mentions count against the UTC day they arrive on.

- The doors that answer over HTTP (the API, webhooks): once the day's quota is used, a request is refused whole
  (429, with the seconds until midnight UTC in Retry-After) rather than accepted in part.
- The doors that cannot answer 429 (e-mail, feeds, imports): each batch takes what is left of the day's quota,
  in order, and names the rest refused; only new mentions stay counted (`DoorQuota`). What a batch takes is held
  under the batch's name until it settles, so a batch whose process died between taking and settling (killed,
  timed out), or that failed, is counted once when SQS delivers it again, not twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sigap.kernel.errors import QuotaExceededError
from sigap.kernel.models import Held, Tenant
from sigap.tenants.store import TenantStore


def seconds_to_midnight(now: datetime) -> int:
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((midnight - now).total_seconds()))


def usage_day(now: datetime) -> str:
    """The UTC day mentions received at `now` count against: every door's reservations share its counter."""
    return f"{now:%Y-%m-%d}"


def reserve_mentions(tenants: TenantStore, tenant: Tenant, count: int, now: datetime) -> None:
    """Counts `count` mentions against the tenant's quota for today, or QuotaExceededError (nothing counted)."""
    limit = tenant.quotas.mentions_per_day
    if limit is None or count == 0:
        return
    day = usage_day(now)
    if not tenants.reserve_mentions(tenant.tenant_id, day, count, limit):
        used = tenants.mentions_used(tenant.tenant_id, day)
        raise QuotaExceededError(
            f"the quota of {limit} mentions a day is used ({used} received today, {count} in this request); "
            "it renews at midnight UTC",
            retry_after=seconds_to_midnight(now),
        )


# Attempts at a reservation while other batches of the tenant reserve at the same moment: each lost race means
# another batch took part of what was left, so what is left is read again.
_TAKE_ATTEMPTS = 5


@dataclass(frozen=True)
class DoorQuota:
    """`ingest.domain.DailyQuota` on the tenants table, for one batch received at `now`."""

    tenants: TenantStore
    tenant_id: str
    limit: int
    now: datetime

    @property
    def _day(self) -> str:
        return usage_day(self.now)

    def take(self, wanted: int, batch: str) -> Held:
        # Most batches fit what is left: one conditional write, as the HTTP doors make, and no read before it
        held = self.tenants.hold_mentions(self.tenant_id, self._day, batch, wanted, self.limit)
        for _ in range(_TAKE_ATTEMPTS):
            if held is not None:
                break
            count = min(wanted, self.limit - self.tenants.mentions_used(self.tenant_id, self._day))
            if count <= 0:
                return Held(0)
            held = self.tenants.hold_mentions(self.tenant_id, self._day, batch, count, self.limit)
        return held or Held(0)

    def settle(self, batch: str, unused: int) -> None:
        self.tenants.settle_mentions(self.tenant_id, self._day, batch, unused)

    def refusal(self) -> str:
        hours = seconds_to_midnight(self.now) / 3600
        return (
            f"the client's quota of {self.limit} mentions a day is used; it renews at midnight UTC (in {hours:.1f} "
            "hours), and what was refused can be sent again then (what was accepted is skipped as a duplicate)"
        )


def door_quota(tenants: TenantStore, tenant: Tenant, now: datetime) -> DoorQuota | None:
    """The quota a door applies to a batch of the tenant's mentions, or None if it has none."""
    limit = tenant.quotas.mentions_per_day
    return None if limit is None else DoorQuota(tenants, tenant.tenant_id, limit, now)


def quota_of(tenants: TenantStore, tenant_id: str, now: datetime) -> DoorQuota | None:
    """`door_quota` for a tenant known by its id (None too if it no longer exists: its door refuses it anyway)."""
    tenant = tenants.get(tenant_id)
    return None if tenant is None else door_quota(tenants, tenant, now)
