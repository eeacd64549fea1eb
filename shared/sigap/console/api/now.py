"""The person's tenants (/console), a brand's Now page, an agency's clients worst first, and the console's static
files."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.console.api.place import api_refused, fetch, place_of, show
from sigap.console.api.visit import visit
from sigap.console.api.wiring import adapters_of, language_cookie, page, redirect, safe_next
from sigap.console.chart import volume_chart
from sigap.console.pages import STATIC_FILES, render, static_file
from sigap.kernel.language import Language
from sigap.kernel.models import utc_now
from sigap.platform.http.gateway import Access, Routes

router = APIGatewayHttpRouter()
routes = Routes(router, "console", Access.SESSION)

_ONE_YEAR = 365 * 24 * 3600


@routes.get("/console/static/{name}")
def get_static(name: Annotated[str, Path(max_length=40, description="A file of the console")]) -> Response[str]:
    """The console's style sheet and script (versioned by the pages' ?v=, so cached for a year)."""
    if name not in STATIC_FILES:
        return Response(status_code=404, content_type="text/plain", body="no such file")
    return Response(
        status_code=200,
        content_type=STATIC_FILES[name],
        body=static_file(name).decode("utf-8"),
        headers={"Cache-Control": f"public, max-age={_ONE_YEAR}, immutable", "X-Content-Type-Options": "nosniff"},
    )


@routes.get("/console/language/{language}")
def get_language(
    language: Annotated[str, Path(max_length=5, description="id or en")],
    next: Annotated[str, Query(max_length=2048, description="The console page to go back to")] = "",
) -> Response[str]:
    """Choose the console's language (kept in a cookie for a year), then go back to the page."""
    if language not in {known.value for known in Language}:
        return Response(status_code=404, content_type="text/plain", body="no such language")
    return redirect(safe_next(next), [language_cookie(Language(language))])


@routes.get("/console")
def get_home() -> Response[str]:
    """The signed-in person's tenants, their role on each, and an agency's clients."""
    found = visit(router)
    if isinstance(found, Response):
        return found
    tenants = adapters_of(router).tenants
    entries = []
    for tenant_id in tenants.memberships(found.session.user_id):
        tenant, member = tenants.get(tenant_id), tenants.member(tenant_id, found.session.user_id)
        if tenant is None or member is None:
            continue
        clients = sorted(tenants.clients(tenant_id))
        entries.append(
            {"tenant_id": tenant_id, "name": tenant.display_name, "role": member.role.value, "clients": clients}
        )
    body = render("home.html.j2", found.language, "home_title", found.session, tenants=entries)
    return page(HTTPStatus.OK, body)


@routes.get("/console/tenants/{tenant}")
def get_now(tenant: str, done: Annotated[str, Query(max_length=40)] = "") -> Response[str]:
    """Now: the last 24 hours against the usual, open alerts and incidents, the stories spreading most, sources."""
    place = place_of(router, tenant)
    if isinstance(place, Response):
        return place
    api, now = place.visit.api, utc_now()
    hour_start = now.replace(minute=0, second=0, microsecond=0)
    volume, current, day, alerts, incidents, sources = fetch(
        lambda: api.get("v1", "tenants", tenant, "volume", query={"hours": "23"}),
        lambda: api.get("v1", "tenants", tenant, "summary", query={"since": hour_start.isoformat()}),
        lambda: api.get("v1", "tenants", tenant, "summary", query={"since": (now - timedelta(hours=24)).isoformat()}),
        lambda: api.get("v1", "tenants", tenant, "alerts", query={"status": "firing", "limit": "10"}),
        lambda: api.get("v1", "tenants", tenant, "incidents", query={"limit": "20"}),
        lambda: api.get("v1", "tenants", tenant, "sources"),
    )
    for answer in (volume, current, day):
        if not answer.ok:
            return api_refused(place, answer)
    top_stories = [story["story_id"] for story in day.body.get("top_stories", [])][:5]
    day_ago = (now - timedelta(hours=24)).isoformat()  # a story's latest post in the day: two days' index, not 30
    samples = fetch(
        *(
            (
                lambda story=story: api.get(
                    "v1", "tenants", tenant, "mentions", query={"story": story, "limit": "1", "since": day_ago}
                )
            )
            for story in top_stories
        )
    )
    story_texts = {
        story: answer.body["items"][0]["mention"]["text"][:140]
        for story, answer in zip(top_stories, samples, strict=True)
        if answer.ok and answer.body.get("items")
    }
    hours = list(volume.body["items"])
    # The hour under way, so far (its usual is not known until the hour ends).
    so_far = {"hour": f"{hour_start:%Y-%m-%dT%H}", "total": current.body["total"], "negative": current.body["negative"]}
    chart = volume_chart([*hours, so_far], place.zone)
    listed = (incidents.body or {}).get("items", []) if incidents.ok else []
    open_incidents = [incident for incident in listed if incident.get("state") != "resolved"]
    return show(
        place,
        "now.html.j2",
        "now_title",
        "now",
        done=done,
        chart=chart,
        zone_name=str(place.zone),
        has_usual=any(h.get("usual_total") is not None for h in hours),
        day=day.body,
        alerts=(alerts.body or {}).get("items", []) if alerts.ok else [],
        incidents=open_incidents,
        sources=(sources.body or {}).get("sources", []) if sources.ok else [],
        story_texts=story_texts,
    )


@routes.get("/console/tenants/{tenant}/clients")
def get_clients(tenant: str) -> Response[str]:
    """An agency's clients, worst first (the roll-up), each a link into that client's Now page."""
    place = place_of(router, tenant)
    if isinstance(place, Response):
        return place
    (rollup,) = fetch(lambda: place.visit.api.get("v1", "tenants", tenant, "rollup"))
    if not rollup.ok:
        return api_refused(place, rollup)
    return show(place, "clients.html.j2", "agency_title", "clients", rollup=rollup.body)
