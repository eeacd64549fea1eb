"""The statements API's wiring: its adapters (built once per settings), what its routes share, and the
settings each request carries."""

from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict, Field

from sigap.incidents.store import IncidentsTable
from sigap.kernel.identity import ROLE_PERMISSIONS, Permission
from sigap.kernel.language import Language
from sigap.kernel.models import Tenant
from sigap.outbound.store import ChannelsTable
from sigap.platform.http.resolver import HasContext, settings_in
from sigap.statements.domain.models import (
    Statement,
)
from sigap.statements.domain.publisher_ports import SiteLinks
from sigap.statements.domain.subscribers import SendingStats
from sigap.statements.domain.templates import (
    NamedTemplate,
)
from sigap.statements.domain.tone.models import Finding
from sigap.statements.domain.workflow_ports import SettingProblemError
from sigap.statements.queue import PublicationQueue
from sigap.statements.settings import StatementsApiSettings
from sigap.statements.store import PublishingTable
from sigap.tenants.store import TenantStore

STATEMENT_ID = r"^st-[0-9a-f]{12}$"
INCIDENT_ID = r"^inc-\d{8}T\d{4}-[0-9a-f]{8}$"
TOKEN = Path(min_length=10, max_length=1024)
TENANT = Path(pattern=r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")


class UnknownChannelError(SettingProblemError):
    """Publishing settings that name a channel the tenant does not have (422 invalid_setting)."""


class TemplateList(BaseModel):
    items: list[NamedTemplate]


class StatementList(BaseModel):
    items: list[Statement]


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1, max_length=40_000)
    lang: Language | None = None


class CheckResult(BaseModel):
    findings: list[Finding]
    blocking: int = Field(description="Errors: they block review unless overridden with a reason")


class SubscriberSummary(BaseModel):
    counts: dict[str, int]
    stats: SendingStats
    complaint_rate: float


class Lessons(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(max_length=20_000)


class Accepted(BaseModel):
    status: str


@lru_cache(maxsize=1)
def adapters(
    settings: StatementsApiSettings,
) -> tuple[TenantStore, IncidentsTable, PublishingTable, PublicationQueue]:
    return (
        TenantStore(settings.tenants_table),
        IncidentsTable(settings.notifications_table),
        PublishingTable(settings.publishing_table),
        PublicationQueue(settings.publication_queue_url),
    )


def settings_of(router: HasContext) -> StatementsApiSettings:
    """The function's settings, which `serve` put in the resolver's context (a router shares its app's)."""
    return settings_in(router, StatementsApiSettings)


def tables_of(router: HasContext) -> tuple[IncidentsTable, PublishingTable]:
    _, incidents, table, _ = adapters(settings_of(router))
    return incidents, table


def people_who_may_approve(router: HasContext, tenant: Tenant) -> list[str]:
    """The e-mails of the people with a role that approves, on the tenant or on its agency."""
    tenants, _, _, _ = adapters(settings_of(router))
    return [
        member.email
        for member in tenants.members_reaching(tenant)
        if Permission.APPROVE in ROLE_PERMISSIONS[member.role]
    ]


def channels_of(router: HasContext) -> ChannelsTable:
    """The tenant's channels (a statement's settings may name only channels that exist)."""
    return ChannelsTable(settings_of(router).notifications_table)


def links_of(router: HasContext, tenant_id: str) -> SiteLinks:
    settings = settings_of(router)
    return SiteLinks(site_url=settings.site_url(tenant_id), api_url=settings.public_api_url)
