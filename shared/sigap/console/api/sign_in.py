"""Signing in and out of the console. The form posts to this function, which signs the person in with the user
pool and starts a session (an HttpOnly, Secure, SameSite cookie); a person invited with a temporary password
chooses their own first. The sign-in form carries a token also set as a cookie (login CSRF: another site cannot
sign a browser in as someone else), and is limited per address."""

from __future__ import annotations

import secrets
from datetime import timedelta
from http import HTTPStatus
from typing import Annotated
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.shared.cookies import SameSite
from pydantic import BaseModel, ConfigDict

from sigap.console.api.visit import pool_tokens
from sigap.console.api.wiring import (
    SIGN_IN_PATH,
    adapters_of,
    console_cookie,
    cookie_value,
    current_session,
    ended_session_cookie,
    language_of,
    page,
    problem_page,
    redirect,
    safe_next,
    session_cookie,
    session_lifetime,
    tokens_match,
)
from sigap.console.pages import render
from sigap.console.problems import say
from sigap.console.sessions import SESSION_COOKIE
from sigap.console.sign_in import (
    NewPasswordNeeded,
    PasswordRejectedError,
    SignedIn,
    SignInRefusedError,
)
from sigap.kernel.language import Language
from sigap.kernel.models import utc_now
from sigap.platform.http.gateway import Access, Routes
from sigap.platform.public_limits import SIGN_INS
from sigap.platform.user_tokens import InvalidTokenError, SignInUnavailableError, user_tokens

router = APIGatewayHttpRouter()
routes = Routes(router, "console", Access.SESSION)

_FORM_COOKIE = "sigap_signin"
_FORM_LIFETIME = timedelta(hours=1)
_MAX_EMAIL, _MAX_PASSWORD = 320, 256  # the user pool's own limits


class SignInForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: str = ""
    password: str = ""
    csrf: str = ""
    next: str = ""


class NewPasswordForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: str = ""
    challenge: str = ""
    new_password: str = ""
    csrf: str = ""
    next: str = ""


class SignOutForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    csrf: str = ""


def _language() -> Language:
    return language_of(router.current_event)


def _form_page(
    status: HTTPStatus, target: str, *, problem: str = "", email: str = "", challenge: str = ""
) -> Response[str]:
    """The sign-in (or new-password) form with a fresh token, set both in the form and as a cookie."""
    token = secrets.token_urlsafe(24)
    lifetime = int(_FORM_LIFETIME.total_seconds())
    cookie = console_cookie(_FORM_COOKIE, token, path=SIGN_IN_PATH, same_site=SameSite.STRICT_MODE, max_age=lifetime)
    title = "new_password_title" if challenge else "sign_in_title"
    body = render(
        "sign_in.html.j2",
        _language(),
        title,
        None,
        csrf=token,
        next=target,
        problem=problem,
        email=email,
        challenge=challenge,
        here=f"{SIGN_IN_PATH}?{urlencode({'next': target})}",
    )
    return page(status, body, [cookie])


def _form_token_holds(sent: str) -> bool:
    return tokens_match(sent, cookie_value(router.current_event.cookies, _FORM_COOKIE))


def _expired_form(target: str, email: str) -> Response[str]:
    problem = say(_language(), "form_expired")
    return _form_page(HTTPStatus.FORBIDDEN, target, problem=problem, email=email)


def _signed_in(signed: SignedIn, target: str) -> Response[str]:
    """The session for the person the pool's token names, then the page they were going to."""
    try:
        claims = user_tokens().verify(signed.id_token)
    except InvalidTokenError as exc:
        return _form_page(HTTPStatus.UNAUTHORIZED, target, problem=say(_language(), "sign_in_refused", detail=str(exc)))
    except SignInUnavailableError as exc:
        return problem_page(HTTPStatus.SERVICE_UNAVAILABLE, "unavailable", _language(), None, detail=str(exc))
    lifetime, now = session_lifetime(router), utc_now()
    tokens = pool_tokens(signed, now)
    started = adapters_of(router).sessions.start(claims.user_id, claims.email or "", tokens, now, lifetime)
    form_cookie = console_cookie(_FORM_COOKIE, "", path=SIGN_IN_PATH, max_age=0)
    return redirect(target, [session_cookie(started.cookie_value, lifetime), form_cookie])


@routes.get("/console/sign-in")
def get_sign_in(
    next: Annotated[str, Query(max_length=2048, description="The console page to open after signing in")] = "",
) -> Response[str]:
    """The console's sign-in page (a person already signed in goes straight on)."""
    target = safe_next(next)
    if current_session(router, router.current_event.cookies, utc_now()) is not None:
        return redirect(target)
    if not adapters_of(router).pool.configured or not user_tokens().configured:
        return problem_page(HTTPStatus.SERVICE_UNAVAILABLE, "no_user_pool", _language(), None)
    return _form_page(HTTPStatus.OK, target)


@routes.post("/console/sign-in", rate=SIGN_INS, forms=True)
def post_sign_in(form: Annotated[SignInForm, Body(description="The sign-in form's fields")]) -> Response[str]:
    """Sign in with an e-mail address and password: a session, then the page asked for."""
    target = safe_next(form.next)
    if not _form_token_holds(form.csrf):
        return _expired_form(target, form.email)
    email = form.email.strip()
    if not email or not form.password:
        return _form_page(HTTPStatus.UNPROCESSABLE_ENTITY, target, problem=say(_language(), "enter_credentials"))
    if len(email) > _MAX_EMAIL or len(form.password) > _MAX_PASSWORD:
        return _form_page(HTTPStatus.UNAUTHORIZED, target, problem=say(_language(), "wrong_credentials"), email=email)
    try:
        outcome = adapters_of(router).pool.with_password(email, form.password)
    except SignInRefusedError as refused:
        return _form_page(HTTPStatus.UNAUTHORIZED, target, problem=refused.said(_language()), email=email)
    if isinstance(outcome, NewPasswordNeeded):
        return _form_page(HTTPStatus.OK, target, email=email, challenge=outcome.challenge)
    return _signed_in(outcome, target)


@routes.post("/console/sign-in/new-password", rate=SIGN_INS, forms=True)
def post_new_password(
    form: Annotated[NewPasswordForm, Body(description="The new-password form's fields")],
) -> Response[str]:
    """Finish a first sign-in: replace the invitation's temporary password with one's own."""
    target = safe_next(form.next)
    if not _form_token_holds(form.csrf):
        return _expired_form(target, form.email)
    if not form.new_password or len(form.new_password) > _MAX_PASSWORD or not form.challenge:
        problem = say(_language(), "new_password_length")
        return _form_page(
            HTTPStatus.UNPROCESSABLE_ENTITY, target, problem=problem, email=form.email, challenge=form.challenge
        )
    try:
        outcome = adapters_of(router).pool.with_new_password(form.email, form.challenge, form.new_password)
    except PasswordRejectedError as rejected:
        return _form_page(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            target,
            problem=say(_language(), "password_rejected", detail=str(rejected)),
            email=form.email,
            challenge=form.challenge,
        )
    except SignInRefusedError as refused:
        return _form_page(HTTPStatus.UNAUTHORIZED, target, problem=refused.said(_language()), email=form.email)
    return _signed_in(outcome, target)


@routes.post("/console/sign-out", forms=True)
def post_sign_out(form: Annotated[SignOutForm, Body(description="The sign-out form's token")]) -> Response[str]:
    """Sign out: the session ends on the server, not only in this browser."""
    cookies = router.current_event.cookies
    session_value = cookie_value(cookies, SESSION_COOKIE)
    session = current_session(router, cookies, utc_now())
    if session is not None:
        if not tokens_match(form.csrf, session.csrf_token):
            return problem_page(HTTPStatus.FORBIDDEN, "foreign_sign_out", _language(), session)
        adapters_of(router).sessions.end(session_value)
    return redirect(SIGN_IN_PATH, [ended_session_cookie()])
