"""An agency's clients: created under the agency (its people and keys reach them), listed, suspended and resumed,
limited by quotas, deleted once suspended; and the roll-up that puts the client in the worst state first."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from sigap.detection.domain.models import Alert
from sigap.kernel.errors import ConflictError, ForbiddenError, NotFoundError
from sigap.kernel.kinds import TENANT_ID_PATTERN
from sigap.kernel.models import Quotas, Tenant, TenantKind, TenantStatus

DELETION = (
    "Deleting a client removes at once its record, its machine keys and its people's roles on it: nothing can "
    "call its API, send it mentions or sign in to it any more, and its status page stops answering. What it "
    "stored stays in the tables, unreachable through the API, until each table's retention removes it "
    "(mentions and minute counts expire by their time to live; alerts, incidents, statements and the audit "
    "trail are kept for the record). A client must be suspended before it can be deleted, and its id cannot "
    "be used again."
)


class ClientCreate(BaseModel):
    """`POST /v1/tenants/{agency}/clients`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: str = Field(pattern=TENANT_ID_PATTERN, description="The client's id in every path ('teh-segar')")
    display_name: str = Field(min_length=1, max_length=200)
    quotas: Quotas = Field(default_factory=Quotas)


class ClientChange(BaseModel):
    """`PATCH /v1/tenants/{agency}/clients/{client}`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quotas: Quotas


class ClientView(BaseModel):
    tenant_id: str
    display_name: str
    status: TenantStatus
    quotas: Quotas
    created_at: AwareDatetime

    @classmethod
    def of(cls, tenant: Tenant) -> ClientView:
        return cls(**tenant.model_dump(include={"tenant_id", "display_name", "status", "quotas", "created_at"}))


class ClientList(BaseModel):
    items: list[ClientView]


class Deleted(BaseModel):
    tenant_id: str
    deleted: bool
    what_deletion_does: str = DELETION


def check_agency(tenant: Tenant) -> None:
    if tenant.kind is not TenantKind.AGENCY:
        raise ForbiddenError(f"{tenant.tenant_id!r} is a brand, not an agency: only an agency has clients")


def new_client(agency: Tenant, request: ClientCreate, root_key_hash: str, now: datetime) -> Tenant:
    check_agency(agency)
    if request.tenant_id == agency.tenant_id:
        raise ConflictError("a client needs an id of its own, not the agency's")
    return Tenant(
        tenant_id=request.tenant_id,
        display_name=request.display_name,
        api_key_hash=root_key_hash,
        created_at=now,
        kind=TenantKind.BRAND,
        agency=agency.tenant_id,
        quotas=request.quotas,
    )


def client_of(agency: Tenant, client: Tenant | None, client_id: str) -> Tenant:
    """The agency's client, or NotFound-like refusal for anyone else's tenant (never saying whose)."""
    check_agency(agency)
    if client is None or client.agency != agency.tenant_id:
        raise NotFoundError(f"the agency has no client {client_id!r}")
    return client


def check_deletable(client: Tenant) -> None:
    if client.status is not TenantStatus.SUSPENDED:
        raise ConflictError(f"suspend {client.tenant_id!r} before deleting it (POST .../suspend)")


# -- roll-up -----------------------------------------------------------------------------------------------


class ClientHealth(BaseModel):
    """One client in the agency's roll-up, over the last 24 hours."""

    tenant_id: str
    display_name: str
    status: TenantStatus
    mentions: int
    negative: int
    negative_share: float
    open_alerts: int
    critical_alerts: int
    open_incidents: int


class Rollup(BaseModel):
    since: AwareDatetime
    until: AwareDatetime
    clients: list[ClientHealth] = Field(description="Worst first: critical alerts, open incidents, open alerts, share")
    total_mentions: int
    total_negative: int
    total_open_alerts: int
    total_open_incidents: int


class InboxAlert(BaseModel):
    """One open alert of a client, in the agency's inbox."""

    client: str
    alert: Alert


class Inbox(BaseModel):
    items: list[InboxAlert] = Field(description="Open alerts of every active client: most severe, then newest, first")


def inbox(alerts: dict[str, list[Alert]]) -> Inbox:
    """Every client's open alerts in one list, the most severe first and, within a severity, the newest."""
    rows = [InboxAlert(client=client, alert=alert) for client, found in alerts.items() for alert in found]
    rows.sort(key=lambda row: (-row.alert.severity.rank, -row.alert.fired_at.timestamp(), row.client))
    return Inbox(items=rows)


def rollup(rows: list[ClientHealth], since: datetime, until: datetime) -> Rollup:
    ordered = sorted(
        rows,
        key=lambda row: (
            -row.critical_alerts,
            -row.open_incidents,
            -row.open_alerts,
            -row.negative_share,
            row.tenant_id,
        ),
    )
    return Rollup(
        since=since,
        until=until,
        clients=ordered,
        total_mentions=sum(row.mentions for row in rows),
        total_negative=sum(row.negative for row in rows),
        total_open_alerts=sum(row.open_alerts for row in rows),
        total_open_incidents=sum(row.open_incidents for row in rows),
    )
