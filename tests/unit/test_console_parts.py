"""The console's small rules: which language a page is in, where a sign-in may lead, and how the local gateway
carries cookies as HTTP APIs do."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigap.console.api.wiring import cookie_value, safe_next
from sigap.console.pages import preferred_language
from sigap.kernel.language import Language
from sigap_tools.local.http_gateway import Route, build_event, cookies_to_set


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("id-ID,id;q=0.9,en-US;q=0.8", Language.INDONESIAN),
        ("en-GB,en;q=0.9,id;q=0.8", Language.ENGLISH),
        ("en;q=0.5,id;q=0.9", Language.INDONESIAN),
        ("fr-FR,de;q=0.9", Language.ENGLISH),
        ("", Language.ENGLISH),
        (None, Language.ENGLISH),
        ("id;q=abc,en", Language.ENGLISH),
    ],
)
def test_a_page_is_in_indonesian_when_the_browser_ranks_it_above_english(
    header: str | None, language: Language
) -> None:
    assert preferred_language(header) is language


@pytest.mark.parametrize("target", ["/console", "/console/tenants/a/alerts/b", "/console/tenants/a?x=1"])
def test_a_sign_in_returns_to_the_console_page_it_was_asked_for(target: str) -> None:
    assert safe_next(target) == target


@given(st.text(max_size=80))
def test_a_sign_in_never_leads_off_the_consoles_own_pages(target: str) -> None:
    landed = safe_next(target)
    assert landed == "/console" or landed.startswith("/console/")
    assert "//" not in landed
    assert "\\" not in landed
    assert ".." not in landed


def test_a_cookie_is_read_by_its_exact_name() -> None:
    cookies = ["sigap_session_old=a", "sigap_session=b=c", "other=d"]
    assert cookie_value(cookies, "sigap_session") == "b=c"
    assert cookie_value(cookies, "missing") == ""


def test_the_local_gateway_carries_cookies_as_http_apis_do() -> None:
    # Given a browser's Cookie header
    route = Route(method="GET", path="/console", pool=None)  # type: ignore[arg-type]
    event = build_event(route, "GET", "/console", {"cookie": "a=1; b=2", "accept": "text/html"}, b"", "127.0.0.1")
    # Then the function sees each cookie in `cookies` and no Cookie header (payload 2.0)
    assert event["cookies"] == ["a=1", "b=2"]
    assert "cookie" not in event["headers"]
    # And each cookie a function sets becomes its own Set-Cookie header
    assert cookies_to_set({"statusCode": 303, "cookies": ["a=1; Path=/", "b=; Max-Age=0"]}) == [
        "a=1; Path=/",
        "b=; Max-Age=0",
    ]
    assert cookies_to_set({"statusCode": 200}) == []
