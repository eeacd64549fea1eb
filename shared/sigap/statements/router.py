"""Statement routes: publishing settings, templates, statements from draft to published (edit, new version,
submit, review, publish), the tone check, delivery status, subscribers and post-crisis reports; and the public
routes of a status page: its JSON, subscribe, confirm and unsubscribe (RFC 8058 one-click)."""

from __future__ import annotations

import html
import json
from functools import lru_cache
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from sigap.kernel.errors import NotFoundError
from sigap.kernel.language import Language
from sigap.kernel.models import utc_now
from sigap.kernel.tokens import LinkError
from sigap.mentions.aggregate_store import AggregateStore
from sigap.notify.secrets import link_key
from sigap.notify.store import NotificationsTable
from sigap.outbound.domain.models import DeliveryError
from sigap.platform.http.errors import FieldProblem, error_response
from sigap.platform.http.gateway import Access, api_route, header
from sigap.platform.http.resolver import caller, new_resolver, ok_json, responses, serve
from sigap.platform.observability import logger
from sigap.statements.domain.models import (
    PublishingSettings,
    PublishRequest,
    Review,
    Statement,
    StatementCreate,
    StatementEdit,
    StatementView,
    Submission,
    SubscribeRequest,
)
from sigap.statements.domain.publisher import SiteLinks
from sigap.statements.domain.report import build_report, report_html, report_pdf, report_window
from sigap.statements.domain.site import SiteInput, status_document
from sigap.statements.domain.subscribers import SendingStats, confirm, subscribe, unsubscribe
from sigap.statements.domain.templates import (
    BUILT_IN_TEMPLATES,
    TEMPLATE_NAME_PATTERN,
    NamedTemplate,
    StatementTemplate,
    TemplateProblemError,
    check_template,
    named,
)
from sigap.statements.domain.tone.check import check
from sigap.statements.domain.tone.models import Finding
from sigap.statements.domain.workflow import (
    BlockedByToneError,
    NotAllowedError,
    StatementConflictError,
    StatementStateError,
    create_statement,
    edit_statement,
    new_version,
    publish,
    review,
    submit,
    view,
)
from sigap.statements.queue import PublicationQueue
from sigap.statements.settings import StatementsApiSettings
from sigap.statements.store import PublishingTable
from sigap.statements.wiring import AllIncidents, publisher_ports, site_url
from sigap.tenants.store import TenantStore

router = APIGatewayHttpRouter()
STATEMENT_ID = r"^st-[0-9a-f]{12}$"
INCIDENT_ID = r"^inc-\d{8}T\d{4}-[0-9a-f]{8}$"
TOKEN = Path(min_length=10, max_length=1024)
TENANT = Path(pattern=r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")


class UnknownChannelError(TemplateProblemError):
    """Publishing settings that name a channel the tenant does not have (422 invalid_setting)."""


class TemplateList(BaseModel):
    items: list[NamedTemplate]


class StatementList(BaseModel):
    items: list[Statement]


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1, max_length=40_000)
    lang: Language | None = None


class CheckResult(BaseModel):
    findings: list[Finding]
    blocking: int = Field(description="Errors: they block review unless overridden with a reason")


class SubscriberSummary(BaseModel):
    counts: dict[str, int]
    stats: SendingStats
    complaint_rate: float


class Lessons(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(max_length=20_000)


class Accepted(BaseModel):
    status: str


@lru_cache(maxsize=1)
def _adapters(
    settings: StatementsApiSettings,
) -> tuple[TenantStore, NotificationsTable, PublishingTable, PublicationQueue]:
    return (
        TenantStore(settings.tenants_table),
        NotificationsTable(settings.notifications_table),
        PublishingTable(settings.publishing_table),
        PublicationQueue(settings.publication_queue_url),
    )


def _settings() -> StatementsApiSettings:
    settings: StatementsApiSettings = app.context["settings"]
    return settings


def _tables() -> tuple[NotificationsTable, PublishingTable]:
    _, incidents, table, _ = _adapters(_settings())
    return incidents, table


def _links(tenant_id: str) -> SiteLinks:
    settings = _settings()
    return SiteLinks(site_url=site_url(settings, tenant_id), api_url=settings.public_api_url)


def _view(result: StatementView, status: HTTPStatus = HTTPStatus.OK) -> Response[str]:
    return ok_json(result.model_dump_json(), status)


# -- settings and templates --------------------------------------------------------------------------------


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/publishing",
    access=Access.TENANT_KEY,
    summary="Publishing settings: approvers, approvals needed, staff list, channels, reminders, page",
    responses=responses(200, "The settings", PublishingSettings),
    tags=["statements"],
)
def get_publishing(tenant: str) -> Response[str]:
    _, table = _tables()
    return ok_json(table.settings(caller(app).tenant_id).model_dump_json())


@api_route(
    router,
    "PUT",
    "/v1/tenants/{tenant}/publishing",
    access=Access.TENANT_KEY,
    summary="Replace the publishing settings",
    responses=responses(200, "The settings", PublishingSettings),
    tags=["statements"],
)
def put_publishing(tenant: str, body: Annotated[PublishingSettings, Body()]) -> Response[str]:
    incidents, table = _tables()
    owner = caller(app).tenant_id
    for field, ids in (("channel_ids", body.channel_ids), ("escalation_channel_ids", body.escalation_channel_ids)):
        for index, channel_id in enumerate(ids):
            if incidents.channel(owner, channel_id) is None:
                raise UnknownChannelError(f"{field}[{index}]", f"no channel {channel_id!r} (POST /channels first)")
    table.put_settings(owner, body)
    return ok_json(body.model_dump_json())


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/statement-templates",
    access=Access.TENANT_KEY,
    summary="Templates: the built-in bilingual crisis template and the tenant's own, with their variables",
    responses=responses(200, "Templates", TemplateList),
    tags=["statements"],
)
def get_templates(tenant: str) -> Response[str]:
    _, table = _tables()
    own = table.templates(caller(app).tenant_id)
    items = [named(name, template, built_in=True) for name, template in BUILT_IN_TEMPLATES.items() if name not in own]
    items += [named(name, template, built_in=False) for name, template in sorted(own.items())]
    return ok_json(TemplateList(items=items).model_dump_json())


@api_route(
    router,
    "PUT",
    "/v1/tenants/{tenant}/statement-templates/{name}",
    access=Access.TENANT_KEY,
    summary="Create or replace a template (Jinja2 in a sandbox; a variable it uses must be given when drafting)",
    responses=responses(200, "The template", NamedTemplate),
    tags=["statements"],
)
def put_template(
    tenant: str,
    name: Annotated[str, Path(pattern=TEMPLATE_NAME_PATTERN)],
    body: Annotated[StatementTemplate, Body()],
) -> Response[str]:
    check_template(body)
    _, table = _tables()
    table.put_template(caller(app).tenant_id, name, body)
    return ok_json(named(name, body, built_in=False).model_dump_json())


@api_route(
    router,
    "DELETE",
    "/v1/tenants/{tenant}/statement-templates/{name}",
    access=Access.TENANT_KEY,
    summary="Delete one of the tenant's templates (a built-in one it replaced comes back)",
    responses=responses(200, "Deleted", Accepted),
    tags=["statements"],
)
def delete_template(tenant: str, name: Annotated[str, Path(pattern=TEMPLATE_NAME_PATTERN)]) -> Response[str]:
    _, table = _tables()
    if table.template(caller(app).tenant_id, name) is None:
        raise NotFoundError(f"no template {name!r} of this tenant")
    table.delete_template(caller(app).tenant_id, name)
    return ok_json(Accepted(status="deleted").model_dump_json())


# -- statements --------------------------------------------------------------------------------------------


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/statements/check",
    access=Access.TENANT_KEY,
    summary="Tone-check a text: findings with rule, severity, span, explanation and suggestion",
    responses=responses(200, "Findings", CheckResult),
    tags=["statements"],
)
def post_check(tenant: str, body: Annotated[CheckRequest, Body()]) -> Response[str]:
    findings = check(body.text, body.lang)
    result = CheckResult(findings=findings, blocking=sum(f.severity.value == "error" for f in findings))
    return ok_json(result.model_dump_json())


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/statements",
    access=Access.TENANT_KEY,
    summary="Draft a statement on an incident: written, or from a template with its variables",
    responses=responses(201, "The draft, its tone check and audit", StatementView),
    tags=["statements"],
)
def post_statement(tenant: str, body: Annotated[StatementCreate, Body()]) -> Response[str]:
    incidents, table = _tables()
    return _view(create_statement(table, incidents, caller(app).tenant_id, body, utc_now()), HTTPStatus.CREATED)


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/statements",
    access=Access.TENANT_KEY,
    summary="The tenant's statements, newest first (optionally of one incident)",
    responses=responses(200, "Statements", StatementList),
    tags=["statements"],
)
def get_statements(tenant: str, incident_id: Annotated[str | None, Query(pattern=INCIDENT_ID)] = None) -> Response[str]:
    _, table = _tables()
    found = [s for s in table.statements_of(caller(app).tenant_id) if incident_id in (None, s.incident_id)]
    found.sort(key=lambda s: s.created_at, reverse=True)
    return ok_json(StatementList(items=found).model_dump_json())


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/statements/{statement_id}",
    access=Access.TENANT_KEY,
    summary="One statement: every version, approvals, overrides, its audit and each channel's delivery status",
    responses=responses(200, "The statement", StatementView),
    tags=["statements"],
)
def get_statement(tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)]) -> Response[str]:
    _, table = _tables()
    return _view(view(table, caller(app).tenant_id, statement_id))


@api_route(
    router,
    "PUT",
    "/v1/tenants/{tenant}/statements/{statement_id}",
    access=Access.TENANT_KEY,
    summary="Edit the version being worked on (back to draft; its approvals are dropped)",
    responses=responses(200, "The statement", StatementView),
    tags=["statements"],
)
def put_statement(
    tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)], body: Annotated[StatementEdit, Body()]
) -> Response[str]:
    _, table = _tables()
    return _view(edit_statement(table, caller(app).tenant_id, statement_id, body, utc_now()))


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/statements/{statement_id}/versions",
    access=Access.TENANT_KEY,
    summary="An update (or a correction: content.correction) of a published statement, as a new draft version",
    responses=responses(201, "The statement", StatementView),
    tags=["statements"],
)
def post_version(
    tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)], body: Annotated[StatementEdit, Body()]
) -> Response[str]:
    _, table = _tables()
    return _view(new_version(table, caller(app).tenant_id, statement_id, body, utc_now()), HTTPStatus.CREATED)


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/statements/{statement_id}/submit",
    access=Access.TENANT_KEY,
    summary="Send a draft for review; tone-check errors must be fixed or each overridden with a reason",
    responses=responses(200, "The statement", StatementView),
    tags=["statements"],
)
def post_submit(
    tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)], body: Annotated[Submission, Body()]
) -> Response[str]:
    _, table = _tables()
    return _view(submit(table, caller(app).tenant_id, statement_id, body, utc_now()))


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/statements/{statement_id}/reviews",
    access=Access.TENANT_KEY,
    summary="Approve (or request changes to) a statement in review; never its author",
    responses=responses(200, "The statement", StatementView),
    tags=["statements"],
)
def post_review(
    tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)], body: Annotated[Review, Body()]
) -> Response[str]:
    _, table = _tables()
    return _view(review(table, caller(app).tenant_id, statement_id, body, utc_now()))


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/statements/{statement_id}/publish",
    access=Access.TENANT_KEY,
    summary="Publish the approved version: staff first, then the status page, feeds, channels and subscribers",
    responses=responses(202, "Published; deliveries follow (see deliveries)", StatementView),
    tags=["statements"],
)
def post_publish(
    tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)], body: Annotated[PublishRequest, Body()]
) -> Response[str]:
    settings = _settings()
    _, incidents, table, queue = _adapters(settings)
    result = publish(table, incidents, queue, caller(app).tenant_id, statement_id, body, utc_now())
    return _view(result, HTTPStatus.ACCEPTED)


# -- subscribers -------------------------------------------------------------------------------------------


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/subscribers",
    access=Access.TENANT_KEY,
    summary="Subscriber counts by state and the sending stats (complaint rate, paused or not)",
    responses=responses(200, "Counts and stats", SubscriberSummary),
    tags=["statements"],
)
def get_subscribers(tenant: str) -> Response[str]:
    _, table = _tables()
    owner = caller(app).tenant_id
    stats = table.stats(owner)
    summary = SubscriberSummary(counts=table.subscriber_counts(owner), stats=stats, complaint_rate=stats.complaint_rate)
    return ok_json(summary.model_dump_json())


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/subscribers/resume",
    access=Access.TENANT_KEY,
    summary="Resume subscriber e-mail paused for complaints (its counters start again)",
    responses=responses(200, "Resumed", Accepted),
    tags=["statements"],
)
def post_resume(tenant: str) -> Response[str]:
    _, table = _tables()
    table.resume(caller(app).tenant_id)
    return ok_json(Accepted(status="resumed").model_dump_json())


# -- reports -----------------------------------------------------------------------------------------------


def _report(tenant_id: str, incident_id: str) -> Any:
    settings = _settings()
    incidents, table = _tables()
    incident = incidents.incident(tenant_id, incident_id)
    if incident is None:
        raise NotFoundError(f"no incident {incident_id!r}")
    now = utc_now()
    since, until = report_window(incident, now)
    statements = [s for s in table.statements_of(tenant_id) if s.incident_id == incident_id]
    return build_report(
        incident,
        incidents.timeline(tenant_id, incident_id),
        statements,
        {s.statement_id: table.deliveries(tenant_id, s.statement_id) for s in statements},
        AggregateStore(settings.aggregates_table, settings.aggregate_shards).window(tenant_id, since, until),
        table.lessons(tenant_id, incident_id),
        now,
    )


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/incidents/{incident_id}/report",
    access=Access.TENANT_KEY,
    summary="The post-crisis report: format=html (default), pdf or json",
    tags=["statements"],
)
# Unannotated on purpose: Powertools validates an annotated return value, and would read a PDF as UTF-8 text.
def get_report(  # type: ignore[no-untyped-def]
    tenant: str,
    incident_id: Annotated[str, Path(pattern=INCIDENT_ID)],
    format: Annotated[str, Query(pattern=r"^(html|pdf|json)$")] = "html",
):
    report = _report(caller(app).tenant_id, incident_id)
    if format == "json":
        return ok_json(report.model_dump_json())
    if format == "pdf":
        return Response(
            status_code=200,
            content_type="application/pdf",
            body=report_pdf(report),
            headers={"Content-Disposition": f'inline; filename="report-{incident_id}.pdf"'},
        )
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=report_html(report))


@api_route(
    router,
    "PUT",
    "/v1/tenants/{tenant}/incidents/{incident_id}/report/lessons",
    access=Access.TENANT_KEY,
    summary="Write the report's lessons-learned section (plain text)",
    responses=responses(200, "Saved", Lessons),
    tags=["statements"],
)
def put_lessons(
    tenant: str, incident_id: Annotated[str, Path(pattern=INCIDENT_ID)], body: Annotated[Lessons, Body()]
) -> Response[str]:
    incidents, table = _tables()
    if incidents.incident(caller(app).tenant_id, incident_id) is None:
        raise NotFoundError(f"no incident {incident_id!r}")
    table.put_lessons(caller(app).tenant_id, incident_id, body.text)
    return ok_json(body.model_dump_json())


# -- public: the status page's API and its subscriptions ----------------------------------------------------

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
    return Response(
        status_code=status.value,
        content_type="text/html; charset=utf-8",
        body=_PAGE.format(lang=language.value, title=html.escape(title), body=body),
        headers={
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _known_tenant(tenant: str) -> None:
    tenants, *_ = _adapters(_settings())
    if tenants.get(tenant) is None:
        raise NotFoundError(f"no status page {tenant!r}")


def _wants_html() -> bool:
    return "text/html" in (header(app.current_event.raw_event, "accept") or "")


def _language() -> Language:
    query = app.current_event.query_string_parameters or {}
    return Language.ENGLISH if query.get("lang") == "en" else Language.INDONESIAN


def _back(tenant: str, language: Language) -> str:
    url = site_url(_settings(), tenant) + ("en/" if language is Language.ENGLISH else "")
    return f'<p><a href="{html.escape(url)}">{html.escape(_WORDS[language]["back"])}</a></p>'


@api_route(
    router,
    "GET",
    "/v1/status/{tenant}",
    access=Access.PUBLIC,
    summary="A status page as JSON: every public incident with every published version, in both languages",
    tags=["status page"],
)
def get_status(tenant: Annotated[str, TENANT]) -> Response[str]:
    _known_tenant(tenant)
    tenants, incidents, table, _ = _adapters(_settings())
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
            site_url=site_url(_settings(), tenant),
        )
    )
    return Response(
        status_code=200,
        content_type="application/json",
        body=json.dumps(document, ensure_ascii=False),
        headers={"Cache-Control": "public, max-age=30", "Access-Control-Allow-Origin": "*"},
    )


@api_route(
    router,
    "POST",
    "/v1/status/{tenant}/subscribe",
    access=Access.PUBLIC,
    forms=True,
    summary="Subscribe an address (double opt-in); the same answer whether or not the address is known",
    responses=responses(202, "A confirmation e-mail is on its way if the address can receive one", Accepted),
    tags=["status page"],
)
def post_subscribe(tenant: Annotated[str, TENANT], body: Annotated[SubscribeRequest, Body()]) -> Response[str]:
    _known_tenant(tenant)
    settings = _settings()
    _, _, table, _ = _adapters(settings)
    ports = publisher_ports(settings, tenant)
    subscribe(table, _ConfirmationMail(ports), _links(tenant), ports.link_key, tenant, body, utc_now())
    words = _WORDS[body.language]
    if _wants_html():
        return _page(
            HTTPStatus.ACCEPTED,
            body.language,
            words["check"],
            f"<p>{html.escape(words['check_body'])}</p>" + _back(tenant, body.language),
        )
    return ok_json(Accepted(status="check your inbox").model_dump_json(), HTTPStatus.ACCEPTED)


class _ConfirmationMail:
    def __init__(self, ports: Any) -> None:
        self._ports = ports

    def confirmation(self, subscriber: Any, confirm_url: str) -> None:
        language = subscriber.language
        words = _WORDS[language]
        text = f"{words['confirm']}: {confirm_url}\n"
        page = html.escape(confirm_url, quote=True)
        try:
            self._ports.mailer.send(
                [subscriber.email],
                f"{self._ports.tenant_name}: {words['confirm']}",
                text,
                f'<p><a href="{page}">{html.escape(words["confirm"])}</a></p>',
                {},
                {"sigap-message": "confirmation", "tenant": subscriber.tenant_id},
            )
        except DeliveryError as error:
            # The answer stays the same (it must not tell who subscribes); the person can ask again later.
            logger.warning(
                "confirmation e-mail not sent", extra={"tenant_id": subscriber.tenant_id, "error": error.reason}
            )


def _link_problem(language: Language, problem: LinkError) -> Response[str]:
    return _page(HTTPStatus.BAD_REQUEST, language, _WORDS[language]["bad"], f"<p>{html.escape(str(problem))}.</p>")


@api_route(
    router,
    "GET",
    "/v1/status/{tenant}/confirm/{token}",
    access=Access.PUBLIC,
    summary="The page behind a confirmation link: asks to confirm (link scanners only GET)",
    tags=["status page"],
)
def get_confirm(tenant: Annotated[str, TENANT], token: Annotated[str, TOKEN]) -> Response[str]:
    return _button_page("confirm", "confirm_button")


def _button_page(title: str, button: str) -> Response[str]:
    """A link's page: one button that POSTs to the same address (a link scanner's GET changes nothing)."""
    language = _language()
    words = _WORDS[language]
    form = f'<form method="post"><button type="submit">{html.escape(words[button])}</button></form>'
    return _page(HTTPStatus.OK, language, words[title], form)


@api_route(
    router,
    "POST",
    "/v1/status/{tenant}/confirm/{token}",
    access=Access.PUBLIC,
    forms=True,
    summary="Confirm a subscription (the button of the confirmation page)",
    tags=["status page"],
)
def post_confirm(tenant: Annotated[str, TENANT], token: Annotated[str, TOKEN]) -> Response[str]:
    _, _, table, _ = _adapters(_settings())
    try:
        subscriber = confirm(table, link_key(_settings().link_key_secret), tenant, token, utc_now())
    except LinkError as problem:
        return _link_problem(_language(), problem)
    words = _WORDS[subscriber.language]
    return _page(
        HTTPStatus.OK,
        subscriber.language,
        words["confirmed"],
        f"<p>{html.escape(words['confirmed_body'])}</p>" + _back(tenant, subscriber.language),
    )


@api_route(
    router,
    "GET",
    "/v1/status/{tenant}/unsubscribe/{token}",
    access=Access.PUBLIC,
    summary="The page behind an e-mail's unsubscribe link: one button",
    tags=["status page"],
)
def get_unsubscribe(tenant: Annotated[str, TENANT], token: Annotated[str, TOKEN]) -> Response[str]:
    return _button_page("unsubscribe", "unsubscribe_button")


@api_route(
    router,
    "POST",
    "/v1/status/{tenant}/unsubscribe/{token}",
    access=Access.PUBLIC,
    forms=True,
    summary="Unsubscribe: the page's button, or a mail client's RFC 8058 one-click POST",
    tags=["status page"],
)
def post_unsubscribe(tenant: Annotated[str, TENANT], token: Annotated[str, TOKEN]) -> Response[str]:
    _, _, table, _ = _adapters(_settings())
    language = _language()
    try:
        unsubscribe(table, link_key(_settings().link_key_secret), tenant, token, utc_now())
    except LinkError as problem:
        return _link_problem(language, problem)
    return _page(HTTPStatus.OK, language, _WORDS[language]["unsubscribed"], _back(tenant, language))


app = new_resolver()
app.include_router(router)


@app.exception_handler(TemplateProblemError)
def _template_problem(exc: TemplateProblemError) -> Response[str]:
    return error_response(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "invalid_template",
        str(exc),
        [FieldProblem(field=exc.field, problem=exc.problem)],
    )


@app.exception_handler(BlockedByToneError)
def _blocked(exc: BlockedByToneError) -> Response[str]:
    problems = [
        FieldProblem(field=f"overrides.{f.rule.value}", problem=f"{f.explanation} ({f.span.text!r})")
        for f in exc.findings
    ]
    return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, "tone_check_failed", str(exc), problems)


@app.exception_handler(NotAllowedError)
def _not_allowed(exc: NotAllowedError) -> Response[str]:
    return error_response(HTTPStatus.FORBIDDEN, "not_allowed", str(exc))


@app.exception_handler([StatementStateError, StatementConflictError])
def _conflict(exc: Exception) -> Response[str]:
    return error_response(HTTPStatus.CONFLICT, "conflict", str(exc))


def handle(event: dict[str, Any], context: Any, settings: StatementsApiSettings) -> dict[str, Any]:
    tenants, *_ = _adapters(settings)
    return serve(app, event, context, tenants=tenants, max_body_bytes=settings.max_body_bytes, settings=settings)


__all__ = ["app", "handle", "router"]
