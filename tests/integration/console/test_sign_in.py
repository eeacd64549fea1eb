"""The "View alert" link in every alert message opens the alert's console page: a browser without a session is
sent to sign in (with the user pool's own password flow, a first password chosen by an invited person) and then
back to the alert. Sessions are cookies the server can end; forms carry CSRF tokens; a person sees only the
tenants they hold a role on (or their agency's clients); sign-in attempts are limited per address."""

from __future__ import annotations

import html
import os
import re
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sigap.console.sessions import PoolTokens, SessionTable
from sigap.detection.store import AlertsTable
from sigap.kernel.identity import Membership, Role
from sigap.kernel.models import Tenant, TenantKind, utc_now
from sigap.notify.domain.message import LinkMaker
from sigap.tenants.store import TenantStore
from tests.integration.conftest import PASSWORD, AwsStack
from tests.integration.console.harness import Browser, InProcessApi, hidden_fields
from tests.integration.notify_harness import make_alert

BRAND, OTHER, AGENCY, CLIENT = "teh-segar", "kopi-pagi", "agensi-api", "roti-enak"
RINA, DIMAS, STRANGER = "rina@tehsegar.example", "dimas@agensi.example", "eko@kopipagi.example"


@pytest.fixture
def world(aws: AwsStack, api_in_process: InProcessApi) -> dict[str, Any]:
    for tenant_id in (BRAND, OTHER):
        aws.new_tenant(tenant_id)
    aws.new_tenant(AGENCY, TenantKind.AGENCY)
    TenantStore(aws.table("TenantsTable")).create(
        Tenant(tenant_id=CLIENT, display_name="Roti Enak", api_key_hash="0" * 64, created_at=utc_now(), agency=AGENCY)
    )
    aws.new_person(BRAND, RINA, Role.RESPONDER)
    aws.new_person(OTHER, STRANGER, Role.ADMIN)
    aws.new_person(AGENCY, DIMAS, Role.VIEWER)
    alerts = AlertsTable(aws.table("AlertsTable"))
    brand_alert, client_alert = make_alert(1, tenant=BRAND), make_alert(2, tenant=CLIENT)
    for alert in (brand_alert, client_alert):
        alerts.save(alert, 0, None)
    link = LinkMaker(base_url="https://api.sigap.example", ack_token=lambda tenant, alert: "x")
    return {
        "brand_alert": brand_alert,
        "brand_page": urlsplit(link.alert_url(BRAND, brand_alert.alert_id)).path,
        "client_page": urlsplit(link.alert_url(CLIENT, client_alert.alert_id)).path,
    }


def test_the_view_alert_link_leads_through_sign_in_to_the_alert_with_its_evidence(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    browser = Browser(aws, lambda_context)
    # Given the link an alert message carries, opened in a browser that is not signed in
    status, headers, _ = browser.get(world["brand_page"])
    # Then it is sent to sign in, and back to the alert afterwards
    assert status == 303
    assert headers["location"] == f"/console/sign-in?next={world['brand_page']}"
    status, headers, _ = browser.sign_in(RINA, PASSWORD, world["brand_page"])
    assert (status, headers["location"]) == (303, world["brand_page"])
    session_line = next(line for line in browser.set_cookie_lines if line.startswith("sigap_session="))
    for attribute in ("HttpOnly", "Secure", "SameSite=Lax", "Path=/console"):
        assert attribute in session_line
    # And the alert page shows what the message summarised
    status, headers, page = browser.get(world["brand_page"])
    assert status == 200, page
    alert = world["brand_alert"]
    assert "Story spreading" in page
    assert html.escape(alert.subject) in page
    assert "120" in page
    assert "distinct authors of the story" in page
    assert "Nobody has acknowledged this alert yet." in page
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert RINA in page  # who is signed in, beside the sign-out button


def test_an_invited_person_chooses_their_own_password_at_first_sign_in(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    # Given a person invited with a temporary password, and a role on the brand
    email = "budi@tehsegar.example"
    cognito = boto3.client("cognito-idp")
    user = cognito.admin_create_user(
        UserPoolId=aws.user_pool.pool_id,
        Username=email,
        TemporaryPassword="Temporary-passw0rd",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    user_id = next(a["Value"] for a in user["User"]["Attributes"] if a["Name"] == "sub")
    TenantStore(aws.table("TenantsTable")).put_member(
        Membership(tenant_id=BRAND, user_id=user_id, email=email, role=Role.VIEWER, added_at=utc_now(), added_by="t")
    )
    browser = Browser(aws, lambda_context)
    # When they sign in with it, they are asked for their own
    status, _, page = browser.sign_in(email, "Temporary-passw0rd", world["brand_page"])
    assert status == 200
    assert 'name="new_password"' in page
    assert "sigap_session" not in browser.cookies
    status, headers, _ = browser.post(
        "/console/sign-in/new-password", {**hidden_fields(page), "new_password": "Their-own-passw0rd"}
    )
    # Then they are signed in and on the alert
    assert (status, headers["location"]) == (303, world["brand_page"]), headers
    status, _, page = browser.get(world["brand_page"])
    assert status == 200
    assert "Story spreading" in page
    # And the temporary password no longer signs anyone in
    status, _, page = Browser(aws, lambda_context).sign_in(email, "Temporary-passw0rd")
    assert status == 401


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    wrong = Browser(aws, lambda_context).sign_in(RINA, "not-the-password")
    unknown = Browser(aws, lambda_context).sign_in("nobody@nowhere.example", "not-the-password")
    assert wrong[0] == unknown[0] == 401
    assert "the e-mail address or the password is wrong" in wrong[2]
    assert re.sub(r'value="[^"]*"', "", wrong[2]) == re.sub(r'value="[^"]*"', "", unknown[2])


def test_a_sign_in_form_without_this_browsers_token_signs_nobody_in(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    # Given a form posted by another site (it cannot read this browser's form cookie)
    browser = Browser(aws, lambda_context)
    status, _, page = browser.post("/console/sign-in", {"email": RINA, "password": PASSWORD, "csrf": "forged"})
    # Then nobody is signed in
    assert status == 403
    assert "this form has expired" in page
    assert "sigap_session" not in browser.cookies


def test_a_person_sees_only_tenants_they_hold_a_role_on_and_an_agencys_clients(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    # Given a person of another brand, signed in
    stranger = Browser(aws, lambda_context)
    assert stranger.sign_in(STRANGER, PASSWORD)[0] == 303
    # When they open the brand's alert, they are refused and see nothing of it
    status, _, page = stranger.get(world["brand_page"])
    assert status == 403
    assert "you have no role on the tenant" in page
    assert "Story spreading" not in page
    # And an agency's person reaches its client's alert, not the brand's
    agency = Browser(aws, lambda_context)
    assert agency.sign_in(DIMAS, PASSWORD)[0] == 303
    assert agency.get(world["client_page"])[0] == 200
    assert agency.get(world["brand_page"])[0] == 403
    # And the home page lists each person's tenants and an agency's clients
    status, _, page = agency.get("/console")
    assert status == 200
    assert AGENCY in page
    assert CLIENT in page
    assert BRAND not in page


def test_an_unknown_or_malformed_alert_is_a_404_page(aws: AwsStack, lambda_context: Any, world: dict[str, Any]) -> None:
    browser = Browser(aws, lambda_context)
    browser.sign_in(RINA, PASSWORD)
    assert browser.get(f"/console/tenants/{BRAND}/alerts/20260101T0000-0123456789abcdef0123")[0] == 404
    assert browser.get(f"/console/tenants/{BRAND}/alerts/{'x' * 2000}")[0] == 404


def test_a_person_reading_in_indonesian_is_told_what_went_wrong_in_indonesian(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    # Given a browser that prefers Bahasa Indonesia
    browser = Browser(aws, lambda_context, language="id-ID,id;q=0.9,en;q=0.5")
    # When its password is wrong, then its form is one from another site
    status, _, wrong = browser.sign_in(RINA, "bukan-kata-sandinya")
    assert (status, "Alamat e-mail atau kata sandinya salah." in wrong) == (401, True)
    status, _, forged = browser.post("/console/sign-in", {"email": RINA, "password": PASSWORD, "csrf": "palsu"})
    assert (status, "Formulir ini sudah kedaluwarsa" in forged) == (403, True)
    # When, signed in, it opens an alert that does not exist
    browser.sign_in(RINA, PASSWORD)
    status, _, missing = browser.get(f"/console/tenants/{BRAND}/alerts/20260101T0000-0123456789abcdef0123")
    # Then the page says so in Indonesian, with no English sentence of the console's own
    assert status == 404
    assert "Peringatan ini tidak ada." in missing
    assert "no such" not in missing


def test_signing_out_ends_the_session_on_the_server_and_needs_the_sessions_token(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    browser = Browser(aws, lambda_context)
    browser.sign_in(RINA, PASSWORD)
    stolen = dict(browser.cookies)
    status, _, page = browser.get("/console")
    # Given a sign-out posted without the session's token (another site's form), nothing happens
    assert browser.post("/console/sign-out", {"csrf": "forged"})[0] == 403
    assert browser.get(world["brand_page"])[0] == 200
    # When the person signs out with the button
    status, headers, _ = browser.post("/console/sign-out", hidden_fields(page))
    assert (status, headers["location"]) == (303, "/console/sign-in")
    # Then the cookie's value opens nothing any more, even replayed
    replay = Browser(aws, lambda_context)
    replay.cookies = stolen
    assert replay.get(world["brand_page"])[0] == 303


def test_an_expired_session_asks_to_sign_in_again(aws: AwsStack, lambda_context: Any, world: dict[str, Any]) -> None:
    browser = Browser(aws, lambda_context)
    tokens = PoolTokens(id_token="x", refresh_token="y", id_token_expires_at=utc_now())
    started = SessionTable(aws.table("SessionsTable")).start(
        "someone", RINA, tokens, utc_now() - timedelta(hours=9), timedelta(hours=8)
    )
    browser.cookies = {"sigap_session": started.cookie_value}
    status, headers, _ = browser.get(world["brand_page"])
    assert status == 303
    assert headers["location"].startswith("/console/sign-in?next=")


def test_a_session_whose_sign_in_token_is_about_to_expire_is_renewed_with_the_pools_refresh_token(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    # Given a signed-in person whose ID token is said to expire in a minute
    browser = Browser(aws, lambda_context)
    browser.sign_in(RINA, PASSWORD)
    sessions = SessionTable(aws.table("SessionsTable"))
    cookie = browser.cookies["sigap_session"]
    session = sessions.find(cookie, utc_now())
    assert session is not None
    soon = session.tokens.model_copy(update={"id_token_expires_at": utc_now() + timedelta(minutes=1)})
    sessions.renew(cookie, session, soon)
    # When they open a page, it works, and the session holds a token good for longer
    assert browser.get(world["brand_page"])[0] == 200
    renewed = sessions.find(cookie, utc_now())
    assert renewed is not None
    assert renewed.tokens.id_token_expires_at > utc_now() + timedelta(minutes=30)
    assert renewed.expires_at == session.expires_at


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/console/../v1/tenants", "/v1/ack/x", "/console\\@evil"]
)
def test_after_sign_in_only_this_sites_console_pages_are_followed(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any], target: str
) -> None:
    status, headers, _ = Browser(aws, lambda_context).sign_in(RINA, PASSWORD, target)
    assert (status, headers["location"]) == (303, "/console")


def test_sign_in_attempts_are_limited_per_address(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any], one_rate_window: None
) -> None:
    browser = Browser(aws, lambda_context, address="198.51.100.7")
    statuses = [browser.sign_in(RINA, "guess")[0] for _ in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    # And another address is not held back by this one
    assert Browser(aws, lambda_context, address="198.51.100.8").sign_in(RINA, PASSWORD)[0] == 303


CONSOLE_FUZZ = settings(
    max_examples=int(os.environ.get("SIGAP_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
form_fields = st.dictionaries(
    st.sampled_from(["email", "password", "csrf", "next", "challenge", "new_password", "other"]),
    st.text(max_size=400) | st.sampled_from([RINA, PASSWORD, "/console", "//evil.example"]),
    max_size=6,
)
path_parts = st.text(st.characters(blacklist_characters="/?#", blacklist_categories=["Cs"]), min_size=1, max_size=60)


@pytest.fixture
def fuzz_browser(aws: AwsStack, lambda_context: Any, world: dict[str, Any]) -> Browser:
    browser = Browser(aws, lambda_context)
    assert browser.sign_in(RINA, PASSWORD)[0] == 303
    return browser


@CONSOLE_FUZZ
@given(
    route=st.sampled_from(["/console/sign-in", "/console/sign-in/new-password", "/console/sign-out"]),
    form=form_fields,
    signed_in=st.booleans(),
    address=st.ip_addresses(v=4).map(str),
)
def test_posting_anything_to_the_consoles_forms_never_gets_a_5xx(
    fuzz_browser: Browser, route: str, form: dict[str, str], signed_in: bool, address: str
) -> None:
    session = dict(fuzz_browser.cookies)
    fuzz_browser.address = address  # a fresh address: the sign-in limit is not what is being tried
    if not signed_in:
        fuzz_browser.cookies = {}
    status, _, page = fuzz_browser.post(route, form)
    assert status < 500, page
    assert status in (200, 303, 401, 403, 422, 429), (status, page)
    fuzz_browser.cookies = session


@CONSOLE_FUZZ
@given(tenant=path_parts, alert_id=path_parts, next_page=st.text(max_size=200), signed_in=st.booleans())
def test_opening_any_console_address_never_gets_a_5xx(
    fuzz_browser: Browser, tenant: str, alert_id: str, next_page: str, signed_in: bool
) -> None:
    session = dict(fuzz_browser.cookies)
    if not signed_in:
        fuzz_browser.cookies = {}
    for target in (
        f"/console/tenants/{quote(tenant, safe='')}/alerts/{quote(alert_id, safe='')}",
        f"/console/sign-in?{urlencode({'next': next_page})}",
    ):
        status, headers, page = fuzz_browser.get(target)
        assert status in (200, 303, 403, 404), (target, status, page)
        if status == 303:
            assert headers["location"].startswith("/console")
    fuzz_browser.cookies = session
