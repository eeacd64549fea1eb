"""People act as themselves and keys within their scope, checked by the API: two people, one approves the other's
statement; a viewer is refused; an ingest key ingests but cannot read or approve; a body cannot say who acts; keys
rotate with an overlap and stop when revoked; an agency creates, lists, suspends, resumes, rolls up and deletes
its clients, and its people and keys reach them while nobody else's do."""

from __future__ import annotations

from typing import Any

import pytest

from sigap.kernel.identity import Role
from sigap.kernel.models import TenantKind, utc_now
from sigap_tools.local.template import Template
from tests.conftest import TEMPLATE_PATH
from tests.integration.conftest import AwsStack
from tests.integration.gateway_client import Gateway
from tests.unit.publishing_fakes import incident

BRAND = "teh-segar"
T = "/v1/tenants/{tenant}"
MENTION = {"id": "m-1", "source": "test", "text": "Teh Segar enak", "created_at": "2026-12-01T10:00:00+07:00"}


@pytest.fixture
def template() -> Template:
    """An agency stack (StackMode=multi): it may hold clients."""
    return Template.load(TEMPLATE_PATH, {"StackMode": "multi"})


@pytest.fixture
def api(aws: AwsStack, lambda_context: Any) -> Gateway:
    return Gateway(aws, lambda_context)


@pytest.fixture
def brand(aws: AwsStack) -> dict[str, str]:
    _, root = aws.new_tenant(BRAND)
    return {
        "root": root,
        "rina": aws.new_person(BRAND, "rina@tehsegar.example", Role.ADMIN),
        "budi": aws.new_person(BRAND, "budi@tehsegar.example", Role.APPROVER),
        "vera": aws.new_person(BRAND, "vera@tehsegar.example", Role.VIEWER),
    }


def _key(api: Gateway, token: str, scope: str, name: str, tenant: str = BRAND) -> str:
    status, answer = api.call("POST", f"{T}/keys", token, body={"name": name, "scope": scope}, tenant=tenant)
    assert status == 201, answer
    return str(answer["api_key"])


def _incident_id(aws: AwsStack) -> str:
    from sigap.incidents.store import IncidentsTable

    opened = incident(tenant_id=BRAND)
    IncidentsTable(aws.table("NotificationsTable")).save_incident(opened, 0, [])
    return opened.incident_id


def test_a_person_is_who_their_token_says_with_the_role_they_hold(api: Gateway, brand: dict[str, str]) -> None:
    status, me = api.call("GET", f"{T}/me", brand["budi"], tenant=BRAND)
    assert status == 200
    assert (me["kind"], me["name"], me["role"]) == ("user", "budi@tehsegar.example", "approver")
    assert "approve" in me["permissions"]
    status, me = api.call("GET", f"{T}/me", brand["root"], tenant=BRAND)
    assert (me["kind"], me["scope"], "approve" in me["permissions"]) == ("key", "admin", False)


def test_two_people_one_approves_the_others_statement_and_the_audit_names_both(
    aws: AwsStack, api: Gateway, brand: dict[str, str]
) -> None:
    # Given rina (admin) drafts and submits a statement
    incident_id = _incident_id(aws)
    content = {"first": "en", "en": {"title": "Update on our tea", "body": _GOOD_BODY}}
    status, drafted = api.call(
        "POST", f"{T}/statements", brand["rina"], body={"incident_id": incident_id, "content": content}, tenant=BRAND
    )
    assert status == 201, drafted
    statement_id = drafted["statement"]["statement_id"]
    status, _ = api.call(
        "POST",
        f"{T}/statements/{{statement_id}}/submit",
        brand["rina"],
        body={},
        tenant=BRAND,
        statement_id=statement_id,
    )
    assert status == 200
    review = f"{T}/statements/{{statement_id}}/reviews"
    # When she tries to approve her own statement, then she is refused
    status, refused = api.call(
        "POST", review, brand["rina"], body={"approve": True}, tenant=BRAND, statement_id=statement_id
    )
    assert status == 403, refused
    # and no key, not even the root admin key, can approve
    status, refused = api.call(
        "POST", review, brand["root"], body={"approve": True}, tenant=BRAND, statement_id=statement_id
    )
    assert status == 403
    assert "person" in refused["error"]["message"]
    # and a viewer cannot either
    status, _ = api.call("POST", review, brand["vera"], body={"approve": True}, tenant=BRAND, statement_id=statement_id)
    assert status == 403
    # When budi (approver) approves, then it is approved, and the audit names each person from their token
    status, approved = api.call(
        "POST", review, brand["budi"], body={"approve": True}, tenant=BRAND, statement_id=statement_id
    )
    assert status == 200, approved
    assert approved["statement"]["state"] == "approved"
    actors = {(entry["action"], entry["actor"]) for entry in approved["audit"]}
    assert ("created", "rina@tehsegar.example") in actors
    assert ("approved", "budi@tehsegar.example") in actors


def test_a_body_that_names_who_acts_is_refused_naming_the_field(
    aws: AwsStack, api: Gateway, brand: dict[str, str]
) -> None:
    body = {"incident_id": _incident_id(aws), "by": "the-ceo", "content": {"en": {"title": "x", "body": "y"}}}
    status, answer = api.call("POST", f"{T}/statements", brand["rina"], body=body, tenant=BRAND)
    assert status == 422
    assert answer["error"]["fields"][0]["field"] == "by"


def test_a_viewer_reads_but_cannot_change_anything(api: Gateway, brand: dict[str, str]) -> None:
    assert api.call("GET", f"{T}/alerts", brand["vera"], tenant=BRAND)[0] == 200
    status, answer = api.call(
        "POST", f"{T}/silences", brand["vera"], body={"matchers": {}, "minutes": 30}, tenant=BRAND
    )
    assert status == 403
    assert "'respond' permission" in answer["error"]["message"]
    assert api.call("PUT", f"{T}/publishing", brand["vera"], body={}, tenant=BRAND)[0] == 403
    assert api.call("POST", f"{T}/keys", brand["vera"], body={"name": "x", "scope": "read"}, tenant=BRAND)[0] == 403


def test_an_ingest_key_ingests_but_cannot_read_change_or_approve(api: Gateway, brand: dict[str, str]) -> None:
    ingest = _key(api, brand["rina"], "ingest", "listening-tool")
    assert api.call("POST", f"{T}/mentions", ingest, body=MENTION, tenant=BRAND)[0] == 202
    assert api.call("GET", f"{T}/mentions", ingest, tenant=BRAND)[0] == 403
    assert api.call("PUT", f"{T}/publishing", ingest, body={}, tenant=BRAND)[0] == 403
    assert api.call("GET", f"{T}/me", ingest, tenant=BRAND)[0] == 403
    read = _key(api, brand["rina"], "read", "dashboard")
    assert api.call("GET", f"{T}/mentions", read, tenant=BRAND)[0] == 200
    assert api.call("POST", f"{T}/mentions", read, body=MENTION, tenant=BRAND)[0] == 403


def test_keys_are_listed_without_secrets_rotate_with_an_overlap_and_stop_when_revoked(
    api: Gateway, brand: dict[str, str]
) -> None:
    old = _key(api, brand["rina"], "read", "crm")
    status, listed = api.call("GET", f"{T}/keys", brand["rina"], tenant=BRAND)
    assert status == 200
    assert [(k["name"], k["scope"], k["created_by"]) for k in listed["items"]] == [
        ("crm", "read", "rina@tehsegar.example")
    ]
    assert old not in str(listed)
    key_id = listed["items"][0]["key_id"]
    # A key's name is unique among live keys
    status, _ = api.call("POST", f"{T}/keys", brand["rina"], body={"name": "crm", "scope": "read"}, tenant=BRAND)
    assert status == 409
    # Rotating with an overlap: both work
    status, rotated = api.call(
        "POST", f"{T}/keys/{{key_id}}/rotate", brand["rina"], body={"overlap_minutes": 30}, tenant=BRAND, key_id=key_id
    )
    assert status == 200, rotated
    new = rotated["api_key"]
    assert api.call("GET", f"{T}/summary", old, tenant=BRAND)[0] == 200
    assert api.call("GET", f"{T}/summary", new, tenant=BRAND)[0] == 200
    # Revoking the old one: it stops at once, the new one goes on
    status, revoked = api.call("DELETE", f"{T}/keys/{{key_id}}", brand["rina"], tenant=BRAND, key_id=key_id)
    assert status == 200
    assert revoked["active"] is False
    status, answer = api.call("GET", f"{T}/summary", old, tenant=BRAND)
    assert status == 401
    assert "revoked" in answer["error"]["message"]
    assert api.call("GET", f"{T}/summary", new, tenant=BRAND)[0] == 200
    # and a used key shows when it was last used
    listed = api.call("GET", f"{T}/keys", brand["rina"], tenant=BRAND)[1]
    assert all(item["last_used_at"] for item in listed["items"])


def test_approvals_cannot_be_required_beyond_the_people_who_may_give_them(api: Gateway, brand: dict[str, str]) -> None:
    # rina (admin) and budi (approver) may approve: two people
    status, answer = api.call("PUT", f"{T}/publishing", brand["rina"], body={"required_approvals": 3}, tenant=BRAND)
    assert status == 422
    assert answer["error"]["fields"][0]["field"] == "required_approvals"
    status, answer = api.call(
        "PUT", f"{T}/publishing", brand["rina"], body={"approvers": ["stranger@example.org"]}, tenant=BRAND
    )
    assert status == 422
    assert answer["error"]["fields"][0]["field"] == "approvers[0]"
    status, saved = api.call(
        "PUT",
        f"{T}/publishing",
        brand["rina"],
        body={"approvers": ["budi@tehsegar.example"], "staff_emails": ["ops@tehsegar.example"]},
        tenant=BRAND,
    )
    assert status == 200, saved
    # An empty body changes nothing (it used to clear approvers, staff and channels)
    status, kept = api.call("PUT", f"{T}/publishing", brand["rina"], body={}, tenant=BRAND)
    assert status == 200
    assert (kept["approvers"], kept["staff_emails"]) == (["budi@tehsegar.example"], ["ops@tehsegar.example"])


def test_people_are_invited_their_roles_changed_and_the_last_admin_kept(api: Gateway, brand: dict[str, str]) -> None:
    status, added = api.call(
        "POST", f"{T}/users", brand["rina"], body={"email": "Dewi@TehSegar.example", "role": "responder"}, tenant=BRAND
    )
    assert status == 201, added
    assert (added["email"], added["role"]) == ("dewi@tehsegar.example", "responder")
    status, _ = api.call(
        "POST", f"{T}/users", brand["rina"], body={"email": "dewi@tehsegar.example", "role": "viewer"}, tenant=BRAND
    )
    assert status == 409
    people = api.call("GET", f"{T}/users", brand["vera"], tenant=BRAND)[1]["items"]
    assert [person["email"] for person in people] == [
        "budi@tehsegar.example",
        "dewi@tehsegar.example",
        "rina@tehsegar.example",
        "vera@tehsegar.example",
    ]
    rina = next(person for person in people if person["email"].startswith("rina"))
    user = f"{T}/users/{{user_id}}"
    status, answer = api.call("DELETE", user, brand["rina"], tenant=BRAND, user_id=rina["user_id"])
    assert status == 403
    assert "last admin" in answer["error"]["message"]
    status, _ = api.call("PATCH", user, brand["rina"], body={"role": "viewer"}, tenant=BRAND, user_id=rina["user_id"])
    assert status == 403
    dewi = next(person for person in people if person["email"].startswith("dewi"))
    status, changed = api.call(
        "PATCH", user, brand["rina"], body={"role": "admin"}, tenant=BRAND, user_id=dewi["user_id"]
    )
    assert (status, changed["role"]) == (200, "admin")
    assert api.call("DELETE", user, brand["rina"], tenant=BRAND, user_id=rina["user_id"])[0] == 200
    # rina's token no longer reaches the tenant
    assert api.call("GET", f"{T}/me", brand["rina"], tenant=BRAND)[0] == 403


def test_tokens_that_cannot_be_trusted_are_401(api: Gateway, brand: dict[str, str]) -> None:
    forged = brand["budi"][:-8] + ("A" * 8 if not brand["budi"].endswith("A" * 8) else "B" * 8)
    for token in (forged, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "not-a-key", "sgp_teh-segar_abc.def"):
        status, answer = api.call("GET", f"{T}/alerts", token, tenant=BRAND)
        assert status == 401, (token, answer)


def test_an_agency_manages_its_clients_and_its_people_and_keys_reach_only_them(
    aws: AwsStack, api: Gateway, brand: dict[str, str]
) -> None:
    # Given an agency with an admin, and a brand it does not manage
    aws.new_tenant("agensi-kita", TenantKind.AGENCY)
    sari = aws.new_person("agensi-kita", "sari@agensi.example", Role.ADMIN)
    clients = "/v1/tenants/{tenant}/clients"
    # When it creates two clients
    for client_id, name in (("kopi-senja", "Kopi Senja"), ("mie-kilat", "Mie Kilat")):
        status, created = api.call(
            "POST", clients, sari, body={"tenant_id": client_id, "display_name": name}, tenant="agensi-kita"
        )
        assert status == 201, created
    assert (
        api.call("POST", clients, sari, body={"tenant_id": BRAND, "display_name": "x"}, tenant="agensi-kita")[0] == 409
    )
    # Then it lists them, and its admin and its keys act on them
    listed = api.call("GET", clients, sari, tenant="agensi-kita")[1]["items"]
    assert sorted(client["tenant_id"] for client in listed) == ["kopi-senja", "mie-kilat"]
    agency_key = _key(api, sari, "admin", "agency-automation", tenant="agensi-kita")
    assert api.call("GET", f"{T}/alerts", agency_key, tenant="kopi-senja")[0] == 200
    status, me = api.call("GET", f"{T}/me", sari, tenant="kopi-senja")
    assert (status, me["through"], me["role"]) == (200, "agensi-kita", "admin")
    client_key = _key(api, sari, "ingest", "kopi-listening", tenant="kopi-senja")
    assert api.call("POST", f"{T}/mentions", client_key, body=MENTION, tenant="kopi-senja")[0] == 202
    # but not a brand that is not its client, nor does a client's key reach its sibling
    assert api.call("GET", f"{T}/alerts", agency_key, tenant=BRAND)[0] == 403
    assert api.call("GET", f"{T}/alerts", sari, tenant=BRAND)[0] == 403
    assert api.call("POST", f"{T}/mentions", client_key, body=MENTION, tenant="mie-kilat")[0] == 403
    assert api.call("GET", "/v1/tenants/{tenant}/clients/{client}", sari, tenant="agensi-kita", client=BRAND)[0] == 404
    # A brand has no clients
    assert api.call("GET", clients, brand["rina"], tenant=BRAND)[0] == 403
    # Given a warning on kopi-senja and a critical alert on mie-kilat
    from sigap.detection.domain.models import Severity
    from sigap.detection.store import AlertsTable
    from tests.integration.notify_harness import make_alert

    alerts = AlertsTable(aws.table("AlertsTable"))
    alerts.save(make_alert(1, tenant="kopi-senja", severity=Severity.WARNING), 0, None)
    alerts.save(make_alert(2, tenant="mie-kilat", severity=Severity.CRITICAL), 0, None)
    # The roll-up puts the client on fire first
    status, rolled = api.call("GET", "/v1/tenants/{tenant}/rollup", sari, tenant="agensi-kita")
    assert status == 200, rolled
    assert [(row["tenant_id"], row["critical_alerts"], row["open_alerts"]) for row in rolled["clients"]] == [
        ("mie-kilat", 1, 1),
        ("kopi-senja", 0, 1),
    ]
    assert rolled["total_open_alerts"] == 2
    # and the inbox holds every client's open alerts, the most severe first, each naming its client
    status, inbox = api.call("GET", "/v1/tenants/{tenant}/inbox", sari, tenant="agensi-kita")
    assert status == 200, inbox
    assert [(item["client"], item["alert"]["severity"]) for item in inbox["items"]] == [
        ("mie-kilat", "critical"),
        ("kopi-senja", "warning"),
    ]
    # A brand has no inbox of clients
    assert api.call("GET", "/v1/tenants/{tenant}/inbox", brand["rina"], tenant=BRAND)[0] == 403
    # Suspending a client refuses its keys with 403 tenant_suspended; resuming lets them in again
    one = "/v1/tenants/{tenant}/clients/{client}"
    assert (
        api.call("POST", f"{one}/suspend", sari, tenant="agensi-kita", client="kopi-senja")[1]["status"] == "suspended"
    )
    status, answer = api.call("POST", f"{T}/mentions", client_key, body=MENTION, tenant="kopi-senja")
    assert (status, answer["error"]["code"]) == (403, "tenant_suspended")
    assert api.call("POST", f"{one}/resume", sari, tenant="agensi-kita", client="kopi-senja")[1]["status"] == "active"
    assert api.call("POST", f"{T}/mentions", client_key, body=MENTION, tenant="kopi-senja")[0] == 202
    # Deleting needs a suspension first, then says what deletion does
    assert api.call("DELETE", one, sari, tenant="agensi-kita", client="mie-kilat")[0] == 409
    api.call("POST", f"{one}/suspend", sari, tenant="agensi-kita", client="mie-kilat")
    status, deleted = api.call("DELETE", one, sari, tenant="agensi-kita", client="mie-kilat")
    assert status == 200
    assert "retention" in deleted["what_deletion_does"]
    listed = api.call("GET", clients, sari, tenant="agensi-kita")[1]["items"]
    assert [client["tenant_id"] for client in listed] == ["kopi-senja"]


_GOOD_BODY = (
    "We found that one batch of our bottled tea was mislabelled on 1 December. It is safe to drink: the "
    "laboratory report is at https://tehsegar.example/lab. We have replaced the labels in every shop and "
    "will post our next update here at 18:00 WIB today. Questions: call 1500-123."
)
_ = utc_now


def test_a_clients_quotas_refuse_mentions_past_the_day_with_429_and_retry_after_and_sources_past_the_count(
    aws: AwsStack, api: Gateway
) -> None:
    aws.new_tenant("agensi-kita", TenantKind.AGENCY)
    sari = aws.new_person("agensi-kita", "sari@agensi.example", Role.ADMIN)
    quotas = {"mentions_per_day": 3, "sources": 0}
    body = {"tenant_id": "kopi-senja", "display_name": "Kopi Senja", "quotas": quotas}
    assert api.call("POST", "/v1/tenants/{tenant}/clients", sari, body=body, tenant="agensi-kita")[0] == 201
    key = _key(api, sari, "admin", "kopi-tool", tenant="kopi-senja")
    two = [MENTION | {"id": "m-a"}, MENTION | {"id": "m-b"}]
    assert api.call("POST", f"{T}/mentions", key, body=two, tenant="kopi-senja")[0] == 202
    # When the next request would pass the day's quota, it is refused whole, saying when to come back
    more = [MENTION | {"id": "m-c"}, MENTION | {"id": "m-d"}]
    status, answer = api.call("POST", f"{T}/mentions", key, body=more, tenant="kopi-senja")
    assert (status, answer["error"]["code"]) == (429, "quota_exceeded")
    assert 0 < int(api.headers["Retry-After"]) <= 86_400
    assert api.call("GET", f"{T}/mentions/{{mention_id}}", key, tenant="kopi-senja", mention_id="m-c")[0] == 404
    # and what still fits is taken
    assert api.call("POST", f"{T}/mentions", key, body=MENTION | {"id": "m-e"}, tenant="kopi-senja")[0] == 202
    # A source past the count is a 409 naming the quota
    source = {"name": "crm", "preset": "sigap"}
    status, answer = api.call("POST", f"{T}/sources", key, body=source, tenant="kopi-senja")
    assert status == 409
    assert "quota" in answer["error"]["message"]
    # The agency raises the quota: the same request now fits
    change = {"quotas": {"mentions_per_day": 10, "sources": 1}}
    one = "/v1/tenants/{tenant}/clients/{client}"
    assert api.call("PATCH", one, sari, body=change, tenant="agensi-kita", client="kopi-senja")[0] == 200
    assert api.call("POST", f"{T}/mentions", key, body=more, tenant="kopi-senja")[0] == 202
    assert api.call("POST", f"{T}/sources", key, body=source, tenant="kopi-senja")[0] == 201


def test_the_root_key_is_revoked_once_another_admin_can_act_and_never_before(aws: AwsStack, api: Gateway) -> None:
    _, root = aws.new_tenant("kopi-baru")
    root_route = "/v1/tenants/{tenant}/keys/{key_id}"
    # Alone, the root key cannot revoke itself: nobody would be left to act for the tenant
    status, answer = api.call("DELETE", root_route, root, tenant="kopi-baru", key_id="root")
    assert (status, answer["error"]["code"]) == (403, "forbidden")
    assert api.call("GET", f"{T}/me", root, tenant="kopi-baru")[0] == 200
    # With an admin person, it can: the root key stops at once and the person goes on
    admin = aws.new_person("kopi-baru", "owner@kopi-baru.example", Role.ADMIN)
    status, revoked = api.call("DELETE", root_route, admin, tenant="kopi-baru", key_id="root")
    assert (status, revoked["key_id"], revoked["active"]) == (200, "root", False)
    assert api.call("GET", f"{T}/me", root, tenant="kopi-baru")[0] == 401
    assert api.call("GET", f"{T}/me", admin, tenant="kopi-baru")[0] == 200
