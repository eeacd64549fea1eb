"""Settings in the console, for admins (the API refuses anyone else; the page says so and shows the settings read
only): people (invite with a role, change a role, remove), machine keys (create, shown once; revoke), and the
detection, notification and publishing settings as JSON the API checks field by field."""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.console.api.alerts import acting
from sigap.console.api.forms import Form
from sigap.console.api.place import Place, after_action, fetch, place_of, show
from sigap.console.api.wiring import problem_page
from sigap.console.api_client import ApiAnswer
from sigap.console.problems import say
from sigap.platform.http.gateway import Access, Routes

router = APIGatewayHttpRouter()
routes = Routes(router, "console", Access.SESSION)

SETTINGS_PAGE = "/console/tenants/{tenant}/settings"
ROLES = ("viewer", "responder", "approver", "admin")
SCOPES = ("ingest", "read", "admin")
JSON_SETTINGS = ("detection-settings", "notification-policy", "publishing")
# What the "add" forms start from: a channel and a source as the API takes them (README: The API).
NEW_EXAMPLES = {
    "channels": '{"name": "war room", "settings": {"type": "slack", "webhook_url": "https://hooks.slack.com/services/..."}}',
    "sources": '{"name": "listening-tool", "kind": "webhook", "preset": "sprinklr"}',
}


def _settings_page(
    place: Place,
    *,
    done: str = "",
    new_key: str = "",
    problem: str = "",
    drafts: dict[str, str] | None = None,
    status: HTTPStatus = HTTPStatus.OK,
) -> Response[str]:
    api, tenant = place.visit.api, place.tenant.tenant_id
    people, keys, channels, sources, *documents = fetch(
        lambda: api.get("v1", "tenants", tenant, "users"),
        lambda: api.get("v1", "tenants", tenant, "keys"),
        lambda: api.get("v1", "tenants", tenant, "channels"),
        lambda: api.get("v1", "tenants", tenant, "sources"),
        *((lambda name=name: api.get("v1", "tenants", tenant, name)) for name in JSON_SETTINGS),
    )
    texts = {
        name: (drafts or {}).get(name) or (json.dumps(answer.body, indent=2, ensure_ascii=False) if answer.ok else "")
        for name, answer in zip(JSON_SETTINGS, documents, strict=True)
    }
    return show(
        place,
        "settings.html.j2",
        "settings_title",
        "settings",
        status=status,
        done=done,
        people=people.body.get("items", []) if people.ok else [],
        keys=keys.body.get("items", []) if keys.ok else [],
        channels=channels.body.get("items", []) if channels.ok else [],
        sources=sources.body.get("sources", []) if sources.ok else [],
        examples=NEW_EXAMPLES,
        documents=texts,
        roles=ROLES,
        scopes=SCOPES,
        new_key=new_key,
        problem_banner=problem,
    )


@routes.get(SETTINGS_PAGE)
def get_settings(tenant: str, done: Annotated[str, Query(max_length=40)] = "") -> Response[str]:
    """The tenant's people, keys and settings."""
    place = place_of(router, tenant)
    if isinstance(place, Response):
        return place
    return _settings_page(place, done=done)


@routes.post(SETTINGS_PAGE + "/people", forms=True)
def post_person(tenant: str, form: Annotated[Form, Body()]) -> Response[str]:
    """Invite a person with a role (the user pool e-mails them a temporary password), or change or remove one."""
    place = acting(router, tenant, form)
    if isinstance(place, Response):
        return place
    api, back = place.visit.api, f"{place.base()}/settings"
    action, user_id, role = form.text("action", 10), form.text("user_id", 64), form.text("role", 12)
    if action == "invite":
        answer = api.post("v1", "tenants", tenant, "users", body={"email": form.text("email", 320), "role": role})
        return after_action(place, answer, back, "invited")
    if action == "change" and user_id:
        return after_action(
            place, api.patch("v1", "tenants", tenant, "users", user_id, body={"role": role}), back, "saved"
        )
    if action == "remove" and user_id:
        return after_action(place, api.delete("v1", "tenants", tenant, "users", user_id), back, "removed")
    return problem_page(HTTPStatus.UNPROCESSABLE_ENTITY, "no_change", place.visit.language, place.visit.session)


@routes.post(SETTINGS_PAGE + "/keys", forms=True)
def post_key(tenant: str, form: Annotated[Form, Body()]) -> Response[str]:
    """Create a machine key (its secret is shown on the next page, once) or revoke one."""
    place = acting(router, tenant, form)
    if isinstance(place, Response):
        return place
    api = place.visit.api
    if form.text("action", 10) == "revoke" and form.text("key_id", 64):
        answer = api.delete("v1", "tenants", tenant, "keys", form.text("key_id", 64))
        return after_action(place, answer, f"{place.base()}/settings", "revoked")
    answer = api.post(
        "v1", "tenants", tenant, "keys", body={"name": form.text("name", 64), "scope": form.text("scope", 10)}
    )
    if not answer.ok:
        problem = say(place.visit.language, "api", detail=answer.problem)
        return _settings_page(place, problem=problem, status=HTTPStatus.UNPROCESSABLE_ENTITY)
    return _settings_page(place, new_key=str(answer.body.get("api_key", "")), done="saved")


def _json_refused(place: Place, what: str, text: str, send: Callable[[Any], ApiAnswer]) -> ApiAnswer | Response[str]:
    """The API's answer to the form's JSON, or the settings page naming what is wrong (the text kept)."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        problem = say(place.visit.language, "not_json", what=what, detail=str(exc))
        return _settings_page(place, problem=problem, drafts={what: text}, status=HTTPStatus.UNPROCESSABLE_ENTITY)
    answer = send(document)
    if not answer.ok:
        problem = say(place.visit.language, "field_refused", what=what, detail=answer.problem)
        return _settings_page(place, problem=problem, drafts={what: text}, status=HTTPStatus.UNPROCESSABLE_ENTITY)
    return answer


@routes.post(SETTINGS_PAGE + "/add", forms=True)
def post_add(tenant: str, form: Annotated[Form, Body()]) -> Response[str]:
    """Add a channel or a source from its JSON (a source's secret is shown on the next page, once)."""
    place = acting(router, tenant, form)
    if isinstance(place, Response):
        return place
    what, text = form.text("what", 20), form.text("document", 100_000)
    if what not in NEW_EXAMPLES:
        return problem_page(HTTPStatus.UNPROCESSABLE_ENTITY, "add_channel_or_source", place.visit.language, None)
    answer = _json_refused(
        place, what, text, lambda document: place.visit.api.post("v1", "tenants", tenant, what, body=document)
    )
    if isinstance(answer, Response):
        return answer
    secret = answer.body.get("secret") or answer.body.get("signing_secret") or ""
    return _settings_page(place, new_key=str(secret), done="saved")


@routes.post(SETTINGS_PAGE + "/json", forms=True)
def post_json_settings(tenant: str, form: Annotated[Form, Body()]) -> Response[str]:
    """Replace one of the JSON settings; a value the API refuses is named on the page, with the text kept."""
    place = acting(router, tenant, form)
    if isinstance(place, Response):
        return place
    name, text = form.text("name", 40), form.text("document", 100_000)
    if name not in JSON_SETTINGS:
        return problem_page(HTTPStatus.UNPROCESSABLE_ENTITY, "no_settings", place.visit.language, None)
    answer = _json_refused(
        place, name, text, lambda document: place.visit.api.put("v1", "tenants", tenant, name, body=document)
    )
    if isinstance(answer, Response):
        return answer
    return after_action(place, answer, f"{place.base()}/settings", "saved")
