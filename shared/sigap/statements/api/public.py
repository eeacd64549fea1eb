"""The public routes of a status page: its JSON, subscribe, confirm and unsubscribe (RFC 8058 one-click)."""

from __future__ import annotations

import html
import json
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.incidents.store import AllIncidents
from sigap.kernel.errors import NotFoundError
from sigap.kernel.language import Language
from sigap.kernel.models import utc_now
from sigap.kernel.tokens import LinkError
from sigap.platform.http.body import header
from sigap.platform.http.errors import html_response
from sigap.platform.http.gateway import Access, Routes
from sigap.platform.http.resolver import ok_json, responses
from sigap.platform.link_key import link_key
from sigap.platform.public_limits import LINKS, STATUS_READS, SUBSCRIBES
from sigap.statements.api.wiring import (
    TENANT,
    TOKEN,
    Accepted,
    adapters,
    settings_of,
)
from sigap.statements.domain.models import (
    QueuedSubscription,
    Statement,
    SubscribeRequest,
)
from sigap.statements.domain.site import status_document
from sigap.statements.domain.site_content import SiteInput
from sigap.statements.domain.subscribers import confirm, unsubscribe

router = APIGatewayHttpRouter()
routes = Routes(router, "status page", Access.PUBLIC)


_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>{title}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}}
button{{font:inherit;padding:.6rem 1.2rem}}</style></head>
<body><h1>{title}</h1>{body}</body></html>"""

_WORDS = {
    Language.INDONESIAN: {
        "check": "Periksa kotak masuk Anda",
        "check_body": "Jika alamat ini bisa menerima kabar dari halaman ini, kami telah mengirim tautan konfirmasi.",
        "confirm": "Konfirmasi langganan",
        "confirm_button": "Ya, kirimi saya kabar",
        "confirmed": "Langganan aktif",
        "confirmed_body": "Anda akan menerima setiap pernyataan dan pembaruan lewat e-mail.",
        "unsubscribe": "Berhenti berlangganan?",
        "unsubscribe_button": "Berhenti berlangganan",
        "unsubscribed": "Anda tidak berlangganan lagi",
        "bad": "Tautan ini tidak dapat digunakan",
        "back": "Kembali ke halaman status",
    },
    Language.ENGLISH: {
        "check": "Check your inbox",
        "check_body": "If this address can receive updates from this page, we have sent it a confirmation link.",
        "confirm": "Confirm your subscription",
        "confirm_button": "Yes, send me updates",
        "confirmed": "Subscribed",
        "confirmed_body": "You will receive every statement and update by e-mail.",
        "unsubscribe": "Unsubscribe?",
        "unsubscribe_button": "Unsubscribe",
        "unsubscribed": "You are unsubscribed",
        "bad": "This link cannot be used",
        "back": "Back to the status page",
    },
}


def _page(status: HTTPStatus, language: Language, title: str, body: str) -> Response[str]:
    return html_response(status, _PAGE.format(lang=language.value, title=html.escape(title), body=body))


def _known_tenant(tenant: str) -> None:
    tenants, *_ = adapters(settings_of(router))
    if tenants.get(tenant) is None:
        raise NotFoundError(f"no status page {tenant!r}")


def _wants_html() -> bool:
    return "text/html" in (header(router.current_event.raw_event, "accept") or "")


def _language() -> Language:
    query = router.current_event.query_string_parameters or {}
    return Language.ENGLISH if query.get("lang") == "en" else Language.INDONESIAN


def _back(tenant: str, language: Language) -> str:
    url = settings_of(router).site_url(tenant) + ("en/" if language is Language.ENGLISH else "")
    return f'<p><a href="{html.escape(url)}">{html.escape(_WORDS[language]["back"])}</a></p>'


@routes.get("/v1/status/{tenant}", rate=STATUS_READS)
def get_status(tenant: Annotated[str, TENANT]) -> Response[str]:
    """A status page as JSON: every public incident with every published version, in both languages."""
    _known_tenant(tenant)
    tenants, incidents, table, _ = adapters(settings_of(router))
    by_id = {incident.incident_id: incident for incident in AllIncidents(incidents).all_incidents(tenant)}
    grouped: dict[str, list[Statement]] = {}
    for statement in table.statements_of(tenant):
        grouped.setdefault(statement.incident_id, []).append(statement)
    found = tenants.get(tenant)
    document = status_document(
        SiteInput(
            tenant_id=tenant,
            tenant_name=found.display_name if found else tenant,
            settings=table.settings(tenant),
            incidents=[(by_id[iid], items) for iid, items in grouped.items() if iid in by_id],
            now=utc_now(),
            site_url=settings_of(router).site_url(tenant),
        )
    )
    return Response(
        status_code=200,
        content_type="application/json",
        body=json.dumps(document, ensure_ascii=False),
        headers={"Cache-Control": "public, max-age=30", "Access-Control-Allow-Origin": "*"},
    )


@routes.post(
    "/v1/status/{tenant}/subscribe",
    rate=SUBSCRIBES,
    forms=True,
    responses=responses(202, "A confirmation e-mail is on its way if the address can receive one", Accepted),
)
# A Response, not a typed return: a browser's form gets an HTML page, a program the JSON.
def post_subscribe(tenant: Annotated[str, TENANT], body: Annotated[SubscribeRequest, Body()]) -> Response[str]:
    """Subscribe an address (double opt-in); the same answer whether or not the address is known."""
    _known_tenant(tenant)
    # Queued, not done here: writing and mailing while the caller waited told a known address from a new one by
    # the answer's time. The publisher does both; every address gets this same answer, as quickly.
    _, _, _, queue = adapters(settings_of(router))
    queue.subscription(QueuedSubscription(tenant_id=tenant, request=body, requested_at=utc_now()))
    words = _WORDS[body.language]
    if _wants_html():
        return _page(
            HTTPStatus.ACCEPTED,
            body.language,
            words["check"],
            f"<p>{html.escape(words['check_body'])}</p>" + _back(tenant, body.language),
        )
    return ok_json(Accepted(status="check your inbox").model_dump_json(), HTTPStatus.ACCEPTED)


def _link_problem(language: Language, problem: LinkError) -> Response[str]:
    return _page(HTTPStatus.BAD_REQUEST, language, _WORDS[language]["bad"], f"<p>{html.escape(str(problem))}.</p>")


@routes.get("/v1/status/{tenant}/confirm/{token}", rate=LINKS)
def get_confirm(tenant: Annotated[str, TENANT], token: Annotated[str, TOKEN]) -> Response[str]:
    """The page behind a confirmation link: asks to confirm (link scanners only GET)."""
    return _button_page("confirm", "confirm_button")


def _button_page(title: str, button: str) -> Response[str]:
    """A link's page: one button that POSTs to the same address (a link scanner's GET changes nothing)."""
    language = _language()
    words = _WORDS[language]
    form = f'<form method="post"><button type="submit">{html.escape(words[button])}</button></form>'
    return _page(HTTPStatus.OK, language, words[title], form)


@routes.post("/v1/status/{tenant}/confirm/{token}", rate=LINKS, forms=True)
def post_confirm(tenant: Annotated[str, TENANT], token: Annotated[str, TOKEN]) -> Response[str]:
    """Confirm a subscription (the button of the confirmation page)."""
    _, _, table, _ = adapters(settings_of(router))
    try:
        subscriber = confirm(table, link_key(settings_of(router).link_key_secret), tenant, token, utc_now())
    except LinkError as problem:
        return _link_problem(_language(), problem)
    words = _WORDS[subscriber.language]
    return _page(
        HTTPStatus.OK,
        subscriber.language,
        words["confirmed"],
        f"<p>{html.escape(words['confirmed_body'])}</p>" + _back(tenant, subscriber.language),
    )


@routes.get("/v1/status/{tenant}/unsubscribe/{token}", rate=LINKS)
def get_unsubscribe(tenant: Annotated[str, TENANT], token: Annotated[str, TOKEN]) -> Response[str]:
    """The page behind an e-mail's unsubscribe link: one button."""
    return _button_page("unsubscribe", "unsubscribe_button")


@routes.post("/v1/status/{tenant}/unsubscribe/{token}", rate=LINKS, forms=True)
def post_unsubscribe(tenant: Annotated[str, TENANT], token: Annotated[str, TOKEN]) -> Response[str]:
    """Unsubscribe: the page's button, or a mail client's RFC 8058 one-click POST."""
    _, _, table, _ = adapters(settings_of(router))
    language = _language()
    try:
        unsubscribe(table, link_key(settings_of(router).link_key_secret), tenant, token, utc_now())
    except LinkError as problem:
        return _link_problem(language, problem)
    return _page(HTTPStatus.OK, language, _WORDS[language]["unsubscribed"], _back(tenant, language))
