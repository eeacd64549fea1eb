"""Incidents in the console: the list, one incident with its timeline (what happened, who did what, from the
API), and the actions on it: change its state (resolve), add a note, draft a statement for it."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.console.api.alerts import acting
from sigap.console.api.forms import Form
from sigap.console.api.place import INCIDENT_ID, after_action, api_refused, fetch, missing, not_read, place_of, show
from sigap.console.api.wiring import problem_page
from sigap.console.api_client import path_of
from sigap.platform.http.gateway import Access, Routes

router = APIGatewayHttpRouter()
routes = Routes(router, "console", Access.SESSION)

INCIDENT_PAGE = "/console/tenants/{tenant}/incidents/{incident_id}"
STATES = ("investigating", "identified", "monitoring", "resolved")
# The report is the API's own page: its security headers (its CSP allows its inline style and charts) come along.
_REPORT_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "cache-control",
)


@routes.get("/console/tenants/{tenant}/incidents")
def get_incidents(tenant: str, cursor: Annotated[str, Query(max_length=2048)] = "") -> Response[str]:
    """The tenant's incidents, newest first."""
    place = place_of(router, tenant)
    if isinstance(place, Response):
        return place
    query = {"limit": "25"} | ({"cursor": cursor} if cursor else {})
    (incidents,) = fetch(lambda: place.visit.api.get("v1", "tenants", tenant, "incidents", query=query))
    if not incidents.ok:
        return api_refused(place, incidents)
    return show(
        place,
        "incidents.html.j2",
        "incidents_title",
        "incidents",
        incidents=incidents.body.get("items", []),
        next_cursor=incidents.body.get("next_cursor"),
    )


@routes.get(INCIDENT_PAGE)
def get_incident(tenant: str, incident_id: str, done: Annotated[str, Query(max_length=40)] = "") -> Response[str]:
    """An incident: its state, times, timeline, statements, and what the person may do next."""
    place = place_of(router, tenant)
    if isinstance(place, Response):
        return place
    if not INCIDENT_ID.fullmatch(incident_id):
        return missing(place, "incident")
    api = place.visit.api
    incident, statements = fetch(
        lambda: api.get("v1", "tenants", tenant, "incidents", incident_id),
        lambda: api.get("v1", "tenants", tenant, "statements", query={"incident_id": incident_id}),
    )
    if not incident.ok:
        return not_read(place, incident, "incident")
    view = incident.body
    return show(
        place,
        "incident.html.j2",
        str(view["incident"].get("title") or incident_id),
        "incidents",
        done=done,
        incident=view["incident"],
        timeline=view.get("timeline", []),
        statements=statements.body.get("items", []) if statements.ok else [],
        states=STATES,
    )


@routes.get(INCIDENT_PAGE + "/report")
def get_report(tenant: str, incident_id: str) -> Response[str]:
    """The incident's post-crisis report, as the API renders it (its own page: print it, or save it as PDF)."""
    place = place_of(router, tenant)
    if isinstance(place, Response):
        return place
    if not INCIDENT_ID.fullmatch(incident_id):
        return missing(place, "incident")
    path = path_of("v1", "tenants", tenant, "incidents", incident_id, "report")
    report = place.visit.api.call("GET", path, accept="text/html")
    if not report.ok:
        return after_action(place, report, "", "saved")
    headers = {name: value for name, value in report.headers.items() if name in _REPORT_HEADERS}
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=str(report.body), headers=headers)


@routes.post(INCIDENT_PAGE + "/state", forms=True)
def post_state(tenant: str, incident_id: str, form: Annotated[Form, Body()]) -> Response[str]:
    """Rename the incident or move it to another state (resolving it ends its silences and sends the resolve
    notice)."""
    place = acting(router, tenant, form)
    if isinstance(place, Response):
        return place
    state = form.text("state", 20)
    if state not in STATES or not INCIDENT_ID.fullmatch(incident_id):
        return problem_page(HTTPStatus.UNPROCESSABLE_ENTITY, "choose_state", place.visit.language, None)
    body = {"state": state, "comment": form.text("comment", 1000)}
    if form.text("title", 200):
        body["title"] = form.text("title", 200)
    answer = place.visit.api.patch("v1", "tenants", tenant, "incidents", incident_id, body=body)
    return after_action(place, answer, f"{place.base()}/incidents/{incident_id}", "saved")


@routes.post(INCIDENT_PAGE + "/notes", forms=True)
def post_note(tenant: str, incident_id: str, form: Annotated[Form, Body()]) -> Response[str]:
    """Add a note to the incident's timeline, signed by the person."""
    place = acting(router, tenant, form)
    if isinstance(place, Response):
        return place
    text = form.text("text", 4000)
    if not text or not INCIDENT_ID.fullmatch(incident_id):
        return problem_page(HTTPStatus.UNPROCESSABLE_ENTITY, "write_note", place.visit.language, None)
    answer = place.visit.api.post("v1", "tenants", tenant, "incidents", incident_id, "notes", body={"text": text})
    return after_action(place, answer, f"{place.base()}/incidents/{incident_id}", "noted")
