"""`POST /v1/tenants/{tenant}/mentions`: accept one mention or up to 500, queue them for scoring."""

from __future__ import annotations

import hashlib
from contextvars import ContextVar
from functools import lru_cache
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer
from pydantic import Discriminator, Tag

from sigap.api.common import caller, new_resolver, responses, serve
from sigap.api.errors import FieldProblem, error_response
from sigap.config import IngestSettings
from sigap.dal.idempotency import idempotency_store
from sigap.dal.mentions import MentionStore
from sigap.dal.queue import ScoringQueue
from sigap.dal.tenants import TenantStore
from sigap.ingestion.service import IngestResult, MentionTooLargeError, accept_mentions
from sigap.models import MentionBatchIn, MentionIn, utc_now
from sigap.observability import logger, metrics

IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600


def _body_kind(value: Any) -> str:
    return "batch" if isinstance(value, dict) and "mentions" in value else "single"


IngestBody = Annotated[
    Annotated[MentionBatchIn, Tag("batch")] | Annotated[MentionIn, Tag("single")],
    Discriminator(_body_kind),
]

router = APIGatewayHttpRouter()


@lru_cache(maxsize=1)
def _adapters(settings: IngestSettings) -> tuple[TenantStore, MentionStore, ScoringQueue]:
    return (
        TenantStore(settings.tenants_table),
        MentionStore(settings.mentions_table),
        ScoringQueue(settings.scoring_queue_url),
    )


_settings: ContextVar[IngestSettings] = ContextVar("ingest_settings")


@router.post(
    "/v1/tenants/<tenant>/mentions",
    summary="Ingest mentions",
    description=(
        'One mention object, or {"mentions": [...]} with up to 500. Answers 202 with the ids queued for '
        "scoring; ids the tenant sent before are listed as duplicates and stored once. With an "
        "Idempotency-Key header, a retry within 24 hours gets the first answer back."
    ),
    responses=responses(202, "Accepted", IngestResult),
    tags=["ingestion"],
)
def post_mentions(
    tenant: str,
    body: Annotated[IngestBody, Body(description="A mention, or a batch of them")],
    idempotency_key: Annotated[
        str | None, Header(alias="idempotency-key", max_length=200, description="Makes retries safe")
    ] = None,
) -> Response[str]:
    settings = _settings.get()
    tenant_obj = caller()
    batch = body.mentions if isinstance(body, MentionBatchIn) else [body]
    _, mentions, queue = _adapters(settings)
    correlation_id = router.current_event.request_context.request_id

    def ingest(request: dict[str, Any]) -> IngestResult:
        return accept_mentions(
            tenant_obj, batch, known=mentions, sink=queue, now=utc_now(), correlation_id=correlation_id
        )

    request = {
        "idempotency_key": idempotency_key,
        "body_sha256": hashlib.sha256((router.current_event.body or "").encode()).hexdigest(),
    }
    try:
        if idempotency_key:
            config = IdempotencyConfig(
                event_key_jmespath="idempotency_key",
                payload_validation_jmespath="body_sha256",
                expires_after_seconds=IDEMPOTENCY_WINDOW_SECONDS,
            )
            config.register_lambda_context(router.lambda_context)
            result = idempotent_function(
                data_keyword_argument="request",
                persistence_store=idempotency_store(settings.idempotency_table),
                config=config,
                output_serializer=PydanticSerializer(IngestResult),
                key_prefix=f"{tenant_obj.tenant_id}#ingest",
            )(ingest)(request=request)
        else:
            result = ingest(request)
    except IdempotencyValidationError:
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different body in the last 24 hours; use a new key",
            [FieldProblem(field="idempotency-key", problem="reused with a different body")],
        )
    except IdempotencyAlreadyInProgressError:
        return error_response(
            HTTPStatus.CONFLICT, "in_progress", "a request with this Idempotency-Key is still being processed; retry"
        )
    except MentionTooLargeError as exc:
        return error_response(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "mention_too_large",
            str(exc),
            [FieldProblem(field=f"mentions[{exc.index}]", problem=str(exc))],
        )
    metrics.add_metric(name="MentionsAccepted", unit="Count", value=len(result.accepted))
    metrics.add_metric(name="MentionsDuplicate", unit="Count", value=len(result.duplicates))
    logger.info("mentions accepted", extra={"accepted": len(result.accepted), "duplicates": len(result.duplicates)})
    return Response(
        status_code=HTTPStatus.ACCEPTED.value,
        content_type=content_types.APPLICATION_JSON,
        body=result.model_dump_json(),
    )


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
        settings_slot=_settings,
        settings=settings,
    )
