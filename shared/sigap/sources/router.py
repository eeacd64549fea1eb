"""`/v1/tenants/{tenant}/sources`: a tenant registers, reads, rotates and removes its sources, and asks for a
feed to be read now. A webhook source's secret is answered once, when it is made (created or rotated), and never
again."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.kernel.errors import ConflictError, UnprocessableError
from sigap.kernel.identity import Permission
from sigap.kernel.models import utc_now
from sigap.outbound.domain.ssrf import UnsafeUrlError, check_syntax
from sigap.platform.http.body import header
from sigap.platform.http.gateway import Routes
from sigap.platform.http.resolver import caller, new_resolver, serve, settings_in
from sigap.sources import imports_router
from sigap.sources.domain import (
    MAX_SOURCES_PER_TENANT,
    SOURCE_NAME_PATTERN,
    Rotation,
    Source,
    SourceCreated,
    SourceIn,
    SourceKind,
    SourceList,
    SourceView,
    registered,
    rotated,
    view_of,
)
from sigap.sources.feed_scheduler import FeedReadQueue, FeedReadRequest
from sigap.sources.feed_store import FeedSchedule
from sigap.sources.feeds import READ_LEASE
from sigap.sources.settings import SourcesSettings
from sigap.sources.store import SourcesTable
from sigap.tenants.store import TenantStore

router = APIGatewayHttpRouter()
routes = Routes(router, "sources")
SourcePath = Annotated[str, Path(pattern=SOURCE_NAME_PATTERN, description="The source's name")]


@lru_cache(maxsize=1)
def _adapters(settings: SourcesSettings) -> tuple[TenantStore, SourcesTable, FeedSchedule, FeedReadQueue]:
    return (
        TenantStore(settings.tenants_table),
        SourcesTable(settings.tenants_table),
        FeedSchedule(settings.tenants_table),
        FeedReadQueue(settings.feed_queue_url),
    )


def _table() -> SourcesTable:
    return _adapters(settings_in(app, SourcesSettings))[1]


def base_url() -> str:
    """The API's own address as the caller reached it, so a source's URL can be pasted into the tool."""
    event = app.current_event
    scheme = header(event.raw_event, "x-forwarded-proto") or "https"
    return f"{scheme}://{event.request_context.domain_name}"


def _view(source: Source, now: datetime) -> SourceView:
    return view_of(source, base_url(), now, settings_in(app, SourcesSettings).inbound_email_domain)


@routes.post("/v1/tenants/{tenant}/sources", answer="Created: the secret is in this answer only",
             status=HTTPStatus.CREATED)  # fmt: skip
def create_source(tenant: str, body: Annotated[SourceIn, Body()]) -> SourceCreated:
    """Register a source.

    A webhook source gets its own URL and secret. `preset` names a known tool's payload shape (sigap, flat,
    meltwater, youscan, sprinklr, helpdesk, x-export); `mapping` gives JMESPath expressions for any other shape.
    `verification` is standard_webhooks (default), hmac_header or url_secret. The secret is answered now and
    never again.

    A feed source (`"kind": "feed"`, `"feed": {"url": ...}`) is read by Sigap: RSS, Atom or JSON Feed, every
    `poll_minutes` (15 unless said), first within a minute of its registration; its `channel` is news unless
    said. Its reads show in its `feed` (status, last read, next read) and its health."""
    table = _table()
    tenant_id = caller(app).tenant_id
    if body.feed is not None:
        try:
            check_syntax(body.feed.url, allow_loopback=settings_in(app, SourcesSettings).allow_loopback_feeds)
        except UnsafeUrlError as exc:
            raise UnprocessableError("invalid_request", f"feed.url: {exc}", [("feed.url", str(exc))]) from exc
    existing = len(table.list(tenant_id))
    if existing >= MAX_SOURCES_PER_TENANT:
        raise ConflictError(f"a tenant may have {MAX_SOURCES_PER_TENANT} sources; remove one first")
    quota = caller(app).quotas.sources
    if quota is not None and existing >= quota:
        # A count, not a rate: waiting does not help, so 409 (not 429) until a source is removed or the agency
        # raises the quota.
        raise ConflictError(f"the agency's quota allows this client {quota} sources; remove one first")
    now = utc_now()
    source, secret = registered(tenant_id, body, now)
    table.create(source)
    return SourceCreated(**_view(source, now).model_dump(), secret=secret)


@routes.get("/v1/tenants/{tenant}/sources", answer="The tenant's sources")
def list_sources(tenant: str) -> SourceList:
    """List sources, with each one's health (counts, last success, last error); never a secret."""
    now = utc_now()
    return SourceList(sources=[_view(source, now) for source in _table().list(caller(app).tenant_id)])


@routes.get("/v1/tenants/{tenant}/sources/{source}", answer="The source")
def get_source(tenant: str, source: SourcePath) -> SourceView:
    """Read one source and its health."""
    return _view(_table().require(caller(app).tenant_id, source), utc_now())


@routes.post("/v1/tenants/{tenant}/sources/{source}/rotate", answer="The new secret, shown this once")
def rotate_secret(tenant: str, source: SourcePath, body: Annotated[Rotation | None, Body()] = None) -> SourceCreated:
    """Rotate a source's secret.

    A new secret is made and answered once; the current one stays valid for `overlap_minutes` (24 hours unless
    said, at most 7 days, 0 to end it now), so the tool can be switched over without losing a request."""
    table = _table()
    stored = table.require(caller(app).tenant_id, source)
    if stored.kind is not SourceKind.WEBHOOK:
        raise ConflictError(f"{source!r} is a {stored.kind} source: it has no secret to rotate")
    now = utc_now()
    overlap = timedelta(minutes=(body or Rotation()).overlap_minutes)
    changed, secret = rotated(stored, now, overlap)
    table.replace(changed, stored.version)
    return SourceCreated(**_view(changed, now).model_dump(), secret=secret)


@routes.post(
    "/v1/tenants/{tenant}/sources/{source}/read",
    permission=Permission.INGEST,
    answer="Queued: the feed is read within seconds",
    status=HTTPStatus.ACCEPTED,
)
def read_feed_now(tenant: str, source: SourcePath) -> SourceView:
    """Read a feed source now, without waiting for its next read (after fixing its address, or to check it).

    The read happens within seconds; its outcome shows in the source's `feed` and `health`."""
    _, table, schedule, reads = _adapters(settings_in(app, SourcesSettings))
    stored = table.require(caller(app).tenant_id, source)
    if stored.kind is not SourceKind.FEED:
        raise ConflictError(f"{source!r} is a {stored.kind} source: only a feed source is read by Sigap")
    now = utc_now()
    schedule.lease(stored.tenant_id, stored.name, now + READ_LEASE)
    reads.send([FeedReadRequest(tenant_id=stored.tenant_id, source=stored.name)])
    return _view(stored, now)


@routes.delete("/v1/tenants/{tenant}/sources/{source}", answer="The removed source")
def delete_source(tenant: str, source: SourcePath) -> SourceView:
    """Remove a source: its URL stops accepting requests at once; mentions it delivered stay."""
    table = _table()
    removed = table.require(caller(app).tenant_id, source)
    table.delete(removed.tenant_id, removed.name)
    return _view(removed, utc_now())


app = new_resolver()
app.include_router(router)
app.include_router(imports_router.router)


def handle(event: dict[str, Any], context: Any, settings: SourcesSettings) -> dict[str, Any]:
    tenants, _, _, _ = _adapters(settings)
    return serve(app, event, context, tenants=tenants, max_body_bytes=settings.max_body_bytes, settings=settings)
