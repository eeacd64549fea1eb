"""Property-based fuzzing of both HTTP APIs (Hypothesis), in process under moto: whatever a client sends, the
answer is never a 5xx, every 4xx has Sigap's error shape, and every 202 accounts for each mention it was sent.

`make test` runs a few hundred cases; `make bench` runs thousands (SIGAP_FUZZ_EXAMPLES) and prints the
answers by status from the report this test writes when SIGAP_FUZZ_REPORT names a file.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sigap.ingest.mapping.presets import PRESETS
from sigap.kernel.identity import Role
from tests.conftest import http_event, load_handler, mention_payload
from tests.integration.conftest import AwsStack

EXAMPLES = int(os.environ.get("SIGAP_FUZZ_EXAMPLES", "250"))
MENTIONS, SUMMARY = "/v1/tenants/{tenant}/mentions", "/v1/tenants/{tenant}/summary"
MENTION = "/v1/tenants/{tenant}/mentions/{mention_id}"
# Every fuzz test's budget; `make bench` raises it with SIGAP_FUZZ_EXAMPLES.
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SCORE = "/v1/tenants/{tenant}/score"
ALERTS, ALERT = "/v1/tenants/{tenant}/alerts", "/v1/tenants/{tenant}/alerts/{alert_id}"
SETTINGS = "/v1/tenants/{tenant}/detection-settings"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
instants = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=offsets)
time_texts = st.one_of(
    instants.map(lambda moment: moment.isoformat()),
    instants.map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ")),
    st.sampled_from(["0", "yesterday", "2026-11-22", "2026-11-22T10:00:00", "", "2026-13-40T99:99:99Z"]),
    st.text(max_size=20),
)
field_values = st.one_of(json_values, time_texts, st.integers(min_value=-(10**40), max_value=10**40))
mention_fields = st.sampled_from(["id", "source", "channel", "url", "author", "text", "language", "created_at", "raw"])


@st.composite
def mentions(draw: st.DrawFn) -> Any:
    """A valid mention with a few fields replaced, dropped or added: mostly near-misses, sometimes valid."""
    mention: dict[str, Any] = mention_payload(draw(st.from_regex(r"[A-Za-z0-9._:-]{1,12}", fullmatch=True)))
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        field = draw(mention_fields | st.text(max_size=8))
        action = draw(st.sampled_from(["replace", "drop", "time"]))
        if action == "drop":
            mention.pop(field, None)
        elif action == "time":
            mention["created_at"] = draw(time_texts)
        else:
            mention[field] = draw(field_values)
    if draw(st.booleans()):
        mention["author"] = draw(
            st.one_of(
                st.text(max_size=10),
                st.fixed_dictionaries(
                    {"handle": st.text(max_size=10)},
                    optional={"followers": field_values, "verified": json_values},
                ),
            )
        )
    return mention


bodies = st.one_of(
    mentions(),
    st.lists(mentions(), max_size=5),
    st.fixed_dictionaries({"mentions": st.lists(mentions(), max_size=5)}),
    json_values,
)
raw_bodies = st.one_of(
    bodies.map(lambda body: json.dumps(body).encode()),
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.integers(min_value=1, max_value=3000).map(lambda depth: ("[" * depth + "]" * depth).encode()),
)
content_types = st.sampled_from(
    [
        "application/json",
        "application/JSON",
        "application/json; charset=utf-8",
        "text/plain",
        "application/octet-stream",
        "application/x-www-form-urlencoded",
        None,
    ]
)
query_values = st.one_of(time_texts, st.text(max_size=30), st.integers().map(str))
queries = st.dictionaries(
    st.sampled_from(
        ["since", "until", "limit", "sentiment", "cursor", "source", "channel", "story", "language", "signal", "other"]
    ),
    st.one_of(query_values, st.sampled_from(["social", "youscan", "s-0123456789ab", "en", "safety_health"])),
    max_size=4,
)
# Mostly the tenant's own key, so most cases reach validation and storage rather than stop at the door.
keys = st.sampled_from(["own"] * 4 + ["person"] * 3 + ["other", "wrong", "none", "garbage"])


@pytest.fixture
def api(aws: AwsStack) -> Iterator[dict[str, Any]]:
    loaded: dict[str, Any] = {}
    functions = (
        ("ingest", "IngestFunction"),
        ("query", "QueryFunction"),
        ("alerts", "AlertsFunction"),
        ("score", "ScoreFunction"),
        ("sources", "SourcesFunction"),
        ("hooks", "HooksFunction"),
    )
    for name, logical_id in functions:
        aws.use_function_environment(logical_id)
        loaded[name] = load_handler(name)
    _, own_key = aws.new_tenant("brand-a")
    _, other_key = aws.new_tenant("brand-b")
    loaded["keys"] = {
        "own": own_key,
        "person": aws.new_person("brand-a", "admin@brand-a.example", Role.ADMIN),
        "other": other_key,
        "wrong": own_key[:-3] + "xyz",
        "none": None,
        "garbage": "not-a-key",
    }
    loaded["statuses"] = Counter()
    loaded["doors"] = Counter()
    yield loaded
    # A fuzz test whose requests all stop at the door (a broken key fixture, say) proves nothing about the
    # routes behind it: most cases carry the tenant's own key, so most must get past authentication.
    doors = loaded["doors"]
    if doors["sent"]:
        assert doors["passed"] / doors["sent"] >= 0.25, f"only {doors['passed']} of {doors['sent']} got past the door"
    report = os.environ.get("SIGAP_FUZZ_REPORT")
    if report:  # each test adds its answers to the file's, keyed "<function> <status>"
        path = Path(report)
        totals = Counter(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else Counter()
        totals.update(loaded["statuses"])
        path.write_text(json.dumps(dict(totals)), encoding="utf-8")


def _answer(api: dict[str, Any], handler: str, event: dict[str, Any], context: Any) -> tuple[int, Any]:
    result = api[handler].lambda_handler(event, context)
    status = int(result["statusCode"])
    api["statuses"][f"{handler} {status}"] += 1
    assert status < 500, result["body"]
    body = json.loads(result["body"])
    own_tenant = event["rawPath"].startswith("/v1/tenants/brand-a/")
    sent = (event.get("headers") or {}).get("authorization")
    if own_tenant and sent in (f"Bearer {api['keys']['own']}", f"Bearer {api['keys']['person']}"):
        # The tenant's own admin key and admin person on its own routes always get past the door, whatever the
        # body or query; a 403 is then the rules' (an author approving their own statement; no key approves).
        assert status != 401, result["body"]
        if status == 403:
            allowed = {"not_allowed"} | ({"missing_permission"} if "sgp_" in sent else set())
            assert body["error"]["code"] in allowed, body
    api["doors"]["sent"] += 1
    api["doors"]["passed"] += status not in (401, 403)
    if status >= 400:
        assert set(body) == {"error"}, body
        assert isinstance(body["error"]["code"], str)
        assert isinstance(body["error"]["message"], str)
        assert body["error"]["message"]
    return status, body


def routed(event: dict[str, Any]) -> bool:
    """Whether API Gateway would route this request here at all: it decodes the path first, so an id holding an
    encoded '/' becomes more path segments and the request never reaches the function (a 404 at the gateway)."""
    return bool(event.get("pathParameters"))


def _headers(api: dict[str, Any], key: str, content_type: str | None) -> dict[str, str | None]:
    token = api["keys"][key]
    headers: dict[str, str | None] = {"content-type": content_type}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    return headers


def _sent_ids(raw: bytes) -> list[str] | None:
    """The mention ids a body holds, if it is a well-formed batch or mention (else None)."""
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    items = body if isinstance(body, list) else body.get("mentions") if isinstance(body, dict) else None
    items = [body] if isinstance(body, dict) and "mentions" not in body else items
    if not isinstance(items, list) or not all(isinstance(item, dict) and "id" in item for item in items):
        return None
    return [str(item["id"]) for item in items]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    raw=raw_bodies,
    key=keys,
    content_type=content_types,
    tenant=st.sampled_from(["brand-a"] * 4 + ["brand-b", "nobody"]),
)
def test_posting_anything_never_gets_a_5xx_and_a_202_accounts_for_every_mention(
    api: dict[str, Any], lambda_context: Any, raw: bytes, key: str, content_type: str | None, tenant: str
) -> None:
    event = http_event(
        "POST",
        f"/v1/tenants/{tenant}/mentions",
        route_path=MENTIONS,
        raw_body=raw,
        headers=_headers(api, key, content_type),
    )
    status, body = _answer(api, "ingest", event, lambda_context)
    if status == 202:
        sent = _sent_ids(raw)
        assert sent is not None
        assert sorted(body["accepted"] + body["duplicates"]) == sorted(sent)


@FUZZ
@given(query=queries, key=keys, route=st.sampled_from([MENTIONS, SUMMARY]))
def test_reading_with_any_query_never_gets_a_5xx(
    api: dict[str, Any], lambda_context: Any, query: dict[str, str], key: str, route: str
) -> None:
    path = route.replace("{tenant}", "brand-a")
    event = http_event("GET", path, route_path=route, headers=_headers(api, key, None), query=query)
    status, body = _answer(api, "query", event, lambda_context)
    if status == 200:
        assert datetime.fromisoformat(body["since"]) <= datetime.fromisoformat(body["until"])
        assert datetime.fromisoformat(body["since"]).utcoffset() == timedelta(0) or body["since"].endswith("Z")


@FUZZ
@given(
    mention_id=st.one_of(st.text(min_size=1, max_size=200), st.sampled_from(["m1", "m-1", "a.b:c@d", "x" * 129])),
    key=st.sampled_from(["own"] * 4 + ["other", "wrong", "none"]),
)
def test_reading_one_mention_by_any_id_never_gets_a_5xx(
    api: dict[str, Any], lambda_context: Any, mention_id: str, key: str
) -> None:
    # Any text percent-encoded as a path segment (API Gateway decodes it; a '/' then no longer fits the route)
    path = "/v1/tenants/brand-a/mentions/" + quote(mention_id, safe="")
    event = http_event("GET", path, route_path=MENTION, headers=_headers(api, key, None))
    assume(routed(event))
    status, body = _answer(api, "query", event, lambda_context)
    assert status in (401, 403, 404, 422), body  # none of these ids was ever posted


texts_to_score = st.lists(
    st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"text": st.text(max_size=300)},
            optional={
                "id": st.one_of(st.text(max_size=140), json_values),
                "channel": st.sampled_from(["social", "email", "news", "fax", "", None]),
                "author": st.one_of(json_values, st.fixed_dictionaries({}, optional={"followers": json_values})),
                "language": st.sampled_from(["id", "en", "EN", "xx-yy", ""]),
            },
        ),
    ),
    max_size=6,
)


@FUZZ
@given(
    body=st.one_of(json_values, st.fixed_dictionaries({"texts": texts_to_score})),
    key=st.sampled_from(["own"] * 4 + ["other", "wrong", "none"]),
)
def test_scoring_anything_now_never_gets_a_5xx_and_a_200_answers_every_text(
    api: dict[str, Any], lambda_context: Any, body: Any, key: str
) -> None:
    path = "/v1/tenants/brand-a/score"
    event = http_event("POST", path, route_path=SCORE, body=body, headers=_headers(api, key, "application/json"))
    status, answer = _answer(api, "score", event, lambda_context)
    if status == 200:
        assert len(answer["results"]) == len(body["texts"])


SOURCES, HOOK = "/v1/tenants/{tenant}/sources", "/v1/hooks/{tenant}/{source}"
source_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"name": st.one_of(st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True), st.text(max_size=20))},
        optional={
            "preset": st.sampled_from([*sorted(PRESETS), "?"]),
            "kind": st.sampled_from(["webhook", "feed", "email", "import", "ftp", 1]),
            "feed": st.one_of(
                json_values,
                st.fixed_dictionaries(
                    {
                        "url": st.one_of(
                            st.text(max_size=40),
                            st.sampled_from(
                                ["https://news.example/rss", "http://127.0.0.1:1/f", "https://[64:ff9b::a9fe:a9fe]/f"]
                            ),
                        )
                    },
                    optional={
                        "poll_minutes": field_values,
                        "backfill_hours": field_values,
                        "audience": field_values,
                        "verified": field_values,
                    },
                ),
            ),
            "query": st.one_of(st.text(max_size=30), st.just('"teh segar" AND (racun OR')),
            "verification": st.sampled_from(["standard_webhooks", "hmac_header", "url_secret", "none", 3]),
            "channel": st.sampled_from(["social", "ticket", "fax", None]),
            "signature_header": st.one_of(st.text(max_size=70), st.just("X-Signature")),
            "mapping": st.one_of(
                json_values,
                st.fixed_dictionaries(
                    {
                        "fields": st.dictionaries(
                            st.sampled_from(["id", "text", "created_at", "author", "x"]),
                            st.one_of(st.text(max_size=20), json_values),
                            max_size=4,
                        )
                    },
                    optional={
                        "records": st.one_of(st.text(max_size=20), json_values),
                        "timezone": st.one_of(st.text(max_size=8), st.just("+07:00")),
                    },
                ),
            ),
        },
    ),
)


@FUZZ
@given(body=source_bodies, key=st.sampled_from(["own"] * 4 + ["other", "none"]))
def test_registering_any_source_never_gets_a_5xx_and_a_201_shows_its_secret_once(
    api: dict[str, Any], lambda_context: Any, body: Any, key: str
) -> None:
    path = "/v1/tenants/brand-a/sources"
    event = http_event("POST", path, route_path=SOURCES, body=body, headers=_headers(api, key, "application/json"))
    status, answer = _answer(api, "sources", event, lambda_context)
    if status == 201:
        assert (answer["secret"] is not None) == (answer["kind"] == "webhook")  # only a webhook has a secret
        listing = api["sources"].lambda_handler(
            http_event("GET", path, route_path=SOURCES, headers=_headers(api, "own", None)), lambda_context
        )
        assert answer["secret"] is None or answer["secret"] not in listing["body"]
        read_now = http_event("POST", f"{path}/{answer['name']}/read", route_path=SOURCES + "/{source}/read",
                              headers=_headers(api, key, None))  # fmt: skip
        status, _ = _answer(api, "sources", read_now, lambda_context)
        assert status == (202 if answer["kind"] == "feed" else 409)


IMPORTS = "/v1/tenants/{tenant}/imports"


@FUZZ
@given(
    body=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"source": st.sampled_from(["fuzz", "nope", "", "Fuzz"])},
            optional={"format": st.sampled_from(["csv", "jsonl", "xlsx", None]), "size": field_values},
        ),
    ),
    key=st.sampled_from(["own"] * 4 + ["other", "none"]),
)
def test_asking_for_any_import_never_gets_a_5xx_and_a_201_gives_an_upload_link(
    api: dict[str, Any], lambda_context: Any, open_source: str, body: Any, key: str
) -> None:
    path = "/v1/tenants/brand-a/imports"
    event = http_event("POST", path, route_path=IMPORTS, body=body, headers=_headers(api, key, "application/json"))
    status, answer = _answer(api, "sources", event, lambda_context)
    if status == 201:
        assert answer["state"] == "awaiting_upload"
        assert "uploads/brand-a/" + answer["import_id"] in answer["upload_url"]


@pytest.fixture
def open_source(api: dict[str, Any], lambda_context: Any) -> str:
    """A source of brand-a that takes its secret in the URL, so fuzzed bodies get past verification."""
    body = {"name": "fuzz", "preset": "sigap", "verification": "url_secret"}
    event = http_event("POST", "/v1/tenants/brand-a/sources", route_path=SOURCES, body=body,
                       headers=_headers(api, "own", "application/json"))  # fmt: skip
    result = api["sources"].lambda_handler(event, lambda_context)
    assert result["statusCode"] == 201, result["body"]
    return str(json.loads(result["body"])["secret"])


@FUZZ
@given(
    raw=raw_bodies,
    content_type=content_types,
    secret=st.sampled_from(["right"] * 4 + ["wrong", "none"]),
    signature=st.one_of(st.none(), st.text(max_size=40)),
)
def test_posting_anything_to_a_webhook_never_gets_a_5xx_and_a_202_accounts_for_every_record(
    api: dict[str, Any], lambda_context: Any, open_source: str, raw: bytes, content_type: str | None, secret: str,
    signature: str | None,
) -> None:  # fmt: skip
    query = {"right": {"key": open_source}, "wrong": {"key": "nope"}, "none": {}}[secret]
    headers: dict[str, str | None] = {"content-type": content_type, "webhook-signature": signature}
    event = http_event("POST", "/v1/hooks/brand-a/fuzz", route_path=HOOK, raw_body=raw, headers=headers,
                       query=query)  # fmt: skip
    status, answer = _answer(api, "hooks", event, lambda_context)
    if secret != "right":
        assert status == 401, answer
    if status == 202 and not answer["replay"]:
        mapped = len(answer["accepted"]) + len(answer["duplicates"])
        assert mapped + len({problem["record"] for problem in answer["rejected"]}) >= 1


alert_queries = st.dictionaries(
    st.sampled_from(["status", "severity", "rule", "since", "until", "limit", "cursor", "other"]),
    st.one_of(query_values, st.sampled_from(["firing", "resolved", "critical", "info", "story_spread"])),
    max_size=4,
)
setting_values = st.one_of(
    json_values,
    st.sampled_from(["low", "normal", "high", "ID", "id", "IDN", 5, 60, 1441, -1, True]),
)
settings_bodies = st.one_of(
    st.dictionaries(
        st.sampled_from(["sensitivity", "home_country", "resolve_after_minutes", "rules", "other"]),
        setting_values,
        max_size=4,
    ),
    st.fixed_dictionaries(
        {
            "rules": st.dictionaries(
                st.sampled_from(["negative_spike", "signal_surge", "story_spread", "nope"]),
                st.dictionaries(
                    st.sampled_from(["enabled", "min_authors", "max_p_value", "x"]), setting_values, max_size=3
                ),
                max_size=2,
            )
        }
    ),
    json_values,
)


@FUZZ
@given(
    query=alert_queries,
    key=keys,
    alert_id=st.one_of(st.just("20261122T1000-0123456789abcdef0123"), st.text(min_size=1, max_size=40)),
    route=st.sampled_from([ALERTS, ALERT]),
)
def test_reading_alerts_with_anything_never_gets_a_5xx(
    api: dict[str, Any], lambda_context: Any, query: dict[str, str], key: str, alert_id: str, route: str
) -> None:
    path = route.replace("{tenant}", "brand-a").replace("{alert_id}", quote(alert_id, safe=""))
    event = http_event("GET", path, route_path=route, headers=_headers(api, key, None), query=query)
    assume(routed(event))
    status, body = _answer(api, "alerts", event, lambda_context)
    if status == 200 and route == ALERTS:
        assert body["items"] == [] or all(item["tenant_id"] == "brand-a" for item in body["items"])


@FUZZ
@given(body=settings_bodies, key=keys)
def test_changing_detection_settings_with_anything_never_gets_a_5xx_and_a_200_is_read_back(
    api: dict[str, Any], lambda_context: Any, body: Any, key: str
) -> None:
    path = SETTINGS.replace("{tenant}", "brand-a")
    event = http_event("PUT", path, route_path=SETTINGS, headers=_headers(api, key, "application/json"), body=body)
    status, written = _answer(api, "alerts", event, lambda_context)
    if status == 200:
        read = http_event("GET", path, route_path=SETTINGS, headers=_headers(api, key, None))
        assert _answer(api, "alerts", read, lambda_context) == (200, written)


# -- the notifications API -----------------------------------------------------------------------------------

NOTIFY_ROUTES = {
    "channels": ("POST", "/v1/tenants/{tenant}/channels"),
    "policy": ("PUT", "/v1/tenants/{tenant}/notification-policy"),
    "silences": ("POST", "/v1/tenants/{tenant}/silences"),
    "incidents": ("POST", "/v1/tenants/{tenant}/incidents"),
    "incident": ("PATCH", "/v1/tenants/{tenant}/incidents/{incident_id}"),
    "note": ("POST", "/v1/tenants/{tenant}/incidents/{incident_id}/notes"),
    "ack": ("POST", "/v1/tenants/{tenant}/alerts/{alert_id}/acknowledgement"),
    "channel": ("PATCH", "/v1/tenants/{tenant}/channels/{channel_id}"),
}
# IP literals and localhost only: the URL check resolves host names, and the tests run offline.
urls = st.one_of(
    st.sampled_from(
        [
            "https://93.184.216.34/hook",
            "https://10.0.0.1/x",
            "http://93.184.216.34/x",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/x",
            "https://[2606:2800:220:1:248:1893:25c8:1946]/x",
            "https://localhost/x",
            "https://user:pw@93.184.216.34/x",
            "ftp://93.184.216.34/x",
            "https://93.184.216.34:99999/x",
        ]
    ),
    st.text(max_size=40),
)
channel_settings = st.one_of(
    st.fixed_dictionaries({"type": st.just("webhook"), "url": urls}, optional={"secret": st.text(max_size=40)}),
    st.fixed_dictionaries({"type": st.sampled_from(["slack", "teams"]), "webhook_url": urls}),
    st.fixed_dictionaries({"type": st.just("email"), "to": st.lists(st.emails() | st.text(max_size=20), max_size=3)}),
    st.fixed_dictionaries({"type": st.just("sns"), "topic_arn": st.text(max_size=60)}),
    json_values,
)
matchers = st.lists(
    st.fixed_dictionaries(
        {
            "label": st.sampled_from(["severity", "rule", "story", "tenant", "x", "", "Bad Label"]),
            "op": st.sampled_from(["=", "!=", "=~", "!~", "=="]),
            "value": st.sampled_from(["critical", "(", ".*", "[a-", "x" * 300]) | st.text(max_size=20),
        }
    ),
    max_size=3,
)
route_nodes = st.recursive(
    st.fixed_dictionaries(
        {},
        optional={
            "matchers": matchers,
            "receivers": st.lists(st.sampled_from(["ch-000000000000", "nope"]), max_size=2),
            "continue": st.booleans(),
            "group_by": st.lists(st.sampled_from(["tenant", "story", "rule", "nope"]), max_size=3),
            "group_wait_seconds": st.integers(min_value=-5, max_value=5000),
            "mute_time_intervals": st.lists(st.sampled_from(["night", "undefined"]), max_size=2),
            "escalation_policy": st.sampled_from(["oncall", "missing", "Bad Name"]),
        },
    ),
    lambda children: st.fixed_dictionaries({"routes": st.lists(children, max_size=3)}),
    max_leaves=6,
)
notify_bodies = {
    "channels": st.fixed_dictionaries(
        {"name": st.text(max_size=90), "settings": channel_settings},
        optional={"language": st.sampled_from(["id", "en", "fr"])},
    ),
    "policy": st.fixed_dictionaries(
        {},
        optional={
            "route": route_nodes,
            "language": st.sampled_from(["id", "en", "xx"]),
            "time_intervals": st.dictionaries(
                st.sampled_from(["night", "Bad Name"]),
                st.lists(
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "times": st.lists(
                                st.fixed_dictionaries(
                                    {"start": st.sampled_from(["22:00", "25:00", "x"]), "end": st.just("06:00")}
                                ),
                                max_size=2,
                            ),
                            "location": st.sampled_from(["Asia/Jakarta", "Mars/Olympus", ""]),
                            "weekdays": st.lists(st.sampled_from(["monday", "funday"]), max_size=2),
                        },
                    ),
                    max_size=2,
                ),
                max_size=2,
            ),
            "escalation_policies": st.dictionaries(
                st.sampled_from(["oncall", "Bad Name"]),
                st.fixed_dictionaries(
                    {"steps": st.lists(st.fixed_dictionaries({"after_minutes": st.integers(-1, 100000)}), max_size=2)},
                    optional={"loops": st.integers(-1, 20)},
                ),
                max_size=1,
            ),
            "ack_expires_after_minutes": st.integers(-5, 100000) | st.none(),
        },
    ),
    "silences": st.fixed_dictionaries(
        {"matchers": matchers},
        optional={"starts_at": time_texts, "ends_at": time_texts, "incident_id": st.text(max_size=70)},
    ),
    "incidents": st.fixed_dictionaries(
        {"title": st.text(max_size=220)},
        optional={
            "severity": st.sampled_from(["critical", "warning", "bad"]),
            "story_id": st.sampled_from(["s-0123456789ab", "s-x"]) | st.text(max_size=14),
        },
    ),
    "incident": st.fixed_dictionaries(
        {},
        optional={"state": st.sampled_from(["identified", "resolved", "bogus"]), "owner": st.text(max_size=130)},
    ),
    "note": st.fixed_dictionaries({"text": st.text(max_size=50)}),
    "ack": st.fixed_dictionaries({}, optional={"comment": st.text(max_size=20)}),
    "channel": st.fixed_dictionaries({"enabled": json_values}),
}


@pytest.fixture
def notifications_api(api: dict[str, Any], aws: AwsStack) -> dict[str, Any]:
    aws.use_function_environment("NotificationsFunction")
    api["notifications"] = load_handler("notifications")
    return api


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data(), which=st.sampled_from(sorted(NOTIFY_ROUTES)), key=keys)
def test_configuring_notifications_with_anything_never_gets_a_5xx(
    notifications_api: dict[str, Any], lambda_context: Any, data: st.DataObject, which: str, key: str
) -> None:
    method, route = NOTIFY_ROUTES[which]
    body = data.draw(st.one_of(notify_bodies[which], json_values) if data.draw(st.booleans()) else notify_bodies[which])
    ids = {
        "incident_id": data.draw(st.sampled_from(["inc-20261202T0900-0123abcd"]) | st.text(min_size=1, max_size=30)),
        "alert_id": data.draw(
            st.sampled_from(["20261122T1000-0123456789abcdef0123"]) | st.text(min_size=1, max_size=30)
        ),
        "channel_id": data.draw(st.sampled_from(["ch-000000000000"]) | st.text(min_size=1, max_size=20)),
    }
    path = route.replace("{tenant}", "brand-a")
    for name, value in ids.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    event = http_event(method, path, route_path=route, body=body, headers=_headers(notifications_api, key, None))
    assume(routed(event))
    _answer(notifications_api, "notifications", event, lambda_context)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.text(min_size=1, max_size=300), method=st.sampled_from(["GET", "POST"]))
def test_any_acknowledgement_link_gets_a_page_never_a_5xx(
    notifications_api: dict[str, Any], lambda_context: Any, token: str, method: str
) -> None:
    event = http_event(method, f"/v1/ack/{quote(token, safe='')}", route_path="/v1/ack/{token}")
    assume(routed(event))
    result = notifications_api["notifications"].lambda_handler(event, lambda_context)
    assert int(result["statusCode"]) < 500, result["body"]


STATEMENT_ROUTES = {
    "publishing": ("PUT", "/v1/tenants/{tenant}/publishing"),
    "template": ("PUT", "/v1/tenants/{tenant}/statement-templates/{name}"),
    "check": ("POST", "/v1/tenants/{tenant}/statements/check"),
    "statements": ("POST", "/v1/tenants/{tenant}/statements"),
    "edit": ("PUT", "/v1/tenants/{tenant}/statements/{statement_id}"),
    "version": ("POST", "/v1/tenants/{tenant}/statements/{statement_id}/versions"),
    "submit": ("POST", "/v1/tenants/{tenant}/statements/{statement_id}/submit"),
    "review": ("POST", "/v1/tenants/{tenant}/statements/{statement_id}/reviews"),
    "publish": ("POST", "/v1/tenants/{tenant}/statements/{statement_id}/publish"),
    "lessons": ("PUT", "/v1/tenants/{tenant}/incidents/{incident_id}/report/lessons"),
    "subscribe": ("POST", "/v1/status/{tenant}/subscribe"),
}
localised = st.fixed_dictionaries({"title": st.text(max_size=210), "body": st.text(max_size=300)})
contents = st.fixed_dictionaries(
    {},
    optional={
        "id": localised | json_values,
        "en": localised,
        "first": st.sampled_from(["id", "en", "fr"]),
        "next_update_at": time_texts,
        "correction": json_values,
    },
)
statement_bodies = {
    "publishing": st.fixed_dictionaries(
        {},
        optional={
            "approvers": st.lists(st.text(max_size=20), max_size=3),
            "required_approvals": st.integers(-1, 9),
            "staff_emails": st.lists(st.emails() | st.text(max_size=20), max_size=2),
            "channel_ids": st.lists(st.sampled_from(["ch-000000000000", "x"]), max_size=2),
            "timezone": st.sampled_from(["Asia/Jakarta", "Mars/Olympus", "", "UTC"]),
            "complaint_pause_rate": st.floats(allow_nan=True),
        },
    ),
    "template": st.fixed_dictionaries(
        {},
        optional={
            "id": st.fixed_dictionaries(
                {
                    "title": st.sampled_from(["{{ a }}", "{% if %}", "{{ a.__class__ }}", "ok"]),
                    "body": st.text(max_size=50),
                }
            ),
            "description": st.text(max_size=20),
        },
    ),
    "check": st.fixed_dictionaries(
        {"text": st.text(max_size=300)}, optional={"lang": st.sampled_from(["id", "en", "x"])}
    ),
    "statements": st.fixed_dictionaries(
        {
            "incident_id": st.sampled_from(["inc-20261202T0900-0123abcd"]) | st.text(max_size=30),
        },
        optional={
            "content": contents,
            "template": st.sampled_from(["crisis", "missing", "../x"]),
            "variables": st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3),
        },
    ),
    "edit": st.fixed_dictionaries({"content": contents}),
    "version": st.fixed_dictionaries({"content": contents}),
    "submit": st.fixed_dictionaries(
        {},
        optional={"overrides": st.dictionaries(st.sampled_from(["legal_threat", "nope"]), st.text(max_size=10))},
    ),
    "review": st.fixed_dictionaries({}, optional={"approve": json_values}),
    "publish": st.fixed_dictionaries({}, optional={"by": st.text(max_size=20)}),
    "lessons": st.fixed_dictionaries({"text": st.text(max_size=50)}),
    "subscribe": st.fixed_dictionaries(
        {"email": st.emails() | st.text(max_size=30)}, optional={"language": st.sampled_from(["id", "en", "x"])}
    ),
}


@pytest.fixture
def statements_api(api: dict[str, Any], aws: AwsStack) -> dict[str, Any]:
    aws.use_function_environment("StatementsFunction")
    api["statements"] = load_handler("statements")
    return api


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data(), which=st.sampled_from(sorted(STATEMENT_ROUTES)), key=keys)
def test_writing_statements_with_anything_never_gets_a_5xx(
    statements_api: dict[str, Any], lambda_context: Any, data: st.DataObject, which: str, key: str
) -> None:
    method, route = STATEMENT_ROUTES[which]
    body = data.draw(
        st.one_of(statement_bodies[which], json_values) if data.draw(st.booleans()) else statement_bodies[which]
    )
    ids = {
        "incident_id": data.draw(st.sampled_from(["inc-20261202T0900-0123abcd"]) | st.text(min_size=1, max_size=30)),
        "statement_id": data.draw(st.sampled_from(["st-0123456789ab"]) | st.text(min_size=1, max_size=20)),
        "name": data.draw(st.sampled_from(["crisis", "mine"]) | st.text(min_size=1, max_size=20)),
    }
    path = route.replace("{tenant}", "brand-a")
    for name, value in ids.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    event = http_event(method, path, route_path=route, body=body, headers=_headers(statements_api, key, None))
    assume(routed(event))
    _answer(statements_api, "statements", event, lambda_context)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    token=st.text(min_size=1, max_size=300),
    method=st.sampled_from(["GET", "POST"]),
    kind=st.sampled_from(["confirm", "unsubscribe"]),
    form=st.sampled_from(["", "List-Unsubscribe=One-Click", "a=%ff", "&&&="]),
)
def test_any_subscription_link_gets_a_page_never_a_5xx(
    statements_api: dict[str, Any], lambda_context: Any, token: str, method: str, kind: str, form: str
) -> None:
    event = http_event(
        method,
        f"/v1/status/brand-a/{kind}/{quote(token, safe='')}",
        route_path=f"/v1/status/{{tenant}}/{kind}/{{token}}",
        raw_body=form,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assume(routed(event))
    result = statements_api["statements"].lambda_handler(event, lambda_context)
    assert int(result["statusCode"]) < 500, result["body"]
