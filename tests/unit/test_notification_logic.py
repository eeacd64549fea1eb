"""Pure notification logic: signed acknowledgement links, the retry schedule, Slack's and Teams' size limits on
any message, Alertmanager's routing walk, time intervals in the tenant's zone, and URL checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigap.kernel.language import Language
from sigap.kernel.tokens import LinkError, make_token, read_token
from sigap.notify.domain.routing import (
    NotificationPolicy,
    TimeInterval,
    in_intervals,
    inhibited,
    matching_routes,
)
from sigap.outbound.domain.message import slack_payload, teams_payload
from sigap.outbound.domain.models import Link, MessageItem, OutboundMessage
from sigap.outbound.domain.retry import DEFAULT_SCHEDULE, next_delay, parse_schedule, retry_after_seconds
from sigap.outbound.domain.ssrf import UnsafeUrlError, check_syntax, is_public

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
KEY = b"k" * 32


def test_a_link_token_carries_its_tenant_and_alert_and_nothing_else_verifies() -> None:
    token = make_token(KEY, "brand-a", "20261202T0900-" + "1" * 20, NOW + timedelta(days=7), action="ack")
    assert read_token(KEY, token, NOW, action="ack") == ("brand-a", "20261202T0900-" + "1" * 20)
    with pytest.raises(LinkError, match="altered"):
        read_token(b"x" * 32, token, NOW, action="ack")
    with pytest.raises(LinkError, match="altered"):
        read_token(KEY, token, NOW, action="unsub")  # made to acknowledge, never passes as another action
    with pytest.raises(LinkError, match="expired"):
        read_token(KEY, token, NOW + timedelta(days=8), action="ack")
    signature = token.rsplit(".", 1)[1]
    other = make_token(KEY, "brand-b", "20261202T0900-" + "1" * 20, NOW + timedelta(days=7), action="ack")
    with pytest.raises(LinkError):
        read_token(KEY, f"{other.rsplit('.', 1)[0]}.{signature}", NOW, action="ack")  # another tenant's claims


@given(st.text(max_size=300))
def test_any_string_as_a_token_is_refused_with_a_link_error(text: str) -> None:
    with pytest.raises(LinkError):
        read_token(KEY, text, NOW, action="ack")


def test_the_default_schedule_is_svix_like_and_ends() -> None:
    assert DEFAULT_SCHEDULE == (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
    delays = [next_delay(attempt, DEFAULT_SCHEDULE, None) for attempt in range(1, 9)]
    assert delays[-1] is None  # 8 attempts, then dead-lettered
    for delay, planned in zip(delays[:-1], DEFAULT_SCHEDULE[1:], strict=True):
        assert delay is not None
        assert planned * 0.9 <= delay <= planned * 1.1


def test_retry_after_is_honoured_when_longer_than_the_schedule() -> None:
    assert next_delay(1, DEFAULT_SCHEDULE, 120.0) == pytest.approx(120.0)
    assert retry_after_seconds("30") == 30
    assert retry_after_seconds("Wed, 02 Dec 2026 09:01:00 GMT", NOW) == pytest.approx(60)
    assert retry_after_seconds("soon") is None


@pytest.mark.parametrize("text", ["", "a,b", "5,-1"])
def test_a_bad_retry_schedule_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="retry schedule"):
        parse_schedule(text)


def _message(items: int, text: str) -> OutboundMessage:
    return OutboundMessage(
        message_id="n-1",
        tenant_id="brand-a",
        kind="firing",
        language=Language.INDONESIAN,
        title=text[:300] or "t",
        intro=text,
        items=[
            MessageItem(
                item_id=f"a-{index}",
                title=text[:200] or "t",
                status="firing",
                severity="critical",
                summary=text,
                at=NOW,
                facts=[("Teramati", text[:100])],
                quotes=[text[:280]] * 3,
                links=[Link(label="Tangani", url="https://api.sigap.test/v1/ack/x")],
            )
            for index in range(items)
        ],
        created_at=NOW,
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=120), st.text(max_size=5000))
def test_any_message_fits_slacks_and_teams_limits(items: int, text: str) -> None:
    slack = slack_payload(_message(items, text))
    assert len(slack["blocks"]) <= 50
    for block in slack["blocks"]:
        assert len((block.get("text") or {}).get("text", "")) <= 3000
    assert len(json.dumps(slack, ensure_ascii=False)) <= 12_000
    assert len(json.dumps(teams_payload(_message(items, text)), ensure_ascii=False).encode()) <= 26 * 1024


LABELS = {"tenant": "brand-a", "client": "A", "severity": "critical", "scope": "national", "rule": "story_spread"}


def test_routing_walks_the_tree_like_alertmanager_with_continue() -> None:
    policy = NotificationPolicy.model_validate(
        {
            "route": {
                "name": "root",
                "routes": [
                    {
                        "name": "national",
                        "matchers": [{"label": "scope", "op": "=~", "value": "national|global"}],
                        "continue": True,
                    },
                    {"name": "critical", "matchers": [{"label": "severity", "op": "=", "value": "critical"}]},
                    {"name": "never", "matchers": [{"label": "severity", "op": "=", "value": "critical"}]},
                ],
            }
        }
    )
    assert [route.path for route in matching_routes(policy, LABELS)] == ["root/0", "root/1"]
    local = LABELS | {"scope": "local", "severity": "warning"}
    assert [route.path for route in matching_routes(policy, local)] == ["root"]


def test_a_time_interval_is_read_in_its_own_zone() -> None:
    policy = NotificationPolicy.model_validate(
        {"time_intervals": {"office": [{"weekdays": ["wednesday"], "times": [{"start": "09:00", "end": "17:00"}]}]}}
    )
    assert TimeInterval().location == "Asia/Jakarta"
    assert in_intervals(policy, ("office",), NOW)  # 09:00 UTC is 16:00 in Jakarta, a Wednesday
    assert not in_intervals(policy, ("office",), NOW + timedelta(hours=1))


def test_inhibition_needs_the_same_story_and_a_more_severe_source() -> None:
    rules = NotificationPolicy().inhibit_rules
    warning = LABELS | {"severity": "warning", "story": "s-1"}
    assert inhibited(warning, [LABELS | {"story": "s-1"}], rules)
    assert not inhibited(warning, [LABELS | {"story": "s-2"}], rules)
    assert not inhibited(LABELS | {"story": "s-1"}, [LABELS | {"story": "s-1"}], rules)


@pytest.mark.parametrize(
    "url",
    ["ftp://hooks.test/x", "https://user:pw@hooks.test/x", "http://hooks.test/x", "https:///x", "https://[::1"],
)
def test_unsafe_url_syntax_is_refused_before_any_lookup(url: str) -> None:
    with pytest.raises(UnsafeUrlError):
        check_syntax(url)


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::a9fe:a9fe", "64:ff9b::a00:1", "2002:a9fe:a9fe::", "::a9fe:a9fe", "fec0::1", "64:ff9b:1::a9fe:a9fe",
     "::ffff:10.0.0.1", "2002:c0a8:0101::1", "64:ff9b::7f00:1"],
)  # fmt: skip
def test_ipv6_forms_carrying_a_private_or_metadata_ipv4_are_not_public(address: str) -> None:
    assert not is_public(address)


def test_ipv6_forms_carrying_a_public_ipv4_are_public_like_it() -> None:
    assert is_public("64:ff9b::808:808")  # NAT64 of 8.8.8.8
    assert is_public("2002:808:808::1")  # 6to4 of 8.8.8.8
    assert is_public("2606:4700:4700::1111")


@given(st.ip_addresses())
def test_only_global_unicast_addresses_count_as_public(address: object) -> None:
    import ipaddress

    ip = ipaddress.ip_address(str(address))
    if is_public(str(ip)):
        assert ip.is_global
        assert not ip.is_multicast


def _mail_channel(to: list[str]) -> Any:
    from sigap.outbound.domain.models import Channel, ChannelType

    return Channel(
        channel_id="ch-000000000001",
        tenant_id="brand-a",
        name="crisis mail",
        type=ChannelType.EMAIL,
        target=to[0],
        to=to,
        created_at=NOW,
    )


def test_alert_email_goes_through_the_stacks_configuration_set_so_its_bounces_are_seen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sigap.outbound import providers
    from sigap.outbound.domain.models import ChannelType

    sent: list[dict[str, object]] = []

    class FakeSes:
        def send_email(self, **request: object) -> dict[str, str]:
            sent.append(request)
            return {"MessageId": "m-1"}

    monkeypatch.setattr(providers, "ses_client", FakeSes)
    channel = _mail_channel(["crisis@brand-a.example"])
    providers.Providers("alerts@sigap.example", email_configuration_set="sigap-feedback").for_type(
        ChannelType.EMAIL
    ).send(channel, None, _message(1, "Teh Segar"))
    assert sent[0]["ConfigurationSetName"] == "sigap-feedback"


def test_an_ses_refusal_keeps_the_recipients_address_out_of_the_stored_reason_and_names_the_sandbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from botocore.exceptions import ClientError

    from sigap.outbound import providers
    from sigap.outbound.domain.models import ChannelType, DeliveryError

    class SandboxedSes:
        def send_email(self, **request: object) -> dict[str, str]:
            message = (
                "Email address is not verified. The following identities failed the check in region US-EAST-1: "
                "budi.santoso@brand-a.example, <rina@brand-a.example>"
            )
            raise ClientError({"Error": {"Code": "MessageRejected", "Message": message}}, "SendEmail")

    monkeypatch.setattr(providers, "ses_client", SandboxedSes)
    channel = _mail_channel(["budi.santoso@brand-a.example", "rina@brand-a.example"])
    with pytest.raises(DeliveryError) as refused:
        providers.Providers("alerts@sigap.example").for_type(ChannelType.EMAIL).send(
            channel, None, _message(1, "Teh Segar")
        )
    reason = str(refused.value)
    assert "@" not in reason
    assert "MessageRejected" in reason
    assert "sandbox" in reason
    assert not refused.value.retryable
