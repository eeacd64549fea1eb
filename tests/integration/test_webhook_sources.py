"""Sources and signed webhooks under moto: a tenant registers a source, a tool posts in its own shape, the request
is verified by the source's scheme, mapped, and its mentions queued once whatever the door."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks import Webhook

from sigap.ingest.mapping.presets import PRESETS
from tests.conftest import http_event, load_handler, mention_payload
from tests.integration.conftest import AwsStack

SOURCES = "/v1/tenants/{tenant}/sources"
SOURCE = "/v1/tenants/{tenant}/sources/{source}"
ROTATE = "/v1/tenants/{tenant}/sources/{source}/rotate"
HOOK = "/v1/hooks/{tenant}/{source}"


def _call(aws: AwsStack, context: Any, function: str, method: str, route: str, path: str, *, body: Any = None,
          raw_body: str | None = None, headers: dict[str, str] | None = None,
          query: dict[str, str] | None = None) -> tuple[int, Any]:  # fmt: skip
    aws.use_function_environment(function)
    handler = load_handler("sources" if function == "SourcesFunction" else "hooks")
    event = http_event(method, path, route_path=route, body=body, raw_body=raw_body, headers=headers, query=query)
    result = handler.lambda_handler(event, context)
    return result["statusCode"], json.loads(result["body"]) if result["body"] else None


@pytest.fixture
def tenant(aws: AwsStack) -> tuple[str, str]:
    created, key = aws.new_tenant("brand-a")
    return created.tenant_id, key


def _register(aws: AwsStack, context: Any, tenant: tuple[str, str], **source: Any) -> dict[str, Any]:
    status, body = _call(aws, context, "SourcesFunction", "POST", SOURCES, SOURCES.format(tenant=tenant[0]),
                         body=source, headers={"authorization": f"Bearer {tenant[1]}"})  # fmt: skip
    assert status == 201, body
    return dict(body)


def _manage(aws: AwsStack, context: Any, tenant: tuple[str, str], method: str, route: str, body: Any = None,
            **ids: str) -> tuple[int, Any]:  # fmt: skip
    path = route.replace("{tenant}", tenant[0])
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    return _call(aws, context, "SourcesFunction", method, route, path, body=body,
                 headers={"authorization": f"Bearer {tenant[1]}"})  # fmt: skip


def _signed(
    secret: str, payload: Any, *, message_id: str = "msg-1", at: datetime | None = None
) -> tuple[str, dict[str, str]]:
    body = json.dumps(payload)
    when = at or datetime.now(UTC)
    signature = Webhook(secret).sign(message_id, when, body)
    return body, {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signature,
    }


def _post(aws: AwsStack, context: Any, tenant: str, source: str, body: str, headers: dict[str, str] | None = None,
          query: dict[str, str] | None = None) -> tuple[int, Any]:  # fmt: skip
    return _call(aws, context, "HooksFunction", "POST", HOOK, HOOK.format(tenant=tenant, source=source),
                 raw_body=body, headers=headers, query=query)  # fmt: skip


def _queued(aws: AwsStack) -> list[dict[str, Any]]:
    return [json.loads(body) for body in aws.queued_bodies()]


def test_a_listening_tools_signed_webhook_in_its_own_shape_is_queued_and_counted_in_the_sources_health(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any
) -> None:
    # Given a source for YouScan's shape, verified by Standard Webhooks
    created = _register(aws, lambda_context, tenant, name="youscan", preset="youscan")
    assert created["secret"].startswith("whsec_")
    assert created["url"].endswith("/v1/hooks/brand-a/youscan")
    # When YouScan posts a mention, signed
    body, headers = _signed(created["secret"], PRESETS["youscan"].sample)
    status, answer = _post(aws, lambda_context, "brand-a", "youscan", body, headers)
    # Then it is accepted under YouScan's id space and queued for scoring with the source's name
    assert status == 202, answer
    assert answer["accepted"] == ["youscan:501-88231"]
    queued = _queued(aws)
    assert [(m["id"], m["source"], m["channel"], m["tenant_id"]) for m in queued] == [
        ("youscan:501-88231", "youscan", "social", "brand-a")
    ]
    # And the source's health counts it, while the listing never shows a secret
    status, listing = _manage(aws, lambda_context, tenant, "GET", SOURCES)
    assert status == 200
    (source,) = listing["sources"]
    assert source["health"]["accepted"] == 1
    assert source["health"]["last_success_at"] is not None
    assert created["secret"] not in json.dumps(listing)
    assert source["secrets"][0]["ends_with"] == created["secret"][-4:]


def test_a_replayed_webhook_id_is_answered_and_ignored(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any
) -> None:
    created = _register(aws, lambda_context, tenant, name="tool", preset="sigap")
    body, headers = _signed(created["secret"], mention_payload("r-1"), message_id="msg-77")
    assert _post(aws, lambda_context, "brand-a", "tool", body, headers)[0] == 202
    _queued(aws)
    # When the same message is delivered again (a retry, or an attacker replaying it)
    status, answer = _post(aws, lambda_context, "brand-a", "tool", body, headers)
    # Then it is a 2xx that did nothing
    assert status == 202
    assert answer["replay"] is True
    assert _queued(aws) == []


@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        (lambda h: h | {"webhook-signature": "v1," + base64.b64encode(b"x" * 32).decode()}, "webhook-signature"),
        (lambda h: h | {"webhook-signature": "garbage"}, "webhook-signature"),
        (lambda h: h | {"webhook-signature": "v1,%%%"}, "webhook-signature"),
        (lambda h: {k: v for k, v in h.items() if k != "webhook-timestamp"}, "webhook-timestamp"),
        (lambda h: {}, "missing header"),
        (lambda h: h | {"webhook-timestamp": str(int(time.time()) - 3600)}, "too old"),
        (lambda h: h | {"webhook-timestamp": str(int(time.time()) + 3600)}, "too new"),
        (lambda h: h | {"webhook-timestamp": "soon"}, "webhook-timestamp"),
    ],
)
def test_a_wrong_missing_or_stale_signature_is_a_401_naming_the_check_and_the_source_remembers_it(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any, tamper: Any, named: str
) -> None:
    created = _register(aws, lambda_context, tenant, name="tool", preset="sigap")
    body, headers = _signed(created["secret"], mention_payload("x-1"))
    status, answer = _post(aws, lambda_context, "brand-a", "tool", body, tamper(headers))
    assert status == 401, answer
    assert answer["error"]["code"] == "verification_failed"
    assert named in answer["error"]["message"]
    assert _queued(aws) == []
    source = _manage(aws, lambda_context, tenant, "GET", SOURCE, source="tool")[1]
    assert source["health"]["last_error"]["reason"].startswith("refused: ")


def test_a_body_changed_after_signing_is_refused(aws: AwsStack, tenant: tuple[str, str], lambda_context: Any) -> None:
    created = _register(aws, lambda_context, tenant, name="tool", preset="sigap")
    body, headers = _signed(created["secret"], mention_payload("x-1", text="asli"))
    assert _post(aws, lambda_context, "brand-a", "tool", body.replace("asli", "palsu"), headers)[0] == 401


@pytest.mark.parametrize("encoding", ["hex", "base64", "prefixed-hex"])
def test_a_vendor_style_hmac_header_verifies_in_hex_or_base64(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any, encoding: str
) -> None:
    created = _register(aws, lambda_context, tenant, name="crm", preset="helpdesk", verification="hmac_header",
                        signature_header="X-Hub-Signature-256")  # fmt: skip
    body = json.dumps(PRESETS["helpdesk"].sample)
    digest = hmac.new(created["secret"].encode(), body.encode(), hashlib.sha256).digest()
    value = {"hex": digest.hex(), "base64": base64.b64encode(digest).decode(), "prefixed-hex": "sha256=" + digest.hex()}
    status, answer = _post(aws, lambda_context, "brand-a", "crm", body, {"X-Hub-Signature-256": value[encoding]})
    assert status == 202, answer
    assert answer["accepted"] == ["ticket:48213"]
    wrong = hmac.new(b"not-the-secret", body.encode(), hashlib.sha256).hexdigest()
    status, answer = _post(aws, lambda_context, "brand-a", "crm", body, {"X-Hub-Signature-256": wrong})
    assert status == 401
    assert "X-Hub-Signature-256".lower() in answer["error"]["message"]


def test_a_tool_that_signs_nothing_uses_the_secret_in_the_url_or_basic_credentials(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any
) -> None:
    created = _register(aws, lambda_context, tenant, name="meltwater", preset="meltwater", verification="url_secret")
    body = json.dumps(PRESETS["meltwater"].sample)
    assert _post(aws, lambda_context, "brand-a", "meltwater", body, query={"key": created["secret"]})[0] == 202
    basic = "Basic " + base64.b64encode(f"meltwater:{created['secret']}".encode()).decode()
    status, answer = _post(aws, lambda_context, "brand-a", "meltwater", body, {"authorization": basic})
    assert status == 202
    assert answer["duplicates"] == ["meltwater:mw-9a1f"]  # the same document again: one mention
    assert _post(aws, lambda_context, "brand-a", "meltwater", body, query={"key": "guess"})[0] == 401
    assert _post(aws, lambda_context, "brand-a", "meltwater", body)[0] == 401


def test_a_rotated_secret_and_the_previous_one_both_work_during_the_overlap_and_only_then(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any
) -> None:
    created = _register(aws, lambda_context, tenant, name="tool", preset="sigap")
    status, rotated = _manage(aws, lambda_context, tenant, "POST", ROTATE, {"overlap_minutes": 60}, source="tool")
    assert status == 200, rotated
    assert rotated["secret"] != created["secret"]
    assert len(rotated["secrets"]) == 2
    for number, secret in enumerate((created["secret"], rotated["secret"])):
        body, headers = _signed(secret, mention_payload(f"o-{number}"), message_id=f"m-{number}")
        assert _post(aws, lambda_context, "brand-a", "tool", body, headers)[0] == 202
    # When it is rotated again with no overlap, only the newest secret works
    status, again = _manage(aws, lambda_context, tenant, "POST", ROTATE, {"overlap_minutes": 0}, source="tool")
    assert len(again["secrets"]) == 1
    for secret, expected in ((rotated["secret"], 401), (again["secret"], 202)):
        body, headers = _signed(secret, mention_payload("o-9"), message_id=f"n-{secret[-6:]}")
        assert _post(aws, lambda_context, "brand-a", "tool", body, headers)[0] == expected


def test_a_payload_that_does_not_map_is_a_422_naming_each_field_and_expression(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any
) -> None:
    created = _register(aws, lambda_context, tenant, name="meltwater", preset="meltwater", verification="url_secret")
    key = {"key": created["secret"]}
    # A payload without the documents the preset reads
    status, answer = _post(aws, lambda_context, "brand-a", "meltwater", json.dumps({"hits": []}), query=key)
    assert status == 422
    assert answer["error"]["fields"][0]["field"] == "records[0].records"
    assert "`documents`" in answer["error"]["fields"][0]["problem"]
    # A document without text: its field and expression are named
    document = {"id": "d1", "published_date": "2026-11-22T09:15:00Z"}
    status, answer = _post(
        aws, lambda_context, "brand-a", "meltwater", json.dumps({"documents": [document]}), query=key
    )
    assert status == 422
    problems = {problem["field"]: problem["problem"] for problem in answer["error"]["fields"]}
    assert "records[0].text" in problems
    assert "content || opening_text" in problems["records[0].text"]
    # And a payload with one good and one bad document: the good one in, the bad one answered and counted
    good = PRESETS["meltwater"].sample["documents"][0]
    status, answer = _post(aws, lambda_context, "brand-a", "meltwater", json.dumps({"documents": [good, document]}),
                           query=key)  # fmt: skip
    assert status == 202
    assert answer["accepted"] == ["meltwater:mw-9a1f"]
    assert [(problem["record"], problem["field"]) for problem in answer["rejected"]] == [(1, "text")]
    health = _manage(aws, lambda_context, tenant, "GET", SOURCE, source="meltwater")[1]["health"]
    assert (health["accepted"], health["rejected"]) == (1, 3)


def test_the_same_mention_through_a_webhook_and_the_mention_api_is_one_mention(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any
) -> None:
    created = _register(aws, lambda_context, tenant, name="tool", preset="sigap")
    body, headers = _signed(created["secret"], mention_payload("same-1"))
    assert _post(aws, lambda_context, "brand-a", "tool", body, headers)[1]["accepted"] == ["same-1"]
    aws.use_function_environment("IngestFunction")
    event = http_event("POST", "/v1/tenants/brand-a/mentions", route_path="/v1/tenants/{tenant}/mentions",
                       body=mention_payload("same-1"), headers={"authorization": f"Bearer {tenant[1]}"})  # fmt: skip
    answer = json.loads(load_handler("ingest").lambda_handler(event, lambda_context)["body"])
    assert answer["duplicates"] == ["same-1"]


def test_requests_to_unknown_or_removed_sources_are_404_and_oversized_ones_413(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any
) -> None:
    created = _register(aws, lambda_context, tenant, name="tool", preset="sigap")
    body, headers = _signed(created["secret"], mention_payload("z-1"))
    assert _post(aws, lambda_context, "brand-a", "nope", body, headers)[0] == 404
    assert _post(aws, lambda_context, "brand-zz", "tool", body, headers)[0] == 404
    big, big_headers = _signed(created["secret"], mention_payload("z-2", text="x" * 1_100_000))
    assert _post(aws, lambda_context, "brand-a", "tool", big, big_headers)[0] == 413
    assert _manage(aws, lambda_context, tenant, "DELETE", SOURCE, source="tool")[0] == 200
    assert _post(aws, lambda_context, "brand-a", "tool", body, headers)[0] == 404


def test_more_records_than_one_request_may_carry_is_a_413(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any
) -> None:
    created = _register(aws, lambda_context, tenant, name="tool", preset="sigap", verification="url_secret")
    many = [{"id": f"n{i}", "text": "t", "created_at": "2026-11-22T10:00:00Z"} for i in range(501)]
    status, answer = _post(aws, lambda_context, "brand-a", "tool", json.dumps(many), query={"key": created["secret"]})
    assert status == 413
    assert answer["error"]["code"] == "too_many_records"


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ({"name": "Bad Name"}, "name"),
        ({"name": "ok", "preset": "nope"}, "preset"),
        ({"name": "ok", "preset": "sigap", "mapping": {"fields": {"text": "t", "created_at": "c"}}}, "not both"),
        ({"name": "ok", "mapping": {"fields": {"text": "t[", "created_at": "c"}}}, "JMESPath"),
        ({"name": "ok", "mapping": {"fields": {"created_at": "c"}}}, "text"),
        ({"name": "ok", "mapping": {"fields": {"txt": "t", "created_at": "c"}}}, "txt"),
        ({"name": "ok", "verification": "trust-me"}, "verification"),
    ],
)
def test_a_source_that_cannot_work_is_refused_at_registration_naming_why(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any, source: dict[str, Any], named: str
) -> None:
    status, answer = _manage(aws, lambda_context, tenant, "POST", SOURCES, source)
    assert status == 422, answer
    assert named in json.dumps(answer)


def test_a_name_is_one_source_and_a_custom_mapping_reads_any_shape(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any
) -> None:
    mapping = {"records": "data.items", "fields": {"id": "ref", "text": "msg", "created_at": "ts"}, "id_prefix": "crm:"}
    created = _register(
        aws, lambda_context, tenant, name="crm", mapping=mapping, channel="ticket", verification="url_secret"
    )
    assert _manage(aws, lambda_context, tenant, "POST", SOURCES, {"name": "crm"})[0] == 409
    payload = {"data": {"items": [{"ref": 7, "msg": "Refund saya belum masuk", "ts": 1795837200}]}}
    status, answer = _post(aws, lambda_context, "brand-a", "crm", json.dumps(payload), query={"key": created["secret"]})
    assert status == 202, answer
    (queued,) = _queued(aws)
    assert (queued["id"], queued["channel"], queued["created_at"]) == ("crm:7", "ticket", "2026-11-28T03:40:00Z")
    assert datetime.fromisoformat(queued["created_at"]) - datetime(2026, 11, 28, 3, 40, tzinfo=UTC) == timedelta(0)


def test_a_sources_secret_opens_only_its_own_tenants_door(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any
) -> None:
    # Given two tenants, each with a source named "tool"
    other_tenant, other_key = aws.new_tenant("brand-b")
    mine = _register(aws, lambda_context, tenant, name="tool", preset="sigap")
    _register(aws, lambda_context, (other_tenant.tenant_id, other_key), name="tool", preset="sigap")
    # When brand-a's signed request is sent to brand-b's URL
    body, headers = _signed(mine["secret"], mention_payload("cross-1"))
    status, answer = _post(aws, lambda_context, "brand-b", "tool", body, headers)
    # Then it is refused, and nothing is queued for either tenant; at its own URL it is brand-a's mention
    assert status == 401, answer
    assert _queued(aws) == []
    assert _post(aws, lambda_context, "brand-a", "tool", body, headers)[0] == 202
    assert [(m["tenant_id"], m["id"]) for m in _queued(aws)] == [("brand-a", "cross-1")]


@pytest.mark.parametrize("created_at", ["2026-11-22T10:00:00+07:00", "2026-11-22T03:00:00Z"])
def test_one_object_an_array_or_mentions_all_map_and_offsets_name_the_same_instant(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any, created_at: str
) -> None:
    created = _register(aws, lambda_context, tenant, name="tool", preset="sigap", verification="url_secret")
    key = {"key": created["secret"]}
    one = mention_payload("shape-1", created_at=created_at)
    for number, body in enumerate((one, [one | {"id": "shape-2"}], {"mentions": [one | {"id": "shape-3"}]})):
        status, answer = _post(aws, lambda_context, "brand-a", "tool", json.dumps(body), query=key)
        assert (status, answer["accepted"]) == (202, [f"shape-{number + 1}"]), answer
    assert {m["created_at"] for m in _queued(aws)} == {"2026-11-22T03:00:00Z"}


def test_a_sources_brand_query_keeps_what_matches_and_answers_the_rest_as_filtered(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any
) -> None:
    query = '"teh segar" AND (racun OR beracun) NOT promo'
    created = _register(aws, lambda_context, tenant, name="tool", verification="url_secret", query=query)
    assert created["query"] == query
    records = [
        mention_payload("q-1", text="Teh Segar beracun!! jangan diminum"),
        mention_payload("q-2", text="Teh Segar racun? promo beli 2 gratis 1"),
        mention_payload("q-3", text="Kopi Senja enak"),
    ]
    status, answer = _post(
        aws, lambda_context, "brand-a", "tool", json.dumps(records), query={"key": created["secret"]}
    )
    assert status == 202, answer
    assert (answer["accepted"], sorted(answer["filtered"])) == (["q-1"], ["q-2", "q-3"])
    assert [m["id"] for m in _queued(aws)] == ["q-1"]
    health = _manage(aws, lambda_context, tenant, "GET", SOURCE, source="tool")[1]["health"]
    assert (health["accepted"], health["filtered"]) == (1, 2)
    # And a query that cannot parse is refused when the source is registered, naming where
    status, answer = _manage(
        aws, lambda_context, tenant, "POST", SOURCES, {"name": "bad", "query": "(racun OR beracun"}
    )
    assert status == 422
    assert "never closed" in json.dumps(answer)
