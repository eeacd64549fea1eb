"""The audit Alertmanager lacks, for the API: every notification newest first with each delivery and attempt,
and every incident; pages carry signed cursors (a cursor from another tenant or purpose is refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel

from sigap.incidents.domain.model import Incident
from sigap.kernel.errors import NotFoundError
from sigap.kernel.models import Tenant
from sigap.kernel.paging import read_parts, sign_parts
from sigap.notify.domain.models import Delivery, Notification, NotificationView

_NOTIFICATIONS = "notifications"
_INCIDENTS = "incidents"


class HistoryReader(Protocol):
    def history(self, owner: str, limit: int, after: str | None) -> tuple[list[dict[str, str]], str | None]: ...

    def notification(self, owner: str, notification_id: str) -> Notification | None: ...

    def deliveries_of(self, owner: str, notification_id: str) -> list[Delivery]: ...

    def incidents(self, tenant_id: str, limit: int, after: str | None) -> tuple[list[Incident], str | None]: ...


class NotificationRow(BaseModel):
    notification_id: str
    kind: str
    title: str
    receivers: int
    created_at: datetime


class NotificationPage(BaseModel):
    items: list[NotificationRow]
    next_cursor: str | None


class IncidentPage(BaseModel):
    items: list[Incident]
    next_cursor: str | None


def list_notifications(reader: HistoryReader, tenant: Tenant, limit: int, cursor: str | None) -> NotificationPage:
    after = read_parts(tenant, _NOTIFICATIONS, cursor, 1)[0] if cursor else None
    rows, last = reader.history(tenant.tenant_id, limit, after)
    return NotificationPage(
        items=[NotificationRow.model_validate(row) for row in rows],
        next_cursor=sign_parts(tenant, _NOTIFICATIONS, [last]) if last else None,
    )


def notification_view(reader: HistoryReader, tenant: Tenant, notification_id: str) -> NotificationView:
    notification = reader.notification(tenant.tenant_id, notification_id)
    if notification is None:
        raise NotFoundError(f"no notification {notification_id!r}")
    return NotificationView(
        notification=notification, deliveries=reader.deliveries_of(tenant.tenant_id, notification_id)
    )


def list_incidents(reader: HistoryReader, tenant: Tenant, limit: int, cursor: str | None) -> IncidentPage:
    after = read_parts(tenant, _INCIDENTS, cursor, 1)[0] if cursor else None
    items, last = reader.incidents(tenant.tenant_id, limit, after)
    return IncidentPage(items=items, next_cursor=sign_parts(tenant, _INCIDENTS, [last]) if last else None)
