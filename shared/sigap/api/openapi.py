"""One OpenAPI document for the whole HTTP API, generated from the routes' pydantic models.

Each function serves only its own routes; this resolver includes every router only to describe them all.
"""

from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

import sigap
from sigap.api import alerts, ingest, notifications, query, statements

TITLE = "Sigap API"
DESCRIPTION = (
    "Reputation monitoring and crisis response. Every tenant route takes the tenant's API key as "
    "`Authorization: Bearer <key>`."
)


@lru_cache(maxsize=1)
def openapi_json() -> str:
    describer = APIGatewayHttpResolver(enable_validation=True)
    describer.include_router(ingest.router)
    describer.include_router(query.router)
    describer.include_router(alerts.router)
    describer.include_router(notifications.router)
    describer.include_router(statements.router)
    return describer.get_openapi_json_schema(
        title=TITLE,
        version=sigap.__version__,
        description=DESCRIPTION,
        security_schemes={"bearerAuth": HTTPBearer(bearerFormat="sgp_<tenant>_<secret>")},
        security=[{"bearerAuth": []}],
    )
