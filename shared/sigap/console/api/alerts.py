"""Alerts in the console: the inbox (firing first, each with its evidence in brief and an acknowledge button for
those who may respond), one alert with its evidence (where every message's "View alert" link leads), and the
actions on it: acknowledge, silence its story for some hours, open an incident for it."""

from __future__ import annotations

import re
from datetime import timedelta
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.console.api.forms import Form
from sigap.console.api.place import (
    INCIDENT_ID,
    Place,
    after_action,
    api_refused,
    fetch,
    missing,
    not_read,
    place_of,
    refused_form,
    show,
)
from sigap.console.api.wiring import HOME_PATH, problem_page, safe_next
from sigap.detection.domain.models import ALERT_ID_PATTERN, Rule
from sigap.detection.domain.rule_names import rule_name
from sigap.kernel.models import utc_now
from sigap.platform.http.gateway import Access, Routes

router = APIGatewayHttpRouter()
routes = Routes(router, "console", Access.SESSION)

ALERT_PAGE = "/console/tenants/{tenant}/alerts/{alert_id}"
_STATUSES = ("firing", "resolved")
MAX_SILENCE_HOURS = 72


def _rule_title(alert: dict[str, object], language: object) -> str:
    try:
        return rule_name(Rule(str(alert.get("rule"))), language)  # type: ignore[arg-type]
    except ValueError:
        return str(alert.get("rule"))


@routes.get("/console/tenants/{tenant}/alerts")
def get_inbox(
    tenant: str,
    status: Annotated[str, Query(max_length=10, description="firing, resolved or empty for all")] = "firing",
    cursor: Annotated[str, Query(max_length=2048)] = "",
    done: Annotated[str, Query(max_length=40)] = "",
) -> Response[str]:
    """The alert inbox: each alert's summary, severity and time, acknowledge in one click."""
    place = place_of(router, tenant)
    if isinstance(place, Response):
        return place
    query = (
        {"limit": "25"} | ({"status": status} if status in _STATUSES else {}) | ({"cursor": cursor} if cursor else {})
    )
    (alerts,) = fetch(lambda: place.visit.api.get("v1", "tenants", tenant, "alerts", query=query))
    if not alerts.ok:
        return api_refused(place, alerts)
    items = alerts.body.get("items", [])
    titles = {item["alert_id"]: _rule_title(item, place.visit.language) for item in items}
    return show(
        place,
        "alerts.html.j2",
        "alerts_title",
        "alerts",
        done=done,
        alerts=items,
        titles=titles,
        shown=status if status in _STATUSES else "",
        next_cursor=alerts.body.get("next_cursor"),
    )


@routes.get(ALERT_PAGE)
def get_alert_page(tenant: str, alert_id: str, done: Annotated[str, Query(max_length=40)] = "") -> Response[str]:
    """An alert with its evidence, for a person with a role on its tenant (or on that tenant's agency)."""
    place = place_of(router, tenant)
    if isinstance(place, Response):
        return place
    if not re.fullmatch(ALERT_ID_PATTERN, alert_id):
        return missing(place, "alert")
    alert, incidents = fetch(
        lambda: place.visit.api.get("v1", "tenants", tenant, "alerts", alert_id),
        lambda: place.visit.api.get("v1", "tenants", tenant, "incidents", query={"limit": "25"}),
    )
    if not alert.ok:
        return not_read(place, alert, "alert")
    listed = incidents.body.get("items", []) if incidents.ok else []
    body = alert.body
    subject = str(body.get("subject", ""))
    return show(
        place,
        "alert.html.j2",
        f"{_rule_title(body, place.visit.language)}: {subject}",
        "alerts",
        done=done,
        alert=body,
        evidence=body.get("evidence", {}),
        story=subject if subject.startswith("s-") else "",
        open_incidents=[incident for incident in listed if incident.get("state") != "resolved"],
    )


def acting(router: APIGatewayHttpRouter, tenant: str, form: Form) -> Place | Response[str]:
    """The person about to act on the tenant, once the form proved it came from their own console page."""
    place = place_of(router, tenant)
    if isinstance(place, Response):
        return place
    return place if place.visit.form_is_ours(form.csrf) else refused_form(place)


def back_to(form: Form, default: str) -> str:
    """Where the form asked to return (a console page of this site only), else `default`."""
    back = form.text("back", 500)
    return back if back != HOME_PATH and safe_next(back) == back else default


@routes.post(ALERT_PAGE + "/acknowledge", forms=True)
def post_acknowledge(tenant: str, alert_id: str, form: Annotated[Form, Body()]) -> Response[str]:
    """Acknowledge the alert as the signed-in person: its escalations stop."""
    place = acting(router, tenant, form)
    if isinstance(place, Response):
        return place
    body = {"comment": form.text("comment", 1000)}
    answer = place.visit.api.post("v1", "tenants", tenant, "alerts", alert_id, "acknowledgement", body=body)
    return after_action(place, answer, back_to(form, f"{place.base()}/alerts/{alert_id}"), "acknowledged")


@routes.post(ALERT_PAGE + "/silence", forms=True)
def post_silence(tenant: str, alert_id: str, form: Annotated[Form, Body()]) -> Response[str]:
    """Silence the alert's story (or its rule and subject) for some hours: no messages, the alert still shows."""
    place = acting(router, tenant, form)
    if isinstance(place, Response):
        return place
    try:
        hours = min(max(int(form.text("hours") or "4"), 1), MAX_SILENCE_HOURS)
    except ValueError:
        hours = 4
    subject = form.text("subject", 256)
    matchers = [{"label": "subject", "op": "=", "value": subject}] if subject else []
    if not matchers:
        return problem_page(HTTPStatus.UNPROCESSABLE_ENTITY, "nothing_to_silence", place.visit.language, None)
    body = {
        "matchers": matchers,
        "ends_at": (utc_now() + timedelta(hours=hours)).isoformat(),
        "comment": form.text("comment", 1000) or f"silenced from the console for {hours} h",
    }
    answer = place.visit.api.post("v1", "tenants", tenant, "silences", body=body)
    return after_action(place, answer, f"{place.base()}/alerts/{alert_id}", "silenced")


@routes.post(ALERT_PAGE + "/join", forms=True)
def post_join_incident(tenant: str, alert_id: str, form: Annotated[Form, Body()]) -> Response[str]:
    """Join the alert to an open incident the team judges it part of; the incident's page opens next."""
    place = acting(router, tenant, form)
    if isinstance(place, Response):
        return place
    incident_id = form.text("incident_id", 40)
    if not INCIDENT_ID.fullmatch(incident_id):
        return missing(place, "incident")
    answer = place.visit.api.post(
        "v1", "tenants", tenant, "incidents", incident_id, "alerts", body={"alert_id": alert_id}
    )
    return after_action(place, answer, f"{place.base()}/incidents/{incident_id}", "joined")


@routes.post(ALERT_PAGE + "/incident", forms=True)
def post_open_incident(tenant: str, alert_id: str, form: Annotated[Form, Body()]) -> Response[str]:
    """Open an incident for the alert's story, titled by the person; its page opens next."""
    place = acting(router, tenant, form)
    if isinstance(place, Response):
        return place
    title = form.text("title", 200)
    if not title:
        return problem_page(HTTPStatus.UNPROCESSABLE_ENTITY, "incident_title", place.visit.language, None)
    body: dict[str, object] = {
        "title": title,
        "severity": form.text("severity") or "critical",
        "scope": form.text("scope") or "national",
    }
    story = form.text("story", 20)
    if story:
        body["story_id"] = story
    answer = place.visit.api.post("v1", "tenants", tenant, "incidents", body=body)
    if answer.ok:
        incident_id = answer.body.get("incident", {}).get("incident_id", "")
        return after_action(place, answer, f"{place.base()}/incidents/{incident_id}", "incident_opened")
    return after_action(place, answer, f"{place.base()}/alerts/{alert_id}", "incident_opened")
