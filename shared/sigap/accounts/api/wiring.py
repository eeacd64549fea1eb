"""The accounts API's adapters (built once per settings) and what its routes share."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sigap.accounts.settings import AccountsSettings
from sigap.accounts.user_pool import UserPool
from sigap.detection.store import AlertsTable
from sigap.incidents.store import IncidentsTable
from sigap.mentions.aggregate_store import AggregateStore
from sigap.platform.http.resolver import HasContext, settings_in
from sigap.tenants.store import TenantStore


@dataclass(frozen=True)
class Adapters:
    tenants: TenantStore
    people: UserPool
    alerts: AlertsTable
    incidents: IncidentsTable
    aggregates: AggregateStore


@lru_cache(maxsize=1)
def adapters(settings: AccountsSettings) -> Adapters:
    return Adapters(
        tenants=TenantStore(settings.tenants_table),
        people=UserPool(settings.user_pool_id),
        alerts=AlertsTable(settings.alerts_table),
        incidents=IncidentsTable(settings.notifications_table),
        aggregates=AggregateStore(settings.aggregates_table, settings.aggregate_shards),
    )


def adapters_of(router: HasContext) -> Adapters:
    return adapters(settings_in(router, AccountsSettings))
