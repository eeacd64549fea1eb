"""The console's adapters (built once per settings) and what its pages share: the session a request carries,
its language, the sign-in redirect, and pages as responses."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from sigap.console.pages import preferred_language, render
from sigap.console.problems import say
from sigap.console.sessions import SESSION_COOKIE, Session, SessionTable
from sigap.console.settings import ConsoleSettings
from sigap.console.sign_in import PoolSignIn
from sigap.kernel.language import Language
from sigap.platform.http.errors import HTML_HEADERS
from sigap.platform.http.resolver import HasContext, settings_in
from sigap.tenants.store import TenantStore

# The console's pages: this site's own style sheet and script only (no inline script or style, so an injected tag
# does nothing), forms posting only here, never framed, nothing cached (pages show one person's data).
CONSOLE_HEADERS = HTML_HEADERS | {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "same-origin",
}
SIGN_IN_PATH = "/console/sign-in"
HOME_PATH = "/console"


@dataclass(frozen=True)
class Adapters:
    tenants: TenantStore
    sessions: SessionTable
    pool: PoolSignIn


@lru_cache(maxsize=1)
def adapters(settings: ConsoleSettings) -> Adapters:
    return Adapters(
        tenants=TenantStore(settings.tenants_table),
        sessions=SessionTable(settings.sessions_table),
        pool=PoolSignIn(settings.user_pool_client_id),
    )


def settings_of(router: HasContext) -> ConsoleSettings:
    return settings_in(router, ConsoleSettings)


def adapters_of(router: HasContext) -> Adapters:
    return adapters(settings_of(router))


def status_page_of(router: HasContext, tenant_id: str) -> str:
    """The tenant's public status page (the stack's site, on CloudFront; locally, the gateway's /status/)."""
    site = settings_of(router).status_site_url.rstrip("/")
    return f"{site}/{tenant_id}/" if site else f"/v1/status/{tenant_id}"


def session_lifetime(router: HasContext) -> timedelta:
    return timedelta(hours=settings_of(router).session_hours)


def cookie_value(cookies: list[str], name: str) -> str:
    """The value of a cookie from API Gateway's `cookies` list ("name=value" each), or ''."""
    for entry in cookies:
        key, _, value = entry.strip().partition("=")
        if key == name:
            return value
    return ""


def current_session(router: HasContext, cookies: list[str], now: datetime) -> Session | None:
    return adapters_of(router).sessions.find(cookie_value(cookies, SESSION_COOKIE), now)


LANGUAGE_COOKIE = "sigap_lang"


def language_of(event: Any) -> Language:
    """The person's choice (the switch in every page's header, kept in a cookie), else the browser's."""
    chosen = cookie_value(list(event.cookies or []), LANGUAGE_COOKIE)
    if chosen in {language.value for language in Language}:
        return Language(chosen)
    return preferred_language(event.headers.get("accept-language"))


def console_cookie(
    name: str, value: str, *, max_age: int, path: str = HOME_PATH, same_site: SameSite = SameSite.LAX_MODE
) -> Cookie:
    """Every cookie the console sets: for its own paths only, never readable by script, never sent over plain
    HTTP (browsers treat localhost as secure), and gone when `max_age` is 0."""
    return Cookie(name=name, value=value, path=path, secure=True, http_only=True, same_site=same_site, max_age=max_age)


def language_cookie(language: Language) -> Cookie:
    return console_cookie(LANGUAGE_COOKIE, language.value, max_age=365 * 24 * 3600)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a console path of this site only (never '//elsewhere' or a full URL)."""
    target = target or ""
    wanders = "//" in target or "\\" in target or ".." in target or any(ord(c) < 0x21 for c in target)
    if not wanders and (target == HOME_PATH or target.startswith(HOME_PATH + "/")):
        return target
    return HOME_PATH


def redirect(location: str, cookies: list[Cookie] | None = None) -> Response[str]:
    return Response(
        status_code=HTTPStatus.SEE_OTHER.value,
        content_type="text/html; charset=utf-8",
        body="",
        headers=CONSOLE_HEADERS | {"Location": location},
        cookies=cookies or [],
    )


def to_sign_in(path: str, query: str = "") -> Response[str]:
    target = path + (f"?{query}" if query else "")
    return redirect(f"{SIGN_IN_PATH}?next={quote(safe_next(target), safe='/')}")


def page(status: HTTPStatus, body: str, cookies: list[Cookie] | None = None) -> Response[str]:
    return Response(
        status_code=status.value,
        content_type="text/html; charset=utf-8",
        body=body,
        headers=dict(CONSOLE_HEADERS),
        cookies=cookies or [],
    )


def problem_page(
    status: HTTPStatus, problem: str, language: Language, session: Session | None, *, what: str = "", detail: str = ""
) -> Response[str]:
    """The page saying what went wrong, in the page's language: `problem` is one of `console.problems`."""
    said = say(language, problem, what=what, detail=detail)
    return page(status, render("problem.html.j2", language, "problem_title", session, problem=said))


def session_cookie(value: str, lifetime: timedelta) -> Cookie:
    # Lax, not Strict: the link in an alert e-mail is a navigation from another site, and must arrive signed in.
    # Every form also carries the session's own CSRF token, so Lax lets no other site act as the person.
    return console_cookie(SESSION_COOKIE, value, max_age=int(lifetime.total_seconds()))


def ended_session_cookie() -> Cookie:
    return console_cookie(SESSION_COOKIE, "", max_age=0)


def tokens_match(sent: str, expected: str) -> bool:
    return bool(sent) and bool(expected) and secrets.compare_digest(sent.encode(), expected.encode())
