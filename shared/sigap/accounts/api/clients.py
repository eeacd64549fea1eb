"""An agency's clients: create, list, read, change quotas, suspend, resume, delete; the roll-up across them."""

from __future__ import annotations

import secrets
from datetime import timedelta
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.accounts.api.wiring import adapters_of
from sigap.accounts.domain.clients import (
    ClientChange,
    ClientCreate,
    ClientHealth,
    ClientList,
    ClientView,
    Deleted,
    Inbox,
    Rollup,
    check_agency,
    check_deletable,
    client_of,
    inbox,
    new_client,
    rollup,
)
from sigap.accounts.settings import AccountsSettings
from sigap.detection.domain.models import Alert
from sigap.incidents.domain.model import IncidentState
from sigap.kernel.api_keys import hash_api_key
from sigap.kernel.errors import ConflictError, TenantExistsError
from sigap.kernel.kinds import TENANT_ID_PATTERN, StackMode
from sigap.kernel.models import Tenant, TenantStatus, utc_now
from sigap.platform.http.gateway import Routes
from sigap.platform.http.resolver import caller, settings_in

router = APIGatewayHttpRouter()
routes = Routes(router, "agency")
CLIENT = Path(pattern=TENANT_ID_PATTERN)
RECENT_INCIDENTS = 100  # open incidents are counted among a client's latest 100


def _client(client_id: str) -> Tenant:
    return client_of(caller(router), adapters_of(router).tenants.get(client_id), client_id)


@routes.get("/v1/tenants/{tenant}/clients", answer="The agency's clients")
def get_clients(tenant: str) -> ClientList:
    """The agency's clients with their status and quotas."""
    agency = caller(router)
    check_agency(agency)
    tenants = adapters_of(router).tenants
    found = [tenants.get(client_id) for client_id in tenants.clients(agency.tenant_id)]
    return ClientList(items=[ClientView.of(client) for client in found if client is not None])


@routes.post("/v1/tenants/{tenant}/clients", answer="The new client", status=HTTPStatus.CREATED)
def post_client(tenant: str, body: Annotated[ClientCreate, Body()]) -> ClientView:
    """Create a client brand under the agency.

    The agency's people and keys reach it at once with the role or scope they hold on the agency; give the
    client keys and people of its own with POST /v1/tenants/{client}/keys and /users. Ids are unique across the
    stack (409 when taken)."""
    if settings_in(router, AccountsSettings).stack_mode is StackMode.SINGLE:
        raise ConflictError("this stack was deployed with StackMode=single: it holds one brand and no clients")
    # The client's root key is never shown: its hash is of a secret nobody keeps, so only scoped keys work.
    unusable_root = hash_api_key(secrets.token_urlsafe(32))
    client = new_client(caller(router), body, unusable_root, utc_now())
    try:
        adapters_of(router).tenants.create(client)
    except TenantExistsError as exc:
        raise ConflictError(f"the id {body.tenant_id!r} is taken: choose another") from exc
    return ClientView.of(client)


@routes.get("/v1/tenants/{tenant}/clients/{client}", answer="The client")
def get_client(tenant: str, client: Annotated[str, CLIENT]) -> ClientView:
    """One client."""
    return ClientView.of(_client(client))


@routes.patch("/v1/tenants/{tenant}/clients/{client}", answer="The client")
def patch_client(tenant: str, client: Annotated[str, CLIENT], body: Annotated[ClientChange, Body()]) -> ClientView:
    """Change a client's quotas: mentions per day (more are refused with 429 until midnight UTC) and sources."""
    current = _client(client)
    adapters_of(router).tenants.update(current.tenant_id, quotas=body.quotas)
    return ClientView.of(current.model_copy(update={"quotas": body.quotas}))


def _set_status(client_id: str, status: TenantStatus) -> ClientView:
    current = _client(client_id)
    adapters_of(router).tenants.update(current.tenant_id, status=status)
    return ClientView.of(current.model_copy(update={"status": status}))


@routes.post("/v1/tenants/{tenant}/clients/{client}/suspend", answer="The suspended client")
def post_suspend(tenant: str, client: Annotated[str, CLIENT]) -> ClientView:
    """Suspend a client: its keys, people and webhooks are refused (403 tenant_suspended) and its feeds are not
    read until it is resumed; e-mail forwarded to it and imports are still kept; nothing is deleted."""
    return _set_status(client, TenantStatus.SUSPENDED)


@routes.post("/v1/tenants/{tenant}/clients/{client}/resume", answer="The resumed client")
def post_resume(tenant: str, client: Annotated[str, CLIENT]) -> ClientView:
    """Resume a suspended client."""
    return _set_status(client, TenantStatus.ACTIVE)


@routes.delete("/v1/tenants/{tenant}/clients/{client}", answer="What was deleted, and what deletion does")
def delete_client(tenant: str, client: Annotated[str, CLIENT]) -> Deleted:
    """Delete a suspended client: its record, keys and people's roles go at once (see what_deletion_does)."""
    current = _client(client)
    check_deletable(current)
    adapters_of(router).tenants.delete_tenant(current.tenant_id)
    return Deleted(tenant_id=current.tenant_id, deleted=True)


@routes.get("/v1/tenants/{tenant}/inbox", answer="Every client's open alerts")
def get_inbox(tenant: str) -> Inbox:
    """The agency's alert inbox: every active client's open alerts in one list, the most severe first and, within
    a severity, the newest; each names its client (read one with GET /v1/tenants/{client}/alerts/{id})."""
    agency = caller(router)
    check_agency(agency)
    found = adapters_of(router)
    open_alerts: dict[str, list[Alert]] = {}
    for client_id in found.tenants.clients(agency.tenant_id):
        client = found.tenants.get(client_id)
        if client is not None and client.status is TenantStatus.ACTIVE:
            open_alerts[client_id] = found.alerts.open_alerts(client_id)
    return inbox(open_alerts)


@routes.get("/v1/tenants/{tenant}/rollup", answer="Every client, worst first")
def get_rollup(tenant: str) -> Rollup:
    """How each client is doing over the last 24 hours: mentions, negative share, open and critical alerts, open
    incidents; the client in the worst state first."""
    agency = caller(router)
    check_agency(agency)
    found = adapters_of(router)
    until = utc_now()
    since = until - timedelta(hours=24)
    rows: list[ClientHealth] = []
    for client_id in found.tenants.clients(agency.tenant_id):
        client = found.tenants.get(client_id)
        if client is None:
            continue
        window = found.aggregates.window(client_id, since, until, hourly=True)
        total = sum(minute.total for minute in window.minutes)
        negative = sum(minute.negative for minute in window.minutes)
        alerts = found.alerts.open_alerts(client_id)
        incidents, _ = found.incidents.incidents(client_id, RECENT_INCIDENTS, None)
        rows.append(
            ClientHealth(
                tenant_id=client_id,
                display_name=client.display_name,
                status=client.status,
                mentions=total,
                negative=negative,
                negative_share=round(negative / total, 4) if total else 0.0,
                open_alerts=len(alerts),
                critical_alerts=sum(alert.severity.value == "critical" for alert in alerts),
                open_incidents=sum(incident.state is not IncidentState.RESOLVED for incident in incidents),
            )
        )
    return rollup(rows, since, until)
