"""The console's pages behind a sign-in: the person's tenants, and an alert with its evidence (where every alert
message's "View alert" link leads). Each page checks the person's role on the tenant as the API does."""

from __future__ import annotations

import re
from datetime import datetime
from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.console.api.wiring import (
    adapters_of,
    current_session,
    language_of,
    page,
    problem_page,
    refused_page,
    to_sign_in,
)
from sigap.console.pages import alert_page, render
from sigap.console.sessions import Session
from sigap.detection.domain.models import ALERT_ID_PATTERN
from sigap.detection.domain.reading import get_alert
from sigap.kernel.errors import NotFoundError
from sigap.kernel.language import Language
from sigap.kernel.models import utc_now
from sigap.platform.http.callers import person_caller
from sigap.platform.http.gateway import Access, Routes

router = APIGatewayHttpRouter()
routes = Routes(router, "console", Access.SESSION)


def _language() -> Language:
    return language_of(router.current_event.headers.get("accept-language"))


def _session(now: datetime) -> Session | Response[str]:
    """The signed-in person, or the sign-in page that brings them back here."""
    session = current_session(router, router.current_event.cookies, now)
    if session is None:
        event = router.current_event
        return to_sign_in(event.raw_path, event.raw_query_string)
    return session


@routes.get("/console")
def get_home() -> Response[str]:
    """The signed-in person's tenants, their role on each, and an agency's clients."""
    session = _session(utc_now())
    if isinstance(session, Response):
        return session
    tenants = adapters_of(router).tenants
    entries = []
    for tenant_id in tenants.memberships(session.user_id):
        tenant, member = tenants.get(tenant_id), tenants.member(tenant_id, session.user_id)
        if tenant is None or member is None:
            continue
        clients = sorted(tenants.clients(tenant_id))
        entries.append(
            {"tenant_id": tenant_id, "name": tenant.display_name, "role": member.role.value, "clients": clients}
        )
    return page(HTTPStatus.OK, render("home.html.j2", _language(), "home_title", session, tenants=entries))


@routes.get("/console/tenants/{tenant}/alerts/{alert_id}")
def get_alert_page(tenant: str, alert_id: str) -> Response[str]:
    """An alert with its evidence, for a person with a role on its tenant (or on that tenant's agency)."""
    language = _language()
    session = _session(utc_now())
    if isinstance(session, Response):
        return session
    adapters = adapters_of(router)
    caller = person_caller(session.user_id, tenant, adapters.tenants)
    if isinstance(caller, Response):
        return refused_page(caller, language, session)
    if not re.fullmatch(ALERT_ID_PATTERN, alert_id):
        return problem_page(HTTPStatus.NOT_FOUND, f"no alert {alert_id!r} for this tenant", language, session)
    try:
        alert = get_alert(adapters.alerts, caller.tenant, alert_id)
    except NotFoundError as missing:
        return problem_page(HTTPStatus.NOT_FOUND, str(missing), language, session)
    return page(HTTPStatus.OK, alert_page(alert, caller.tenant.display_name, language, session))
