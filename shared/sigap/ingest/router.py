"""`POST /v1/tenants/{tenant}/mentions`: accept one mention, an array of them or {"mentions": [...]}, and queue
them for scoring."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import Discriminator, Tag

from sigap.ingest.domain import IngestResult, accept_mentions
from sigap.ingest.mapping import lenient
from sigap.ingest.queue import ScoringQueue
from sigap.ingest.settings import IngestSettings
from sigap.kernel.errors import IdempotencyKeyReusedError, RequestInProgressError
from sigap.kernel.identity import Permission
from sigap.kernel.models import MentionBatchIn, MentionIn, MentionList, Tenant, utc_now
from sigap.mentions.claim_store import ClaimStore
from sigap.platform.http.gateway import Routes
from sigap.platform.http.resolver import caller, new_resolver, serve, settings_in
from sigap.platform.observability import logger, metrics
from sigap.tenants.quotas import reserve_mentions
from sigap.tenants.store import TenantStore

IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600


def _body_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    return "batch" if isinstance(value, dict) and "mentions" in value else "single"


def as_batch(value: Any) -> Any:
    """A top-level array is read as {"mentions": [...]}: Powertools would keep only a list's first element for
    a body parameter it does not recognise as a sequence, and errors then name `mentions[i]` as for a batch.
    Each mention's values are read as every door reads them (`lenient.spelled_as_sigap`)."""
    if isinstance(value, list):
        return {"mentions": [lenient.spelled_as_sigap(item) for item in value]}
    if isinstance(value, dict) and isinstance(value.get("mentions"), list):
        return value | {"mentions": [lenient.spelled_as_sigap(item) for item in value["mentions"]]}
    return lenient.spelled_as_sigap(value)


# The array member documents the shape in the OpenAPI document; `as_batch` has rewritten it before validation.
IngestBody = Annotated[
    Annotated[MentionBatchIn, Tag("batch")]
    | Annotated[MentionList, Tag("array")]
    | Annotated[MentionIn, Tag("single")],
    Discriminator(_body_kind),
]

router = APIGatewayHttpRouter()
routes = Routes(router, "ingestion")


@lru_cache(maxsize=1)
def _adapters(settings: IngestSettings) -> tuple[TenantStore, ClaimStore, ScoringQueue]:
    return (
        TenantStore(settings.tenants_table),
        ClaimStore(settings.mentions_table),
        ScoringQueue(settings.scoring_queue_url),
    )


def _ingest(
    request: dict[str, Any], *, tenant: Tenant, batch: list[MentionIn], settings: IngestSettings
) -> IngestResult:
    tenants, mentions, queue = _adapters(settings)
    # Counted once per request, inside the idempotent part: a retry with the same Idempotency-Key counts nothing.
    reserve_mentions(tenants, tenant, len(batch), utc_now())
    return accept_mentions(
        tenant.tenant_id, batch, ledger=mentions, sink=queue, now=utc_now(), correlation_id=request["correlation_id"]
    )


@lru_cache(maxsize=1)
def _idempotency_config() -> Any:
    """Powertools' idempotency, imported and configured on the first request that asks for it (once per cold
    start), so requests without an Idempotency-Key do not pay for its import."""
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(
        event_key_jmespath="idempotency_key",
        payload_validation_jmespath="body_sha256",
        expires_after_seconds=IDEMPOTENCY_WINDOW_SECONDS,
    )


@lru_cache(maxsize=256)
def _idempotent_ingest(table: str, tenant_id: str) -> Callable[..., IngestResult]:
    """Per tenant, the idempotent wrapper whose record keys start with the tenant id."""
    from aws_lambda_powertools.utilities.idempotency import idempotent_function
    from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer

    from sigap.ingest.idempotency import idempotency_store

    wrapped: Callable[..., IngestResult] = idempotent_function(
        data_keyword_argument="request",
        persistence_store=idempotency_store(table),
        config=_idempotency_config(),
        output_serializer=PydanticSerializer(IngestResult),
        key_prefix=f"{tenant_id}#ingest",
    )(_ingest)
    return wrapped


def _ingest_once(
    request: dict[str, Any], *, tenant: Tenant, batch: list[MentionIn], settings: IngestSettings
) -> IngestResult:
    """The first answer for this Idempotency-Key, computed now or replayed; Powertools' errors made Sigap's."""
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    _idempotency_config().register_lambda_context(app.lambda_context)
    ingest = _idempotent_ingest(settings.idempotency_table, tenant.tenant_id)
    try:
        return ingest(request=request, tenant=tenant, batch=batch, settings=settings)
    except IdempotencyValidationError as exc:
        raise IdempotencyKeyReusedError(str(exc)) from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise RequestInProgressError(str(exc)) from exc


@routes.post(
    "/v1/tenants/{tenant}/mentions", permission=Permission.INGEST, answer="Accepted", status=HTTPStatus.ACCEPTED
)
def post_mentions(
    tenant: str,
    body: Annotated[IngestBody, Body(description="A mention, an array of them, or {'mentions': [...]}")],
    idempotency_key: Annotated[
        str | None, Header(alias="idempotency-key", max_length=200, description="Makes retries safe")
    ] = None,
) -> IngestResult:
    """Ingest mentions.

    One mention object, a JSON array of them, or {"mentions": [...]}, with up to 500 mentions. Answers 202 with the
    ids queued for scoring; ids the tenant sent before (or twice in this body) are listed as duplicates, and the
    first copy received is the one stored. With an Idempotency-Key header, a retry within 24 hours gets the first
    answer back."""
    settings = settings_in(app, IngestSettings)
    tenant_obj = caller(app)
    batch = body.mentions if isinstance(body, MentionBatchIn) else body if isinstance(body, list) else [body]
    request = {
        "idempotency_key": idempotency_key,
        "body_sha256": hashlib.sha256((app.current_event.body or "").encode()).hexdigest(),
        "correlation_id": app.current_event.request_context.request_id,
    }
    if idempotency_key:
        result = _ingest_once(request, tenant=tenant_obj, batch=batch, settings=settings)
    else:
        result = _ingest(request, tenant=tenant_obj, batch=batch, settings=settings)
    metrics.add_metric(name="MentionsAccepted", unit="Count", value=len(result.accepted))
    metrics.add_metric(name="MentionsDuplicate", unit="Count", value=len(result.duplicates))
    logger.info("mentions accepted", extra={"accepted": len(result.accepted), "duplicates": len(result.duplicates)})
    return result


app = new_resolver()
app.include_router(router)


def handle(event: dict[str, Any], context: Any, settings: IngestSettings) -> dict[str, Any]:
    tenants, _, _ = _adapters(settings)
    return serve(
        app,
        event,
        context,
        tenants=tenants,
        max_body_bytes=settings.max_body_bytes,
        settings=settings,
        reshape=as_batch,
    )
