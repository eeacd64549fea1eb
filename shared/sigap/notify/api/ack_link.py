"""The public page behind a message's signed one-click acknowledgement link (GET shows, POST acknowledges)."""

from __future__ import annotations

import html
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.detection.store import AlertsTable
from sigap.kernel.errors import NotFoundError
from sigap.kernel.models import utc_now
from sigap.kernel.tokens import LinkError, read_token
from sigap.notify.api.wiring import (
    ports_of,
    settings_of,
)
from sigap.notify.domain.acknowledging import acknowledge
from sigap.platform.http.errors import html_response
from sigap.platform.http.gateway import Access, Routes
from sigap.platform.link_key import link_key
from sigap.platform.public_limits import LINKS

router = APIGatewayHttpRouter()
routes = Routes(router, "notifications", Access.PUBLIC)


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>{title} · Sigap</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}}
button{{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.3rem;background:#0b5cad;color:#fff;cursor:pointer}}
.muted{{color:#555}}</style></head>
<body><h1>{title}</h1>{body}<p class="muted">Sigap</p></body></html>"""


def _page(status: HTTPStatus, title: str, body: str) -> Response[str]:
    return html_response(status, _PAGE.format(title=html.escape(title), body=body))


def _claims(token: str) -> tuple[str, str] | Response[str]:
    try:
        return read_token(link_key(settings_of(router).link_key_secret), token, utc_now(), action="ack")
    except LinkError as problem:
        return _page(HTTPStatus.BAD_REQUEST, "This link cannot be used", f"<p>{html.escape(str(problem))}.</p>")


@routes.get("/v1/ack/{token}", rate=LINKS)
def get_ack_page(token: Annotated[str, Path(min_length=10, max_length=1024)]) -> Response[str]:
    """The page behind a message's acknowledgement link: asks to confirm (link scanners only GET)."""
    claims = _claims(token)
    if isinstance(claims, Response):
        return claims
    tenant_id, alert_id = claims
    alert = AlertsTable(settings_of(router).alerts_table).get(tenant_id, alert_id)
    if alert is None:
        return _page(HTTPStatus.NOT_FOUND, "Alert not found", "<p>This alert no longer exists.</p>")
    body = (
        f"<p><strong>{html.escape(alert.severity.value.upper())}</strong> · {html.escape(alert.summary)}</p>"
        f"<p class=muted>{html.escape(tenant_id)} · {html.escape(alert.status.value)}</p>"
        '<form method="post"><button type="submit">Acknowledge / Tangani</button></form>'
    )
    body += "<p class=muted>Alerts sent together with it in a message are acknowledged with it.</p>"
    return _page(HTTPStatus.OK, "Acknowledge this alert?", body)


@routes.post("/v1/ack/{token}", rate=LINKS)
def post_ack_page(token: Annotated[str, Path(min_length=10, max_length=1024)]) -> Response[str]:
    """Acknowledge the alert a signed link names (the confirmation button of its page)."""
    claims = _claims(token)
    if isinstance(claims, Response):
        return claims
    tenant_id, alert_id = claims
    try:
        ack = acknowledge(tenant_id, alert_id, "a message's recipient", "link", "", ports_of(router), utc_now())
    except NotFoundError:
        return _page(HTTPStatus.NOT_FOUND, "Alert not found", "<p>This alert no longer exists.</p>")
    return _page(
        HTTPStatus.OK,
        "Acknowledged",
        f"<p>Acknowledged at {html.escape(ack.at.strftime('%Y-%m-%d %H:%M UTC'))}. Escalation has stopped; "
        "nobody else is paged about this story unless it gets worse.</p>",
    )
