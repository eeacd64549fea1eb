"""One request of a signed-in person: their session (its user pool tokens refreshed when close to expiry), the
language of their pages, and the API client that acts as them. A browser without a live session is sent to sign
in and brought back to the page it asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.console.api.wiring import adapters_of, cookie_value, language_of, settings_of, to_sign_in, tokens_match
from sigap.console.api_client import ApiClient
from sigap.console.sessions import SESSION_COOKIE, PoolTokens, Session
from sigap.console.sign_in import SignedIn, SignInRefusedError
from sigap.kernel.language import Language
from sigap.kernel.models import utc_now

REFRESH_BEFORE = timedelta(minutes=5)  # a page's API calls must not outlive the token they carry


def pool_tokens(signed: SignedIn, now: datetime) -> PoolTokens:
    return PoolTokens(
        id_token=signed.id_token,
        refresh_token=signed.refresh_token,
        id_token_expires_at=now + timedelta(seconds=signed.expires_in or 3600),
    )


@dataclass(frozen=True)
class Visit:
    session: Session
    language: Language
    api: ApiClient

    def form_is_ours(self, sent: str) -> bool:
        """The form carried this session's CSRF token (another site's form cannot know it)."""
        return tokens_match(sent, self.session.csrf_token)


def visit(router: APIGatewayHttpRouter) -> Visit | Response[str]:
    event = router.current_event
    now = utc_now()
    adapters = adapters_of(router)
    cookie = cookie_value(event.cookies, SESSION_COOKIE)
    session = adapters.sessions.find(cookie, now)
    if session is None:
        return to_sign_in(event.raw_path, event.raw_query_string)
    if session.tokens.id_token_expires_at - now < REFRESH_BEFORE:
        try:
            signed = adapters.pool.refresh(session.tokens.refresh_token)
        except SignInRefusedError:  # the person was removed from the pool, or signed out everywhere
            adapters.sessions.end(cookie)
            return to_sign_in(event.raw_path, event.raw_query_string)
        session = adapters.sessions.renew(cookie, session, pool_tokens(signed, now))
    language = language_of(event)
    return Visit(
        session=session, language=language, api=ApiClient(settings_of(router).api_url, session.tokens.id_token)
    )
