"""A tenant's e-mail subscribers: counts, sending figures, and resuming a paused list."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.platform.http.gateway import Access, api_route
from sigap.platform.http.resolver import caller
from sigap.statements.api.wiring import (
    Accepted,
    SubscriberSummary,
    tables_of,
)

router = APIGatewayHttpRouter()


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/subscribers",
    access=Access.TENANT_KEY,
    summary="Subscriber counts by state and the sending stats (complaint rate, paused or not)",
    answer="Counts and stats",
    tags=["statements"],
)
def get_subscribers(tenant: str) -> SubscriberSummary:
    _, table = tables_of(router)
    owner = caller(router).tenant_id
    stats = table.stats(owner)
    return SubscriberSummary(counts=table.subscriber_counts(owner), stats=stats, complaint_rate=stats.complaint_rate)


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/subscribers/resume",
    access=Access.TENANT_KEY,
    summary="Resume subscriber e-mail paused for complaints (its counters start again)",
    answer="Resumed",
    tags=["statements"],
)
def post_resume(tenant: str) -> Accepted:
    _, table = tables_of(router)
    table.resume(caller(router).tenant_id)
    return Accepted(status="resumed")
