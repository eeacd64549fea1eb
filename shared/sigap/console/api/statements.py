"""Statements in the console: start one from a template, edit it with the tone check's findings shown as one
types (htmx posts the text to the check; without script, saving shows them), preview what the status page and
the e-mail will show, submit, approve or send back as another person, publish, then each channel's delivery."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.console.api.alerts import acting
from sigap.console.api.forms import Form
from sigap.console.api.place import INCIDENT_ID, after_action, fetch, missing, place_of, show
from sigap.console.api.wiring import page, problem_page, redirect, status_page_of
from sigap.console.pages import render
from sigap.platform.http.gateway import Access, Routes
from sigap.statements.domain.markdown import to_html

router = APIGatewayHttpRouter()
routes = Routes(router, "console", Access.SESSION)

STATEMENT_PAGE = "/console/tenants/{tenant}/statements/{statement_id}"
STATEMENT_ID = re.compile(r"^st-[0-9a-f]{12}$")
LANGUAGES = ("id", "en")


@routes.get("/console/tenants/{tenant}/statements")
def get_statements(tenant: str) -> Response[str]:
    """The tenant's statements, with their state and author."""
    place = place_of(router, tenant)
    if isinstance(place, Response):
        return place
    (statements,) = fetch(lambda: place.visit.api.get("v1", "tenants", tenant, "statements"))
    items = statements.body.get("items", []) if statements.ok else []
    return show(place, "statements.html.j2", "statements_title", "statements", statements=items)


@routes.get("/console/tenants/{tenant}/statements/new")
def get_new_statement(
    tenant: str,
    incident: Annotated[str, Query(max_length=40)] = "",
    template: Annotated[str, Query(max_length=80)] = "",
) -> Response[str]:
    """Start a statement for an incident: choose a template, fill in what it asks for."""
    place = place_of(router, tenant)
    if isinstance(place, Response):
        return place
    if not INCIDENT_ID.fullmatch(incident):
        return problem_page(HTTPStatus.NOT_FOUND, "open_from_incident", place.visit.language, place.visit.session)
    (templates,) = fetch(lambda: place.visit.api.get("v1", "tenants", tenant, "statement-templates"))
    items = templates.body.get("items", []) if templates.ok else []
    chosen = next((item for item in items if item["name"] == template), items[0] if items else None)
    return show(
        place,
        "statement_new.html.j2",
        "draft_statement",
        "statements",
        incident_id=incident,
        templates=items,
        chosen=chosen,
    )


@routes.post("/console/tenants/{tenant}/statements", forms=True)
def post_statement(tenant: str, form: Annotated[Form, Body()]) -> Response[str]:
    """Draft the statement from the chosen template and its variables; its editor opens next."""
    place = acting(router, tenant, form)
    if isinstance(place, Response):
        return place
    variables = {
        name.removeprefix("var_"): form.text(name, 2000) for name in (form.model_extra or {}) if name.startswith("var_")
    }
    body: dict[str, Any] = {
        "incident_id": form.text("incident_id", 40),
        "template": form.text("template", 80) or None,
        "variables": variables,
        "first": form.text("first", 2) or "id",
    }
    answer = place.visit.api.post("v1", "tenants", tenant, "statements", body=body)
    if not answer.ok:
        return after_action(place, answer, f"{place.base()}/statements", "saved")
    statement_id = answer.body["statement"]["statement_id"]
    return redirect(f"{place.base()}/statements/{statement_id}")


def _current_content(statement: dict[str, Any]) -> dict[str, Any]:
    versions = statement.get("versions") or []
    return dict(versions[-1]["content"]) if versions else {}


@routes.get(STATEMENT_PAGE)
def get_statement(tenant: str, statement_id: str, done: Annotated[str, Query(max_length=40)] = "") -> Response[str]:
    """A statement: its editor (while a draft), the tone check, the preview, and the next step for this person."""
    place = place_of(router, tenant)
    if isinstance(place, Response):
        return place
    if not STATEMENT_ID.fullmatch(statement_id):
        return missing(place, "statement")
    (view,) = fetch(lambda: place.visit.api.get("v1", "tenants", tenant, "statements", statement_id))
    if not view.ok:
        return missing(place, "statement") if view.status == 404 else after_action(place, view, "", "saved")
    statement = view.body["statement"]
    content = _current_content(statement)
    previews = {
        language: {"title": text.get("title", ""), "html": to_html(text.get("body", ""))}
        for language in LANGUAGES
        if (text := content.get(language))
    }
    is_author = statement.get("author") == place.visit.session.email
    return show(
        place,
        "statement.html.j2",
        "statement_title",
        "statements",
        done=done,
        statement=statement,
        content=content,
        previews=previews,
        deliveries=view.body.get("deliveries", {}),
        audit=view.body.get("audit", []),
        is_author=is_author,
        languages=LANGUAGES,
        status_page=status_page_of(router, place.tenant.tenant_id),
    )


def _content_of(form: Form, previous: dict[str, Any]) -> dict[str, Any]:
    content: dict[str, Any] = {"first": form.text("first", 2) or previous.get("first", "id")}
    for language in LANGUAGES:
        title, body = form.text(f"{language}_title", 300), form.text(f"{language}_body", 20_000)
        content[language] = {"title": title, "body": body} if title or body else None
    if form.text("next_update_at"):
        content["next_update_at"] = form.text("next_update_at", 40)
    elif previous.get("next_update_at"):
        content["next_update_at"] = previous["next_update_at"]
    return content


@routes.post(STATEMENT_PAGE + "/edit", forms=True)
def post_edit(tenant: str, statement_id: str, form: Annotated[Form, Body()]) -> Response[str]:
    """Save the draft's text (a new version while it is a draft); the tone check runs on what was saved."""
    place = acting(router, tenant, form)
    if isinstance(place, Response):
        return place
    if not STATEMENT_ID.fullmatch(statement_id):
        return missing(place, "statement")
    api = place.visit.api
    view = api.get("v1", "tenants", tenant, "statements", statement_id)
    previous = _current_content(view.body["statement"]) if view.ok else {}
    answer = api.put("v1", "tenants", tenant, "statements", statement_id, body={"content": _content_of(form, previous)})
    return after_action(place, answer, f"{place.base()}/statements/{statement_id}", "saved")


_STEPS: dict[str, tuple[tuple[str, ...], dict[str, object], str]] = {
    "submit": (("submit",), {}, "submitted"),
    "approve": (("reviews",), {"approve": True}, "approved"),
    "send_back": (("reviews",), {"approve": False}, "sent_back"),
    "publish": (("publish",), {}, "published"),
}


@routes.post(STATEMENT_PAGE + "/step", forms=True)
def post_step(tenant: str, statement_id: str, form: Annotated[Form, Body()]) -> Response[str]:
    """Move the statement on: submit, approve or send back (another person than its author), publish."""
    place = acting(router, tenant, form)
    if isinstance(place, Response):
        return place
    step = _STEPS.get(form.text("step", 20))
    if step is None or not STATEMENT_ID.fullmatch(statement_id):
        return problem_page(HTTPStatus.UNPROCESSABLE_ENTITY, "no_step", place.visit.language, None)
    path, body, done = step
    if form.text("comment"):
        body = body | {"comment": form.text("comment", 2000)}
    answer = place.visit.api.post("v1", "tenants", tenant, "statements", statement_id, *path, body=body)
    return after_action(place, answer, f"{place.base()}/statements/{statement_id}", done)


@routes.post("/console/tenants/{tenant}/statements/check", forms=True)
def post_check(tenant: str, form: Annotated[Form, Body()]) -> Response[str]:
    """The tone check's findings on one language's text, as the editor's live panel (an HTML fragment)."""
    place = acting(router, tenant, form)
    if isinstance(place, Response):
        return place
    language = form.text("lang", 2)
    if language not in LANGUAGES:
        return page(HTTPStatus.UNPROCESSABLE_ENTITY, "")
    text = "\n\n".join(part for part in (form.text(f"{language}_title"), form.text(f"{language}_body")) if part)
    answer = place.visit.api.post("v1", "tenants", tenant, "statements", "check", body={"text": text, "lang": language})
    findings = answer.body.get("findings", []) if answer.ok else []
    fragment = render(
        "findings.html.j2", place.visit.language, "findings", None, findings=findings, problem=answer.problem
    )
    return page(HTTPStatus.OK, fragment)
