"""The console's pages as people use them, in process (the console function, and the API it calls as the signed
-in person answered by the API's own functions): Now shows the day against the usual; the inbox acknowledges;
a viewer sees no buttons and the API refuses one forced; a statement goes from a template through the tone check
to a second person's approval and publication; an admin invites, makes a key shown once, and is told which
setting the API refused; an agency sees its clients worst first. Every form needs the session's CSRF token."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest

from sigap.detection.domain.baseline import HOUR, HourRecord, hour_key
from sigap.detection.store import AlertsTable
from sigap.incidents.store import IncidentsTable
from sigap.kernel.identity import Role
from sigap.kernel.models import Tenant, TenantKind, utc_now
from sigap.tenants.store import TenantStore
from tests.integration.conftest import PASSWORD, AwsStack
from tests.integration.console.harness import Browser, InProcessApi, hidden_fields
from tests.integration.notify_harness import make_alert
from tests.unit.publishing_fakes import VARIABLES, incident

BRAND, AGENCY = "teh-segar", "agensi-api"
RINA, BUDI, VERA = "rina@teh-segar.example", "budi@teh-segar.example", "vera@teh-segar.example"
BASE = f"/console/tenants/{BRAND}"


@pytest.fixture
def world(aws: AwsStack, api_in_process: InProcessApi) -> dict[str, Any]:
    aws.new_tenant(BRAND)
    for email, role in ((RINA, Role.RESPONDER), (BUDI, Role.APPROVER), (VERA, Role.VIEWER)):
        aws.new_person(BRAND, email, role)
    alerts = AlertsTable(aws.table("AlertsTable"))
    now = utc_now().replace(second=0, microsecond=0)
    alert = make_alert(1, tenant=BRAND, fired_at=now - timedelta(minutes=20))
    alerts.save(alert, 0, None)
    # Eight days of hours: 10 mentions an hour, and today's last hours 60 (a fire)
    last = now.replace(minute=0) - HOUR
    records = [
        HourRecord(hour=hour_key(last - HOUR * step), total=60 if step < 3 else 10, negative=40 if step < 3 else 2)
        for step in range(24 * 8)
    ]
    alerts.put_hours(BRAND, records)
    opened = incident(tenant_id=BRAND, opened_at=now, first_mention_at=now, detected_at=now)
    IncidentsTable(aws.table("NotificationsTable")).save_incident(opened, 0, [])
    return {"alert": alert, "incident_id": opened.incident_id}


def signed_in(aws: AwsStack, context: Any, email: str) -> Browser:
    browser = Browser(aws, context)
    status, _headers, page = browser.sign_in(email, PASSWORD)
    assert status == 303, page
    return browser


def test_now_shows_the_last_day_against_the_usual_with_the_open_alert(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    status, headers, page = signed_in(aws, lambda_context, VERA).get(BASE)
    assert status == 200, page
    assert page.count("<rect x=") == 2 * 24  # 23 completed hours and the hour under way, each total and negative
    assert "<polyline points=" in page  # the usual, from the days before
    assert world["alert"].summary in page
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "<script" not in page  # Now needs no script


def test_acknowledging_from_the_inbox_records_who_and_a_reload_repeats_nothing(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any], api_in_process: InProcessApi
) -> None:
    rina = signed_in(aws, lambda_context, RINA)
    status, _, inbox = rina.get(f"{BASE}/alerts")
    assert status == 200
    alert_id = world["alert"].alert_id
    status, headers, _ = rina.submit(inbox, f"{BASE}/alerts/{alert_id}/acknowledge")
    assert status == 303
    assert headers["location"] == f"{BASE}/alerts?done=acknowledged"
    status, _, page = rina.get(headers["location"])
    assert "Acknowledged: escalations for it stop." in page
    assert f"Acknowledged by {RINA}" in page
    acknowledgements = [call for call in api_in_process.calls if call[1].endswith("/acknowledgement")]
    assert acknowledgements == [("POST", f"/v1/tenants/{BRAND}/alerts/{alert_id}/acknowledgement", 200)]


def test_a_responder_joins_an_alert_to_an_open_incident_and_the_timeline_names_who(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    rina = signed_in(aws, lambda_context, RINA)
    alert_id = world["alert"].alert_id
    _, _, page = rina.get(f"{BASE}/alerts/{alert_id}")
    assert world["incident_id"] in page  # offered as an open incident to join
    status, headers, _ = rina.submit(page, f"{BASE}/alerts/{alert_id}/join")
    assert status == 303
    assert headers["location"] == f"{BASE}/incidents/{world['incident_id']}?done=joined"
    _, _, incident_page = rina.get(headers["location"])
    assert f"Joined by {RINA}" in incident_page
    # Joining it again records nothing more
    rina.submit(page, f"{BASE}/alerts/{alert_id}/join")
    _, _, again = rina.get(f"{BASE}/incidents/{world['incident_id']}")
    assert again.count(f"Joined by {RINA}") == 1
    # And an incident id that is not one is a 404 page, the API never asked
    assert (
        rina.post(f"{BASE}/alerts/{alert_id}/join", {"csrf": hidden_fields(page)["csrf"], "incident_id": "x"})[0] == 404
    )


def test_a_viewer_sees_no_buttons_and_the_api_refuses_an_action_forced_by_hand(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    vera = signed_in(aws, lambda_context, VERA)
    alert_id = world["alert"].alert_id
    _, _, page = vera.get(f"{BASE}/alerts/{alert_id}")
    assert "/acknowledge" not in page
    assert "/settings" not in page
    status, _, refused = vera.post(f"{BASE}/alerts/{alert_id}/acknowledge", hidden_fields(page))
    assert status == 403
    assert "respond" in refused


def test_every_action_needs_the_sessions_csrf_token(aws: AwsStack, lambda_context: Any, world: dict[str, Any]) -> None:
    rina = signed_in(aws, lambda_context, RINA)
    alert_id = world["alert"].alert_id
    status, _, page = rina.post(f"{BASE}/alerts/{alert_id}/acknowledge", {"csrf": "from-another-site"})
    assert status == 403
    assert "did not come from the console" in page
    _, _, alert_page = rina.get(f"{BASE}/alerts/{alert_id}")
    assert "Nobody has acknowledged this alert yet." in alert_page


ROUGH = "Berita itu HOAX!!! Kami tidak bersalah dan akan menuntut penyebarnya."
CALM = (
    "Sejak pagi beredar pesan bahwa Teh Segar botol beracun. Uji laboratorium BPOM tidak menemukan zat berbahaya: "
    "https://tehsegar.example/hasil-uji. Kami akan menyampaikan pembaruan berikutnya pukul 18.00 WIB hari ini. "
    "Pertanyaan: 0800-1-234567."
)


def test_a_statement_goes_from_a_template_through_the_tone_check_to_a_second_persons_approval_and_publication(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    rina, budi = signed_in(aws, lambda_context, RINA), signed_in(aws, lambda_context, BUDI)
    # Given Rina starts from the incident's page and the crisis template
    incident_page = f"{BASE}/incidents/{world['incident_id']}"
    status, _, page = rina.get(incident_page)
    assert status == 200, page
    status, _, form = rina.get(f"{BASE}/statements/new?incident={world['incident_id']}&template=crisis")
    assert status == 200, form
    variables = {f"var_{name}": value for name, value in VARIABLES.items()}
    status, headers, _ = rina.submit(form, f"{BASE}/statements", **variables)
    assert status == 303, headers
    statement_page = headers["location"]
    statement_id = statement_page.rsplit("/", 1)[1]
    # When she types a rushed text, the check shows its findings before she saves
    _, _, editor = rina.get(statement_page)
    status, _, findings = rina.post(
        f"{BASE}/statements/check", {"csrf": hidden_fields(editor)["csrf"], "lang": "id", "id_body": ROUGH}
    )
    assert status == 200
    assert 'class="finding' in findings
    # And once the calm text is saved, the saved version has no blocking finding
    status, headers, answer = rina.submit(editor, f"{BASE}/statements/{statement_id}/edit", id_body=CALM)
    assert headers.get("location", "").endswith("done=saved"), answer
    _, _, saved = rina.get(statement_page)
    assert "finding block" not in saved
    assert "Uji laboratorium BPOM" in saved  # the preview
    # Then she submits; she cannot approve her own; Budi approves and publishes
    rina.submit(saved, f"{BASE}/statements/{statement_id}/step")
    _, _, in_review = rina.get(statement_page)
    assert 'value="approve"' not in in_review
    _, _, for_budi = budi.get(statement_page)
    status, headers, _ = budi.post(
        f"{BASE}/statements/{statement_id}/step", {"csrf": hidden_fields(for_budi)["csrf"], "step": "approve"}
    )
    assert headers.get("location", "").endswith("done=approved"), headers
    _, _, approved = budi.get(statement_page)
    status, headers, _ = budi.post(
        f"{BASE}/statements/{statement_id}/step", {"csrf": hidden_fields(approved)["csrf"], "step": "publish"}
    )
    assert headers.get("location", "").endswith("done=published"), headers
    _, _, published = rina.get(statement_page)
    assert re.search(r'<span class="badge">published</span>', published)
    assert re.search(rf'href="[^"]*/{BRAND}/"', published)  # the status page


def test_an_admin_invites_makes_a_key_shown_once_and_is_told_which_setting_was_refused(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    aws.new_person(BRAND, "admin@teh-segar.example", Role.ADMIN)
    admin = signed_in(aws, lambda_context, "admin@teh-segar.example")
    status, _, page = admin.get(f"{BASE}/settings")
    assert status == 200, page
    status, headers, _ = admin.post(
        f"{BASE}/settings/people",
        {"csrf": hidden_fields(page)["csrf"], "action": "invite", "email": "new@teh-segar.example", "role": "viewer"},
    )
    assert headers.get("location", "").endswith("done=invited"), headers
    status, _, with_key = admin.post(
        f"{BASE}/settings/keys", {"csrf": hidden_fields(page)["csrf"], "name": "crm", "scope": "ingest"}
    )
    assert status == 200
    assert re.search(rf"<code>sgp_{BRAND}_[^<]+</code>", with_key)
    _, _, again = admin.get(f"{BASE}/settings")
    assert "<code>sgp_" not in again  # shown once
    assert "new@teh-segar.example" in again
    status, _, refused = admin.post(
        f"{BASE}/settings/json",
        {"csrf": hidden_fields(page)["csrf"], "name": "detection-settings", "document": '{"sensitivity": "loud"}'},
    )
    assert status == 422
    assert "detection-settings" in refused
    assert "sensitivity" in refused


def test_an_admin_adds_a_channel_and_a_source_whose_secret_is_shown_once(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    aws.new_person(BRAND, "admin@teh-segar.example", Role.ADMIN)
    admin = signed_in(aws, lambda_context, "admin@teh-segar.example")
    _, _, page = admin.get(f"{BASE}/settings")
    csrf = hidden_fields(page)["csrf"]
    channel = '{"name": "crisis mail", "settings": {"type": "email", "to": ["crisis@teh-segar.example"]}}'
    status, _, added = admin.post(f"{BASE}/settings/add", {"csrf": csrf, "what": "channels", "document": channel})
    assert status == 200, added
    assert "crisis mail" in added
    source = '{"name": "listening-tool", "kind": "webhook", "preset": "sprinklr"}'
    status, _, added = admin.post(f"{BASE}/settings/add", {"csrf": csrf, "what": "sources", "document": source})
    assert status == 200, added
    assert re.search(r"<code>[^<]{16,}</code>", added)  # the source's signing secret, once
    status, _, refused = admin.post(
        f"{BASE}/settings/add", {"csrf": csrf, "what": "sources", "document": '{"name": "Not A Slug"}'}
    )
    assert status == 422
    assert "name" in refused


def test_an_agency_sees_its_clients_worst_first_and_opens_one(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    aws.new_tenant(AGENCY, TenantKind.AGENCY)
    tenants = TenantStore(aws.table("TenantsTable"))
    for client in ("roti-enak", "kopi-pagi"):
        tenants.create(
            Tenant(tenant_id=client, display_name=client, api_key_hash="0" * 64, created_at=utc_now(), agency=AGENCY)
        )
    AlertsTable(aws.table("AlertsTable")).save(make_alert(3, tenant="kopi-pagi"), 0, None)
    aws.new_person(AGENCY, "dimas@agensi.example", Role.VIEWER)
    dimas = signed_in(aws, lambda_context, "dimas@agensi.example")
    status, _, page = dimas.get(f"/console/tenants/{AGENCY}/clients")
    assert status == 200, page
    assert page.index("/console/tenants/kopi-pagi") < page.index("/console/tenants/roti-enak")
    status, _, client_page = dimas.get("/console/tenants/kopi-pagi")
    assert status == 200
    assert f'href="/console/tenants/{AGENCY}/clients"' in client_page  # back to every client
    assert dimas.get(BASE)[0] == 403


def test_a_person_chooses_the_consoles_language_and_it_stays_chosen(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    vera = signed_in(aws, lambda_context, VERA)
    _, _, page = vera.get(f"{BASE}/alerts")
    assert "Alerts" in page
    switch = re.search(r'href="(/console/language/id\?next=[^"]+)"', page)
    assert switch
    status, headers, _ = vera.get(html.unescape(switch.group(1)))
    assert (status, headers["location"]) == (303, f"{BASE}/alerts")
    _, _, page = vera.get(f"{BASE}/alerts")
    assert '<html lang="id">' in page
    assert "Peringatan" in page
    assert vera.get("/console/language/fr?next=/console")[0] == 404
    status, headers, _ = vera.get("/console/language/en?next=//evil.example")
    assert headers["location"] == "/console"


def test_a_story_page_opens_and_a_malformed_story_is_a_404(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any]
) -> None:
    vera = signed_in(aws, lambda_context, VERA)
    status, _, page = vera.get(f"{BASE}/stories/s-0123456789ab")
    assert status == 200, page
    assert "No mentions match." in page
    assert vera.get(f"{BASE}/stories/not-a-story")[0] == 404


def test_when_the_api_does_not_answer_the_page_says_retry_with_a_503_never_a_500(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sigap.console.api_client import ApiClient, ApiUnavailableError

    vera = signed_in(aws, lambda_context, VERA)

    def unreachable(*_: object, **__: object) -> None:
        raise ApiUnavailableError("the API did not answer: timed out")

    monkeypatch.setattr(ApiClient, "call", unreachable)
    status, headers, page = vera.get(BASE)
    assert status == 503
    assert headers["retry-after"] == "5"
    assert "retry in a moment" in page


@pytest.mark.parametrize("failing", ["rollup", "me"])
@pytest.mark.parametrize(("api_status", "page_status"), [(403, 403), (404, 404), (500, 502)])
def test_an_agencys_clients_page_answers_the_apis_refusal_and_502_for_the_apis_own_failure(
    aws: AwsStack,
    lambda_context: Any,
    world: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    api_status: int,
    page_status: int,
    failing: str,
) -> None:
    from sigap.console.api_client import ApiAnswer, ApiClient

    # Given an agency's person, and an API whose `failing` route answers `api_status`
    aws.new_tenant(AGENCY, TenantKind.AGENCY)
    aws.new_person(AGENCY, "dimas@agensi.example", Role.VIEWER)
    dimas = signed_in(aws, lambda_context, "dimas@agensi.example")
    answer = ApiAnswer(api_status, {"error": {"message": f"{failing} could not be read"}})
    call = ApiClient.call

    def failing_route(client: ApiClient, method: str, path: str, **kwargs: Any) -> ApiAnswer:
        return answer if path.endswith(f"/{failing}") else call(client, method, path, **kwargs)

    monkeypatch.setattr(ApiClient, "call", failing_route)
    # When the person opens the clients page
    status, _, page = dimas.get(f"/console/tenants/{AGENCY}/clients")
    # Then a refusal keeps the API's status, and the API's own failure is the console's 502 (as after an action),
    # never a 403 that would tell the person they have no access; with the API's words either way
    assert status == page_status
    assert f"{failing} could not be read" in page


@pytest.mark.parametrize("page", ["incidents", "alerts"])
def test_a_made_up_cursor_in_a_pages_address_is_a_400_naming_it_never_a_5xx(
    aws: AwsStack, lambda_context: Any, world: dict[str, Any], page: str
) -> None:
    # Given a person on a paged list
    vera = signed_in(aws, lambda_context, VERA)
    # When they (or a fuzzer) open it with a cursor the API never gave
    status, _, body = vera.get(f"{BASE}/{page}?cursor=not-a-cursor")
    # Then the page answers the API's 400, with its words, not a 502 blaming the API
    assert status == 400, body
    assert "cursor" in body
