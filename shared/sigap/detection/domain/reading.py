"""Reading alerts for the API: a tenant's alerts newest first, filtered and paginated, and one with its evidence."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel

from sigap.detection.domain.lifecycle import alert_id_for
from sigap.detection.domain.models import Alert, AlertAcknowledgement, AlertStatus, Rule, Severity
from sigap.kernel.errors import NotFoundError
from sigap.kernel.models import Tenant
from sigap.kernel.paging import read_parts, sign_parts
from sigap.kernel.windows import resolve_window

DEFAULT_WINDOW = timedelta(days=30)
_CURSOR = "alerts"


class AlertReader(Protocol):
    def get(self, tenant_id: str, alert_id: str) -> Alert | None: ...

    def acknowledgement(self, tenant_id: str, alert_id: str) -> AlertAcknowledgement | None: ...

    def acknowledgements(self, tenant_id: str, first_id: str, last_id: str) -> dict[str, AlertAcknowledgement]: ...

    def page_newest_first(
        self, tenant_id: str, *, low: str, high: str, limit: int, filters: dict[str, str], after: str | None = None
    ) -> tuple[list[Alert], str | None]: ...


class AlertList(BaseModel):
    items: list[Alert]
    next_cursor: str | None
    since: datetime
    until: datetime


def list_alerts(
    reader: AlertReader,
    tenant: Tenant,
    *,
    status: AlertStatus | None,
    severity: Severity | None,
    rule: Rule | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    cursor: str | None,
    now: datetime,
) -> AlertList:
    """Alerts that fired in [since, until] (default: the last 30 days), newest first, each with its
    acknowledgement when someone acknowledged it."""
    start, end = resolve_window(since, until, default=DEFAULT_WINDOW, now=now)
    filters = {
        name: value.value for name, value in (("status", status), ("severity", severity), ("rule", rule)) if value
    }
    after = read_parts(tenant, _CURSOR, cursor, 1)[0] if cursor else None
    items, last = reader.page_newest_first(
        tenant.tenant_id,
        low=alert_id_for(start, ""),
        high=alert_id_for(end, "~"),
        limit=limit,
        filters=filters,
        after=after,
    )
    if items:
        acknowledged = reader.acknowledgements(tenant.tenant_id, items[-1].alert_id, items[0].alert_id)
        items = [
            alert.model_copy(update={"acknowledgement": acknowledged[alert.alert_id]})
            if alert.alert_id in acknowledged
            else alert
            for alert in items
        ]
    return AlertList(
        items=items,
        next_cursor=sign_parts(tenant, _CURSOR, [last]) if last else None,
        since=start,
        until=end,
    )


def get_alert(reader: AlertReader, tenant: Tenant, alert_id: str) -> Alert:
    alert = reader.get(tenant.tenant_id, alert_id)
    if alert is None:
        raise NotFoundError(f"no alert {alert_id!r} for this tenant")
    acknowledged = reader.acknowledgement(tenant.tenant_id, alert_id)
    return alert.model_copy(update={"acknowledgement": acknowledged}) if acknowledged else alert
