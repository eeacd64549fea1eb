"""A tenant's e-mail subscribers: counts, sending figures, and resuming a paused list."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.platform.http.gateway import Routes
from sigap.platform.http.resolver import caller
from sigap.statements.api.wiring import (
    Accepted,
    SubscriberSummary,
    tables_of,
)

router = APIGatewayHttpRouter()
routes = Routes(router, "statements")


@routes.get("/v1/tenants/{tenant}/subscribers", answer="Counts and stats")
def get_subscribers(tenant: str) -> SubscriberSummary:
    """Subscriber counts by state and the sending stats (complaint rate, paused or not)."""
    _, table = tables_of(router)
    owner = caller(router).tenant_id
    stats = table.stats(owner)
    return SubscriberSummary(counts=table.subscriber_counts(owner), stats=stats, complaint_rate=stats.complaint_rate)


@routes.post("/v1/tenants/{tenant}/subscribers/resume", answer="Resumed")
def post_resume(tenant: str) -> Accepted:
    """Resume subscriber e-mail paused for complaints (its counters start again)."""
    _, table = tables_of(router)
    table.resume(caller(router).tenant_id)
    return Accepted(status="resumed")
