"""Grouping, repeat and resolve timing with Alertmanager's meaning, silences (including one that ends with its
incident), inhibition, acknowledgement and escalation: the notifier and delivery logic on a hand-driven clock,
storing everything in the real notifications table under moto."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sigap.detection.domain.models import AlertStatus, Rule, Severity, TransitionKind
from sigap.notify.domain.acknowledging import acknowledge
from sigap.notify.domain.configuration import create_silence
from sigap.notify.domain.models import NotificationKind
from sigap.notify.domain.silences import SilenceCreate
from sigap.outbound.domain.models import ChannelType
from tests.integration.conftest import AwsStack
from tests.integration.notify_harness import STORY, Harness, make_alert


@pytest.fixture
def harness(aws: AwsStack) -> Harness:
    aws.new_tenant("brand-a")
    return Harness(aws)


def kinds(harness: Harness, channel_id: str) -> list[str]:
    return [message.kind for message in harness.sent_to(channel_id)]


def test_one_critical_alert_is_one_notification_per_channel_after_group_wait(harness: Harness) -> None:
    # Given e-mail, Slack and webhook channels and the default policy (group_wait 30 s)
    channels = [harness.channel(kind) for kind in (ChannelType.EMAIL, ChannelType.SLACK, ChannelType.WEBHOOK)]
    # When a critical alert fires
    harness.fire(make_alert())
    harness.advance(29)
    # Then nothing is sent before group_wait has passed
    assert harness.sent == []
    harness.advance(2)
    # And then exactly one firing notification reaches each channel
    for channel in channels:
        assert kinds(harness, channel.channel_id) == ["firing"]
    # And nothing more in the next hour while nothing changes
    harness.advance(3600)
    assert len(harness.sent) == 3


def test_alerts_on_one_story_arriving_within_group_wait_share_one_notification(harness: Harness) -> None:
    slack = harness.channel(ChannelType.SLACK)
    harness.fire(make_alert(1))
    harness.advance(10)
    harness.fire(make_alert(2, rule=Rule.NEGATIVE_SPIKE))  # a brand-wide spike driven by the same story
    harness.advance(25)
    messages = harness.sent_to(slack.channel_id)
    assert len(messages) == 1
    assert len(messages[0].items) == 2


def test_a_change_waits_for_group_interval_and_an_unchanged_alert_repeats_after_repeat_interval(
    harness: Harness,
) -> None:
    slack = harness.channel(ChannelType.SLACK)
    harness.fire(make_alert(1))
    harness.advance(31)
    # Given a new alert joining the notified group 60 s later
    harness.fire(make_alert(2))
    harness.advance(290)  # t = 321 s
    # Then it waits for group_interval (5 min after the last flush, at t = 330 s)
    assert kinds(harness, slack.channel_id) == ["firing"]
    harness.advance(20)
    assert kinds(harness, slack.channel_id) == ["firing", "firing"]
    # And with nothing new, the group repeats only after repeat_interval (4 h after the last send)
    harness.advance(4 * 3600 - 30)
    assert kinds(harness, slack.channel_id) == ["firing", "firing"]
    harness.advance(60)
    assert kinds(harness, slack.channel_id) == ["firing", "firing", "repeat"]


def test_a_resolve_notice_is_sent_promptly_and_once(harness: Harness) -> None:
    email = harness.channel(ChannelType.EMAIL)
    alert = make_alert()
    harness.fire(alert)
    harness.advance(31)
    # When the alert resolves
    harness.fire(alert.model_copy(update={"status": AlertStatus.RESOLVED, "version": 2}), TransitionKind.RESOLVED)
    harness.advance(300)
    # Then one resolve notice goes out within group_interval, and never again
    assert kinds(harness, email.channel_id) == ["firing", "resolved"]
    harness.advance(8 * 3600)
    assert kinds(harness, email.channel_id) == ["firing", "resolved"]


def test_a_retried_transition_changes_nothing(harness: Harness) -> None:
    webhook = harness.channel(ChannelType.WEBHOOK)
    alert = make_alert()
    harness.fire(alert)
    harness.fire(alert)  # SQS delivered the same event twice
    harness.advance(31)
    harness.fire(alert)  # and once more after the flush
    harness.advance(600)
    assert kinds(harness, webhook.channel_id) == ["firing"]


def test_a_silenced_alert_is_kept_but_not_notified(harness: Harness) -> None:
    harness.channel(ChannelType.SLACK)
    silence = create_silence(
        "brand-a",
        SilenceCreate(matchers=[{"label": "story", "op": "=", "value": STORY}], created_by="rina", comment="known"),
        harness.now,
    )
    harness.table.put_silence(silence)
    harness.fire(make_alert())
    harness.advance(3600)
    assert harness.sent == []
    group = harness.table.group("brand-a", _only_group(harness))
    assert group is not None
    assert len(group.members) == 1


def _only_group(harness: Harness) -> str:
    items, _ = harness.table._query("brand-a", "GROUP#")
    assert len(items) == 1
    return str(items[0]["sk"]["S"]).removeprefix("GROUP#")


def test_a_silence_tied_to_an_incident_ends_when_it_resolves_and_the_resolve_notice_is_sent(
    harness: Harness,
) -> None:
    # Given a notified critical alert whose incident is then silenced until it resolves
    email = harness.channel(ChannelType.EMAIL)
    alert = make_alert()
    harness.fire(alert)
    harness.advance(31)
    incident = harness.table.open_incident("brand-a", f"story:{STORY}")
    assert incident is not None
    silence = create_silence(
        "brand-a",
        SilenceCreate(
            matchers=[{"label": "story", "op": "=", "value": STORY}],
            created_by="rina",
            ends_at=harness.now + timedelta(days=30),
            incident_id=incident.incident_id,
        ),
        harness.now,
    )
    harness.table.put_silence(silence)
    # When the alert resolves (which resolves the incident)
    harness.fire(alert.model_copy(update={"status": AlertStatus.RESOLVED, "version": 2}), TransitionKind.RESOLVED)
    harness.advance(310)
    # Then the silence has ended with it, and the resolve notice went out once
    stored = harness.table.silence("brand-a", silence.silence_id)
    assert stored is not None
    assert not stored.active(harness.now)
    assert kinds(harness, email.channel_id) == ["firing", "resolved"]


def test_a_critical_alert_inhibits_warnings_on_the_same_story_only(harness: Harness) -> None:
    slack = harness.channel(ChannelType.SLACK)
    # Group per alert, so that inhibition (not grouping) is what decides
    harness.policy("brand-a", {"route": {"group_by": ["tenant", "rule", "severity", "subject"]}})
    harness.fire(make_alert(1, severity=Severity.CRITICAL))
    harness.fire(make_alert(2, severity=Severity.WARNING, rule=Rule.NEGATIVE_SPIKE))
    harness.fire(make_alert(3, severity=Severity.WARNING, subject="s-ffffffffffff"))
    harness.advance(31)
    shown = sorted(item.item_id for message in harness.sent_to(slack.channel_id) for item in message.items)
    assert shown == sorted([make_alert(1).alert_id, make_alert(3, subject="s-ffffffffffff").alert_id])


def test_an_acknowledged_story_pages_nobody_about_later_alerts_no_more_severe(harness: Harness) -> None:
    slack = harness.channel(ChannelType.SLACK)
    harness.policy("brand-a", {"route": {"group_by": ["tenant", "rule", "subject"]}})
    harness.fire(make_alert(1))
    harness.advance(31)
    acknowledge("brand-a", make_alert(1).alert_id, "rina", "api", "on it", harness.ports, harness.now)
    harness.fire(make_alert(2, severity=Severity.WARNING, rule=Rule.NEGATIVE_SPIKE))
    harness.advance(3600)
    assert kinds(harness, slack.channel_id) == ["firing"]
    incident = harness.table.open_incident("brand-a", f"story:{STORY}")
    assert incident is not None
    assert incident.acknowledged_at is not None


def _escalating_policy(harness: Harness) -> tuple[str, str]:
    first = harness.channel(ChannelType.EMAIL).channel_id
    second = harness.channel(ChannelType.SNS).channel_id
    policy = {
        "route": {"receivers": [first], "escalation_policy": "oncall"},
        "escalation_policies": {"oncall": {"steps": [{"after_minutes": 10, "receivers": [second]}], "loops": 0}},
    }
    harness.policy("brand-a", policy)
    return first, second


def test_an_unacknowledged_critical_alert_escalates_to_the_next_step_once(harness: Harness) -> None:
    first, second = _escalating_policy(harness)
    harness.fire(make_alert())
    harness.advance(9 * 60)
    assert kinds(harness, second) == []
    harness.advance(2 * 60)
    assert kinds(harness, first) == ["firing"]
    assert kinds(harness, second) == [NotificationKind.ESCALATION.value]
    harness.advance(6 * 3600)
    assert kinds(harness, second) == [NotificationKind.ESCALATION.value]


def test_an_acknowledgement_stops_escalation(harness: Harness) -> None:
    _, second = _escalating_policy(harness)
    harness.fire(make_alert())
    harness.advance(60)
    acknowledge("brand-a", make_alert().alert_id, "rina", "link", "", harness.ports, harness.now)
    harness.advance(3600)
    assert kinds(harness, second) == []
    escalation = harness.table.escalation("brand-a", _only_group(harness))
    assert escalation is not None
    assert escalation.done
    assert "acknowledged" in (escalation.stopped_reason or "")


def test_an_expired_acknowledgement_lets_escalation_resume(harness: Harness) -> None:
    _, second = _escalating_policy(harness)
    policy = harness.table.policy("brand-a").model_copy(update={"ack_expires_after_minutes": 30})
    harness.table.put_policy("brand-a", policy)
    harness.fire(make_alert())
    harness.advance(60)
    acknowledge("brand-a", make_alert().alert_id, "rina", "api", "", harness.ports, harness.now)
    harness.advance(20 * 60)
    assert kinds(harness, second) == []
    harness.advance(15 * 60)
    assert kinds(harness, second) == [NotificationKind.ESCALATION.value]


def test_a_critical_alert_opens_an_incident_that_later_alerts_join_with_a_timeline(harness: Harness) -> None:
    harness.channel(ChannelType.EMAIL)
    harness.fire(make_alert(1))
    harness.advance(31)
    harness.fire(make_alert(2, severity=Severity.WARNING))
    harness.advance(300)
    acknowledge("brand-a", make_alert(1).alert_id, "rina", "api", "", harness.ports, harness.now)
    incident = harness.table.open_incident("brand-a", f"story:{STORY}")
    assert incident is not None
    assert set(incident.alerts) == {make_alert(1).alert_id, make_alert(2).alert_id}
    assert incident.time_to_detect_seconds == 20 * 60  # first counted minute to first alert
    assert incident.time_to_acknowledge_seconds is not None
    timeline = [entry.kind.value for entry in harness.table.timeline("brand-a", incident.incident_id)]
    for expected in ("first_mention", "alert_fired", "alert_joined", "notification_sent", "acknowledged"):
        assert expected in timeline, timeline
    # When every alert resolves, the incident resolves with its time to resolve
    for number in (1, 2):
        alert = make_alert(number, severity=Severity.CRITICAL if number == 1 else Severity.WARNING)
        harness.fire(alert.model_copy(update={"status": AlertStatus.RESOLVED, "version": 2}), TransitionKind.RESOLVED)
    resolved = harness.table.incident("brand-a", incident.incident_id)
    assert resolved is not None
    assert resolved.state.value == "resolved"
    assert resolved.time_to_resolve_seconds is not None
    assert harness.table.open_incident("brand-a", f"story:{STORY}") is None


def test_quiet_hours_postpone_a_notification_until_they_end(harness: Harness) -> None:
    slack = harness.channel(ChannelType.SLACK)
    harness.policy(
        "brand-a",
        {
            "time_intervals": {"night": [{"times": [{"start": "08:00", "end": "10:00"}], "location": "UTC"}]},
            "route": {"mute_time_intervals": ["night"]},
        },
    )
    harness.fire(make_alert())  # at 09:00 UTC
    harness.advance(3000)
    assert harness.sent == []
    harness.advance(700)  # past 10:00
    assert kinds(harness, slack.channel_id) == ["firing"]


def test_an_agency_route_receives_every_clients_critical_alerts_labelled_with_the_client(aws: AwsStack) -> None:
    # Given an agency stack: the agency's own tenant with a route for critical alerts, and two clients
    aws.new_tenant("agency")
    aws.new_tenant("brand-a")
    aws.new_tenant("brand-b")
    harness = Harness(aws, agency="agency")
    oncall = harness.channel(ChannelType.SLACK, owner="agency")
    harness.policy("agency", {"route": {"matchers": [{"label": "severity", "op": "=", "value": "critical"}]}})
    client_channel = harness.channel(ChannelType.EMAIL, owner="brand-b")
    # When each client raises a critical alert, and one client a warning
    harness.fire(make_alert(1, tenant="brand-a"))
    harness.fire(make_alert(2, tenant="brand-b"))
    harness.fire(make_alert(3, tenant="brand-b", severity=Severity.WARNING, subject="s-eeeeeeeeeeee"))
    harness.advance(31)
    # Then the agency's on-call gets one notification per client story, each naming its client
    messages = harness.sent_to(oncall.channel_id)
    assert len(messages) == 2
    clients = sorted(item.client for message in messages for item in message.items)
    assert clients == ["brand-a", "brand-b"]
    # And the client's own channel still gets its own alerts, warning included
    assert len(harness.sent_to(client_channel.channel_id)) == 2


def test_acknowledging_one_alert_of_a_message_acknowledges_the_alerts_sent_with_it(harness: Harness) -> None:
    # Given one message per brand carrying two critical alerts on different stories, each escalating
    first, second = _escalating_policy(harness)
    policy = harness.table.policy("brand-a")
    harness.table.put_policy(
        "brand-a", policy.model_copy(update={"route": policy.route.model_copy(update={"group_by": ["tenant"]})})
    )
    harness.fire(make_alert(1))
    harness.fire(make_alert(2, subject="s-ffffffffffff"))
    harness.advance(31)
    (message,) = harness.sent_to(first)
    assert len(message.items) == 2
    # When the recipient acknowledges the first alert of the message
    acknowledge("brand-a", make_alert(1).alert_id, "rina", "link", "", harness.ports, harness.now)
    # Then neither alert escalates, and both stories' incidents record it
    harness.advance(3600)
    assert kinds(harness, second) == []
    for story in (STORY, "s-ffffffffffff"):
        incident = harness.table.open_incident("brand-a", f"story:{story}")
        assert incident is not None
        assert incident.acknowledged_at is not None


def test_a_group_of_unacknowledged_critical_alerts_escalates_in_one_message_per_step(harness: Harness) -> None:
    first, second = _escalating_policy(harness)
    policy = harness.table.policy("brand-a")
    harness.table.put_policy(
        "brand-a", policy.model_copy(update={"route": policy.route.model_copy(update={"group_by": ["tenant"]})})
    )
    for number, story in enumerate(["s-aaaaaaaaaaaa", "s-bbbbbbbbbbbb", "s-cccccccccccc"], start=1):
        harness.fire(make_alert(number, subject=story))
    harness.advance(11 * 60)
    (escalation,) = harness.sent_to(second)
    assert escalation.kind == NotificationKind.ESCALATION.value
    assert len(escalation.items) == 3
    assert len(harness.sent_to(first)) == 1
