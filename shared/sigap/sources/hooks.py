"""`POST /v1/hooks/{tenant}/{source}`: a tool's webhook. The request is verified by its source's scheme on the body
as received, mapped by the source's mapping, and its mentions ingested as `POST /mentions` ingests them (claimed
once per (tenant, id) whatever the door, then queued for scoring). Records that do not map are answered and
counted in the source's health; a payload with none that maps is a 422 naming each field and expression."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, Field

from sigap.ingest.domain import IngestResult, accept_mentions
from sigap.ingest.mapping.model import RecordProblem, UnmappablePayloadError, map_payload
from sigap.ingest.queue import ScoringQueue
from sigap.kernel.errors import TooManyRecordsError, UnprocessableError
from sigap.kernel.identity import MachineKey
from sigap.kernel.models import MAX_MENTIONS_PER_REQUEST, TENANT_ID_PATTERN, TenantStatus, utc_now
from sigap.mentions.claim_store import ClaimStore
from sigap.platform.http.body import BodyProblem, body_bytes
from sigap.platform.http.errors import error_response
from sigap.platform.http.gateway import Access, Routes
from sigap.platform.http.resolver import new_resolver, serve, settings_in
from sigap.platform.observability import metrics
from sigap.sources.domain import SOURCE_NAME_PATTERN, Source, SourceKind
from sigap.sources.settings import HooksSettings
from sigap.sources.store import SourcesTable, WebhookReceipts
from sigap.sources.verification import VerificationFailedError, Verified, verify
from sigap.tenants.quotas import reserve_mentions
from sigap.tenants.store import TenantStore

router = APIGatewayHttpRouter()
routes = Routes(router, "hooks", access=Access.SOURCE_SECRET)


class HookResult(BaseModel):
    accepted: list[str] = Field(description="Ids of the mentions queued for scoring")
    duplicates: list[str] = Field(description="Ids already received, through any door (the first copy is kept)")
    rejected: list[RecordProblem] = Field(description="Records that did not map, each with its field and reason")
    filtered: list[str] = Field(default_factory=list, description="Ids not matching the source's brand query")
    replay: bool = Field(default=False, description="This webhook-id was delivered before: nothing was done again")
    received_at: datetime


@lru_cache(maxsize=1)
def _adapters(
    settings: HooksSettings,
) -> tuple[SourcesTable, WebhookReceipts, ClaimStore, ScoringQueue, TenantStore]:
    return (
        SourcesTable(settings.tenants_table),
        WebhookReceipts(settings.idempotency_table),
        ClaimStore(settings.mentions_table),
        ScoringQueue(settings.scoring_queue_url),
        TenantStore(settings.tenants_table),
    )


def _record(source: Source, *, at: datetime, accepted: int = 0, duplicates: int = 0, rejected: int = 0,
            error: str | None = None, succeeded: bool = False, filtered: int = 0) -> None:  # fmt: skip
    """Counts a delivery in the source's health (bookkeeping: see SourcesTable.record)."""
    sources, *_ = _adapters(settings_in(app, HooksSettings))
    sources.record(source.tenant_id, source.name, accepted=accepted, duplicates=duplicates, rejected=rejected,
                   at=at, error=error, succeeded=succeeded, filtered=filtered)  # fmt: skip


def verify_request(event: dict[str, Any]) -> Response[str] | None:
    """The source the path names, with the request verified by its scheme (None), or the refusal to answer."""
    sources, *_, tenants = _adapters(settings_in(app, HooksSettings))
    parameters = event.get("pathParameters") or {}
    tenant_id, name = str(parameters.get("tenant", "")), str(parameters.get("source", ""))
    source = (
        sources.get(tenant_id, name)
        if re.match(TENANT_ID_PATTERN, tenant_id) and re.match(SOURCE_NAME_PATTERN, name)
        else None
    )
    if source is None or source.kind is not SourceKind.WEBHOOK:  # a feed, e-mail or import source has no URL
        return error_response(HTTPStatus.NOT_FOUND, "not_found", f"no webhook source named {name!r} for this tenant")
    now = utc_now()
    try:
        body = body_bytes(event)
        verified = verify(
            source,
            body,
            {str(key): str(value) for key, value in (event.get("headers") or {}).items()},
            {str(key): str(value) for key, value in (event.get("queryStringParameters") or {}).items()},
            source.valid_secrets(now),
        )
    except BodyProblem as problem:
        return error_response(problem.status, problem.code, problem.message)
    except VerificationFailedError as failed:
        metrics.add_metric(name="WebhookRefused", unit="Count", value=1)
        _record(source, at=now, error=f"refused: {failed.reason}")
        return error_response(HTTPStatus.UNAUTHORIZED, "verification_failed", failed.reason)
    tenant = tenants.get(tenant_id)
    if tenant is None or tenant.status is not TenantStatus.ACTIVE:
        state = tenant.status.value if tenant else "deleted"
        return error_response(HTTPStatus.FORBIDDEN, f"tenant_{state}", f"the tenant {tenant_id!r} is {state}")
    app.append_context(source=source, verified=verified, tenant_record=tenant)
    return None


@routes.post("/v1/hooks/{tenant}/{source}", answer="Accepted", status=HTTPStatus.ACCEPTED, forms=True)
def post_hook(
    tenant: str,
    source: str,
    body: Annotated[dict[str, Any] | list[Any], Body(description="The tool's payload, in its own shape")],
) -> HookResult:
    """Receive a tool's webhook.

    Verified by the source's scheme: Standard Webhooks headers (webhook-id, webhook-timestamp,
    webhook-signature), the HMAC header the source names, or the source's secret as ?key= or Basic credentials.
    The payload is mapped by the source's preset or mapping; its mentions are queued for scoring. A webhook-id
    delivered before is answered again without being processed twice."""
    settings = settings_in(app, HooksSettings)
    _, receipts, mentions, queue, tenants = _adapters(settings)
    registered: Source = app.context["source"]
    verified: Verified = app.context["verified"]
    mapping = registered.mapping
    assert mapping is not None  # verify_request answers 404 for a source without one (a feed)
    now = utc_now()
    if verified.webhook_id and receipts.seen(registered.tenant_id, registered.name, verified.webhook_id):
        return HookResult(accepted=[], duplicates=[], rejected=[], replay=True, received_at=now)
    try:
        mapped = map_payload(body, mapping, source=registered.name, channel=registered.channel,
                             received_at=now)  # fmt: skip
    except UnmappablePayloadError as exc:
        _record(registered, at=now, rejected=1, error=str(exc))
        raise UnprocessableError("unmappable_payload", str(exc), [exc.problem.as_field_problem()]) from exc
    if len(mapped.mentions) > MAX_MENTIONS_PER_REQUEST:
        _record(registered, at=now, error=f"{len(mapped.mentions)} records in one request")
        raise TooManyRecordsError(
            f"the payload holds {len(mapped.mentions)} records; send at most {MAX_MENTIONS_PER_REQUEST} per request"
        )
    if not mapped.mentions:
        summary = "no record could be mapped: " + "; ".join(problem.line() for problem in mapped.rejected[:3])
        _record(registered, at=now, rejected=len(mapped.rejected), error=summary)
        raise UnprocessableError(
            "unmappable_payload", summary, [problem.as_field_problem() for problem in mapped.rejected]
        )
    wanted, filtered = registered.wanted(mapped.mentions)
    if wanted:
        reserve_mentions(tenants, app.context["tenant_record"], len(wanted), now)
    result = (
        accept_mentions(
            registered.tenant_id,
            wanted,
            ledger=mentions,
            sink=queue,
            now=now,
            correlation_id=app.current_event.request_context.request_id,
        )
        if wanted
        else IngestResult(accepted=[], duplicates=[], received_at=now)
    )
    if verified.webhook_id:
        receipts.remember(registered.tenant_id, registered.name, verified.webhook_id, now)
    _record(
        registered,
        at=now,
        accepted=len(result.accepted),
        duplicates=len(result.duplicates),
        rejected=len(mapped.rejected),
        filtered=len(filtered),
        error=("some records did not map: " + mapped.rejected[0].line()) if mapped.rejected else None,
        succeeded=True,
    )
    metrics.add_metric(name="MentionsAccepted", unit="Count", value=len(result.accepted))
    metrics.add_metric(name="MentionsDuplicate", unit="Count", value=len(result.duplicates))
    metrics.add_metric(name="RecordsRejected", unit="Count", value=len(mapped.rejected))
    return HookResult(accepted=result.accepted, duplicates=result.duplicates, rejected=mapped.rejected,
                      filtered=filtered, received_at=now)  # fmt: skip


app = new_resolver()
app.include_router(router)


def handle(event: dict[str, Any], context: Any, settings: HooksSettings) -> dict[str, Any]:
    return serve(
        app,
        event,
        context,
        tenants=_NoTenantKeys(),
        max_body_bytes=settings.max_body_bytes,
        settings=settings,
        verify=verify_request,
    )


class _NoTenantKeys:
    """Webhooks carry a source's proof, never a tenant's API key: no key lookup is ever made here."""

    def get(self, tenant_id: str) -> None:
        return None

    def key(self, tenant_id: str, key_id: str) -> None:
        return None

    def member(self, tenant_id: str, user_id: str) -> None:
        return None

    def touch_key(self, key: MachineKey, at: datetime) -> None:
        return None
