"""What every page about one tenant shares: the person's visit, the tenant, what the API says the person may do
there (GET .../me), the sections in the navigation, a form's CSRF check, and an action's answer as a redirect back
with a note (POST, then GET: a reload never repeats the action)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.console.api.visit import Visit, visit
from sigap.console.api.wiring import adapters_of, page, problem_page, redirect
from sigap.console.api_client import ApiAnswer
from sigap.console.pages import render
from sigap.console.words import WORDS
from sigap.kernel.models import Tenant, TenantKind
from sigap.platform.side_by_side import side_by_side

# Notes a page may show after an action (?done=<key>): only these, so a link cannot make a page say anything.
DONE_NOTES = (
    "acknowledged",
    "silenced",
    "incident_opened",
    "joined",
    "saved",
    "submitted",
    "approved",
    "sent_back",
    "published",
    "noted",
    "invited",
    "removed",
    "revoked",
)
SECTIONS = ("now", "mentions", "alerts", "incidents", "statements")
INCIDENT_ID = re.compile(r"^inc-\d{8}T\d{4}-[0-9a-f]{8}$")


@dataclass(frozen=True)
class Place:
    visit: Visit
    tenant: Tenant
    permissions: frozenset[str]
    role: str
    zone: ZoneInfo  # the brand's time zone (its publishing settings): every time is shown in it
    publishing: dict[str, Any]  # the publishing settings as the API answered them ({} when not readable)
    here: str  # the page's own path and query: where the language switch comes back to
    through: str | None = None  # the agency whose role reaches this client, when the role is the agency's

    def may(self, permission: str) -> bool:
        return permission in self.permissions

    def base(self) -> str:
        return f"/console/tenants/{quote(self.tenant.tenant_id, safe='')}"

    def words(self) -> dict[str, str]:
        return WORDS[self.visit.language]


def place_of(router: APIGatewayHttpRouter, tenant_id: str) -> Place | Response[str]:
    """The person on this tenant, or the page that says why not (a sign-in, a 403, a 404)."""
    event = router.current_event  # read before the API calls (in one process, a resolver's event is shared)
    here = event.raw_path + (f"?{event.raw_query_string}" if event.raw_query_string else "")
    found = visit(router)
    if isinstance(found, Response):
        return found
    me, publishing = fetch(
        lambda: found.api.get("v1", "tenants", tenant_id, "me"),
        lambda: found.api.get("v1", "tenants", tenant_id, "publishing"),
    )
    tenant = adapters_of(router).tenants.get(tenant_id) if me.ok else None
    if not me.ok or tenant is None:
        status = HTTPStatus.FORBIDDEN if me.ok else refused_status(me)
        return problem_page(status, "api" if me.problem else "no_tenant", found.language, found.session,
                            detail=me.problem)  # fmt: skip
    return Place(
        visit=found,
        tenant=tenant,
        permissions=frozenset(me.body.get("permissions") or []),
        role=str(me.body.get("role") or me.body.get("scope") or ""),
        zone=_zone_of(publishing.body.get("timezone") if publishing.ok else None),
        publishing=publishing.body if publishing.ok and isinstance(publishing.body, dict) else {},
        through=me.body.get("through") or None,
        here=here,
    )


def _zone_of(name: object) -> ZoneInfo:
    try:
        return ZoneInfo(str(name)) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def fetch(*calls: Callable[[], ApiAnswer]) -> list[ApiAnswer]:
    """The page's API calls side by side: a page costs its slowest call, not their sum."""
    return side_by_side(lambda call: call(), calls, width=8)


def show(
    place: Place,
    template: str,
    title_word: str,
    section: str,
    *,
    status: HTTPStatus = HTTPStatus.OK,
    done: str | None = None,
    **values: Any,
) -> Response[str]:
    words = place.words()
    base = place.base()
    nav = [(f"{base}" if name == "now" else f"{base}/{name}", words[name], name == section) for name in SECTIONS]
    if place.may("admin"):
        nav.append((f"{base}/settings", words["settings"], section == "settings"))
    if place.tenant.kind is TenantKind.AGENCY:
        nav.append((f"{base}/clients", words["agency"], section == "clients"))
    elif place.through:  # an agency's person on one of its clients: back to all of them
        nav.append((f"/console/tenants/{quote(place.through, safe='')}/clients", words["agency"], False))
    flash = words.get(f"done_{done}") if done in DONE_NOTES else None
    body = render(
        template,
        place.visit.language,
        title_word,
        place.visit.session,
        nav=nav,
        flash=flash,
        place=place,
        base=base,
        csrf=place.visit.session.csrf_token,
        zone=place.zone,
        here=place.here,
        **values,
    )
    return page(status, body)


def after_action(place: Place, answer: ApiAnswer, back: str, done: str) -> Response[str]:
    """An action's outcome: back to the page with a note, or the page saying what the API refused and why."""
    if answer.ok:
        joiner = "&" if "?" in back else "?"
        return redirect(f"{back}{joiner}{urlencode({'done': done})}")
    return api_refused(place, answer)


def refused_status(answer: ApiAnswer) -> HTTPStatus:
    """The status a page answers with for an API refusal: the API's own when the request was at fault (4xx), else
    502: the console is the API's gateway, and the API's failure is not the console's."""
    return HTTPStatus(answer.status) if 400 <= answer.status < 500 else HTTPStatus.BAD_GATEWAY


def api_refused(place: Place, answer: ApiAnswer) -> Response[str]:
    """The page for an API answer that is not OK: its words, inside a sentence in the page's language, with the
    API's status when the request was at fault, else 502."""
    return problem_page(refused_status(answer), "api", place.visit.language, place.visit.session, detail=answer.problem)


def missing(place: Place, what: str) -> Response[str]:
    """A 404 page: the address names something this tenant does not have (or that is not an id at all)."""
    return problem_page(HTTPStatus.NOT_FOUND, "no_such", place.visit.language, place.visit.session, what=what)


def not_read(place: Place, answer: ApiAnswer, what: str, *, missing_when: tuple[int, ...] = (404,)) -> Response[str]:
    """The page for what the API could not give: a 404 naming the `what` it has no such one of, else the API's
    refusal (`api_refused`)."""
    if answer.status in missing_when:
        return missing(place, what)
    return api_refused(place, answer)


def refused_form(place: Place) -> Response[str]:
    return problem_page(HTTPStatus.FORBIDDEN, "foreign_form", place.visit.language, place.visit.session)
