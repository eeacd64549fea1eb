"""Publishing on in-memory ports: staff first, one send per (version, channel, recipient) however often a step
runs, throttles retried without loss or duplicates, the site's promises and languages, double opt-in, one-click
unsubscribe, suppression and the complaint pause, update reminders, and the report's figures."""

from __future__ import annotations

import html
import json
from datetime import timedelta

import pytest

from sigap.incidents.domain.model import EventKind, IncidentEvent, IncidentState
from sigap.kernel.language import Language
from sigap.kernel.minute_counts import AggregateWindow, MinuteCounts
from sigap.kernel.tokens import LinkError
from sigap.outbound.domain.models import Channel, ChannelType
from sigap.statements.domain.models import (
    PublicationTarget,
    PublicationTask,
    PublishingSettings,
    PublishRequest,
    Review,
    StatementCreate,
    StatementEdit,
    Submission,
    Subscriber,
    SubscribeRequest,
    SubscriberState,
)
from sigap.statements.domain.publisher import handle_task
from sigap.statements.domain.reminders import Checked, check_reminders
from sigap.statements.domain.report import build_report
from sigap.statements.domain.report_pages import report_html, report_pdf
from sigap.statements.domain.site import build_site, status_document
from sigap.statements.domain.site_content import SiteInput
from sigap.statements.domain.subscribers import (
    MIN_SENT_FOR_PAUSE,
    Feedback,
    apply_feedback,
    confirm,
    subscribe,
    unsubscribe,
    unsubscribe_token,
)
from sigap.statements.domain.workflow import create_statement, new_version, publish, review, submit
from tests.unit.publishing_fakes import (
    INCIDENT_ID,
    NOW,
    TENANT,
    VARIABLES,
    FakeChannels,
    FakeDeadLetters,
    FakeIncidents,
    FakeMailer,
    FakePublishing,
    FakeQueue,
    FakeSite,
    incident,
    publisher_world,
)

KEY = b"k" * 32


def _published(store: FakePublishing, at: object = NOW) -> str:
    incidents = publisher_world(store).incidents
    request = StatementCreate(incident_id=INCIDENT_ID, by="rina", template="crisis", variables=VARIABLES)
    statement_id = create_statement(store, incidents, TENANT, request, NOW).statement.statement_id  # type: ignore[arg-type]
    submit(store, TENANT, statement_id, Submission(by="rina"), NOW)
    review(store, TENANT, statement_id, Review(by="budi"), NOW)
    publish(store, incidents, FakeQueue(), TENANT, statement_id, PublishRequest(by="budi"), at)  # type: ignore[arg-type]
    return statement_id


def _subscribers(store: FakePublishing, count: int) -> None:
    for index in range(count):
        email = f"reader{index}@example.org"
        store.subscribers[email] = Subscriber(
            tenant_id=TENANT, email=email, state=SubscriberState.CONFIRMED, created_at=NOW
        )


def _run_all(ports: object, first: PublicationTask, limit: int = 10_000) -> None:
    """Runs every queued and delayed task, as the queue would, until none is left."""
    queue = ports.queue  # type: ignore[attr-defined]
    pending = [first]
    clock = NOW
    for _ in range(limit):
        if not pending:
            if not queue.delayed:
                return
            clock += timedelta(seconds=max(delay for _, delay in queue.delayed))  # the waits pass
            pending = [task for task, _ in queue.delayed]
            queue.delayed.clear()
        task = pending.pop(0)
        handle_task(task, ports, clock)  # type: ignore[arg-type]
        pending.extend(queue.sent)
        queue.sent.clear()
    raise AssertionError("publishing never finished")


def _staff_task(statement_id: str) -> PublicationTask:
    return PublicationTask(tenant_id=TENANT, statement_id=statement_id, version=1, target=PublicationTarget.STAFF)


def test_staff_hear_first_then_the_page_the_channels_and_every_subscriber_once() -> None:
    store = FakePublishing(
        settings_value=PublishingSettings(staff_emails=["staff@x.example"], channel_ids=["ch-000000000001"])
    )
    _subscribers(store, 120)
    statement_id = _published(store)
    ports = publisher_world(store)
    channels = ports.channels
    assert isinstance(channels, FakeChannels)
    channels.known["ch-000000000001"] = Channel(
        channel_id="ch-000000000001",
        tenant_id=TENANT,
        name="hook",
        type=ChannelType.WEBHOOK,
        target="x",
        created_at=NOW,
    )
    _run_all(ports, _staff_task(statement_id))
    mailer = ports.mailer
    assert isinstance(mailer, FakeMailer)
    assert mailer.sent[0][0] == ["staff@x.example"], "the staff list is told before anything is public"
    recipients = [to[0] for to, _, _ in mailer.sent[1:]]
    assert sorted(recipients) == sorted(store.subscribers)
    assert all(headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for _, _, headers in mailer.sent[1:])
    assert len(channels.sent) == 1
    assert isinstance(ports.site, FakeSite)
    assert "index.html" in ports.site.written
    # When every step runs again (a redelivered batch)
    _run_all(ports, _staff_task(statement_id))
    assert len(mailer.sent) == 121
    assert len(channels.sent) == 1
    assert store.counters[(statement_id, 1, "subscribers")] == {"sent": 120}


def test_a_throttled_ses_loses_nobody_and_sends_nobody_twice() -> None:
    store = FakePublishing()
    _subscribers(store, 500)
    statement_id = _published(store)
    mailer = FakeMailer(fail_every=7)
    ports = publisher_world(store, mailer)
    _run_all(ports, _staff_task(statement_id))
    recipients = [to[0] for to, _, _ in mailer.sent]
    assert len(recipients) == len(set(recipients)) == 500
    assert isinstance(ports.dead_letters, FakeDeadLetters)
    assert ports.dead_letters.put_bodies == []
    assert mailer.calls > 500, "some calls were throttled and retried"


def test_a_recipient_that_always_fails_is_dead_lettered_with_its_reason_after_the_schedule() -> None:
    store = FakePublishing()
    _subscribers(store, 1)
    statement_id = _published(store)
    mailer = FakeMailer(fail_every=1)
    ports = publisher_world(store, mailer)
    _run_all(ports, _staff_task(statement_id))
    assert isinstance(ports.dead_letters, FakeDeadLetters)
    ((body, reason),) = ports.dead_letters.put_bodies
    assert "Throttling" in reason
    assert json.loads(body)["recipients"] == ["reader0@example.org"]
    assert store.counters[(statement_id, 1, "subscribers")] == {"failed": 1}


def test_subscriber_email_is_paused_when_complaints_climb_and_the_rest_wait_in_the_dlq() -> None:
    store = FakePublishing()
    store.sending = store.sending.model_copy(update={"sent": MIN_SENT_FOR_PAUSE * 10})
    stats = apply_feedback(
        store,
        Feedback(tenant_id=TENANT, kind="Complaint", recipients=["a@x.org", "b@x.org"], at=NOW),
        pause_rate=0.001,
        now=NOW,
    )
    assert stats.paused_at == NOW
    assert store.suppression(TENANT, "a@x.org") is not None
    _subscribers(store, 3)
    statement_id = _published(store)
    mailer = FakeMailer()
    ports = publisher_world(store, mailer)
    _run_all(ports, _staff_task(statement_id))
    assert mailer.sent == []
    assert isinstance(ports.dead_letters, FakeDeadLetters)
    assert "paused" in ports.dead_letters.put_bodies[0][1]


def test_a_soft_bounce_suppresses_nobody_and_a_hard_bounce_does() -> None:
    store = FakePublishing()
    apply_feedback(
        store, Feedback(tenant_id=TENANT, kind="Bounce", permanent=False, recipients=["a@x.org"], at=NOW), 0.001, NOW
    )
    assert store.suppression(TENANT, "a@x.org") is None
    apply_feedback(store, Feedback(tenant_id=TENANT, kind="Bounce", recipients=["A@x.org"], at=NOW), 0.001, NOW)
    assert store.suppression(TENANT, "a@x.org") is not None


class _Links:
    def confirm_url(self, tenant_id: str, token: str) -> str:
        return f"https://api.example/confirm/{token}"

    def unsubscribe_url(self, tenant_id: str, token: str) -> str:
        return f"https://api.example/unsubscribe/{token}"


class _Confirmations:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def confirmation(self, subscriber: Subscriber, confirm_url: str) -> None:
        self.sent.append((subscriber.email, confirm_url))


def test_double_opt_in_confirms_once_and_a_flood_of_requests_sends_few_emails() -> None:
    store, mail = FakePublishing(), _Confirmations()
    for _ in range(20):
        subscribe(store, mail, _Links(), KEY, TENANT, SubscribeRequest(email="Reader@Example.org"), NOW)
    assert len(mail.sent) == 1, "a repeated subscribe within minutes sends no second e-mail"
    later = NOW + timedelta(minutes=11)
    subscribe(store, mail, _Links(), KEY, TENANT, SubscribeRequest(email="reader@example.org"), later)
    assert len(mail.sent) == 2
    token = mail.sent[-1][1].rsplit("/", 1)[1]
    confirmed = confirm(store, KEY, TENANT, token, later)
    assert confirmed.state is SubscriberState.CONFIRMED
    assert confirmed.email == "reader@example.org"
    with pytest.raises(LinkError):
        confirm(store, KEY, "other-brand", token, later)
    with pytest.raises(LinkError):
        confirm(store, KEY, TENANT, token, later + timedelta(days=8))


def test_an_unsubscribe_link_works_forever_and_twice_is_harmless_but_a_confirm_link_cannot_unsubscribe() -> None:
    store = FakePublishing()
    _subscribers(store, 1)
    token = unsubscribe_token(KEY, TENANT, "reader0@example.org", NOW)
    far = NOW + timedelta(days=3000)
    assert unsubscribe(store, KEY, TENANT, token, far) == "reader0@example.org"
    assert unsubscribe(store, KEY, TENANT, token, far) == "reader0@example.org"
    assert store.subscribers["reader0@example.org"].state is SubscriberState.UNSUBSCRIBED
    with pytest.raises(LinkError):
        unsubscribe(store, KEY, TENANT, token[:-3] + "abc", far)


def _site(store: FakePublishing, now: object, **incident_changes: object) -> dict[str, object]:
    files = build_site(
        SiteInput(
            tenant_id=TENANT,
            tenant_name="Teh Segar",
            settings=store.settings_value,
            incidents=[(incident(**incident_changes), list(store.statements.values()))],
            now=now,  # type: ignore[arg-type]
            site_url=f"https://status.example/{TENANT}/",
            subscribe_url="https://api.example/v1/status/teh-segar/subscribe",
        )
    )
    return {path: file.body.decode() for path, file in files.items()}


def test_the_page_says_when_a_promised_update_is_late_and_never_shows_a_passed_promise_as_due() -> None:
    store = FakePublishing()
    _published(store)
    on_time = _site(store, NOW + timedelta(minutes=30))
    late = _site(store, NOW + timedelta(minutes=61))
    assert "Pembaruan berikutnya paling lambat" in str(on_time["index.html"])
    assert "terlambat" in str(late["index.html"])
    assert "is late" in str(late["en/index.html"])
    resolved = _site(store, NOW + timedelta(minutes=61), state=IncidentState.RESOLVED, resolved_at=NOW)
    assert "terlambat" not in str(resolved["index.html"])


def test_the_page_is_small_has_no_script_a_strict_csp_and_both_languages() -> None:
    store = FakePublishing()
    _published(store)
    files = _site(store, NOW)
    page = html.unescape(str(files["index.html"]))
    assert len(page.encode()) < 50_000
    assert "<script" not in page
    assert "default-src 'none'" in page
    assert "style-src 'sha256-" in page
    assert '<html lang="id">' in page
    assert '<html lang="en">' in str(files["en/index.html"])
    assert 'href="en/"' in page
    assert "14 people raised" not in page


def test_the_page_carries_the_brands_colour_inside_its_hashed_style() -> None:
    import base64
    import hashlib
    import re

    store = FakePublishing()
    _published(store)
    store.settings_value = store.settings_value.model_copy(update={"brand_colour": "#0b7a3e"})
    page = str(_site(store, NOW)["index.html"])
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style
    assert "#0b7a3e" in style.group(1)
    digest = base64.b64encode(hashlib.sha256(html.unescape(style.group(1)).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in html.unescape(page)


def test_a_correction_is_marked_and_earlier_versions_stay_with_their_times() -> None:
    store = FakePublishing()
    statement_id = _published(store)
    content = store.statements[statement_id].current.content.model_copy(
        update={"correction": True, "correction_note": "The batch code was wrong.", "next_update_at": None}
    )
    later = NOW + timedelta(hours=2)
    new_version(store, TENANT, statement_id, StatementEdit(by="rina", content=content), later)
    submit(store, TENANT, statement_id, Submission(by="rina"), later)
    review(store, TENANT, statement_id, Review(by="budi"), later)
    incidents = publisher_world(store).incidents
    publish(store, incidents, FakeQueue(), TENANT, statement_id, PublishRequest(by="budi"), later)  # type: ignore[arg-type]
    files = _site(store, later)
    assert str(files["index.html"]).count('<li id="st-') == 2
    assert "Koreksi" in str(files["index.html"])
    assert "[Correction]" in str(files["en/feed.json"])
    document = status_document(
        SiteInput(
            tenant_id=TENANT,
            tenant_name="Teh Segar",
            settings=store.settings_value,
            incidents=[(incident(), list(store.statements.values()))],
            now=later,
        )
    )
    versions = [u["version"] for u in document["incidents"][0]["updates"]]
    assert versions == [2, 1]


def test_markdown_cannot_inject_script_or_javascript_links_into_the_page() -> None:
    store = FakePublishing()
    statement_id = _published(store)
    bad = store.statements[statement_id].current.content
    assert bad.id is not None
    evil = bad.id.model_copy(update={"body": bad.id.body + "\n\n<script>alert(1)</script> [x](javascript:alert(1))"})
    version = store.statements[statement_id].current.model_copy(update={"content": bad.model_copy(update={"id": evil})})
    store.statements[statement_id] = store.statements[statement_id].model_copy(update={"versions": [version]})
    page = str(_site(store, NOW)["index.html"])
    assert "<script>" not in page
    assert 'href="javascript:' not in page


def test_reminders_come_before_the_promise_and_escalation_after_it_once_each() -> None:
    store = FakePublishing(settings_value=PublishingSettings(staff_emails=["staff@x.example"]))
    _published(store)
    mailer = FakeMailer()
    ports = publisher_world(store, mailer)
    ports.incidents.known[INCIDENT_ID] = incident(owner="rina@teh-segar.example")  # type: ignore[attr-defined]
    # (the promise is NOW + 60 min; reminders come 15 min before it)
    ahead = check_reminders(TENANT, ports, store, NOW + timedelta(minutes=10))
    assert ahead == Checked(done=[], next_look=NOW + timedelta(minutes=45))
    first = check_reminders(TENANT, ports, store, NOW + timedelta(minutes=46))
    assert first.done
    assert first.done[0].startswith("reminded")
    assert first.next_look == NOW + timedelta(minutes=60)
    assert mailer.sent[-1][0] == ["rina@teh-segar.example"]
    assert check_reminders(TENANT, ports, store, NOW + timedelta(minutes=50)).done == []
    late = check_reminders(TENANT, ports, store, NOW + timedelta(minutes=61))
    assert late.done
    assert late.done[0].startswith("escalated")
    assert late.next_look is None, "a promise escalated needs no further look"
    assert isinstance(ports.site, FakeSite)
    assert "terlambat" in ports.site.written["index.html"].body.decode()
    assert check_reminders(TENANT, ports, store, NOW + timedelta(minutes=90)) == Checked(done=[], next_look=None)
    kinds = [e.kind for e in ports.incidents.events]  # type: ignore[attr-defined]
    assert kinds.count(EventKind.UPDATE_REMINDER) == 1
    assert kinds.count(EventKind.UPDATE_OVERDUE) == 1


def test_publishing_a_version_wakes_its_tenants_reminders_once_it_is_saved() -> None:
    # Given a statement published (its version promises the next update)
    store = FakePublishing()
    incidents = FakeIncidents()
    request = StatementCreate(incident_id=INCIDENT_ID, by="rina", template="crisis", variables=VARIABLES)
    statement_id = create_statement(store, incidents, TENANT, request, NOW).statement.statement_id
    submit(store, TENANT, statement_id, Submission(by="rina"), NOW)
    review(store, TENANT, statement_id, Review(by="budi"), NOW)
    assert incidents.woken == [], "nothing is promised before publishing"
    publish(store, incidents, FakeQueue(), TENANT, statement_id, PublishRequest(by="budi"), NOW)
    # Then the reminders run looks at the tenant next time, and the promise it will find is saved
    assert incidents.woken == [(TENANT, NOW)]
    assert store.statements[statement_id].current.content.next_update_at is not None


def test_a_reminder_that_could_not_be_sent_is_tried_again_next_run() -> None:
    store = FakePublishing(settings_value=PublishingSettings(staff_emails=["staff@x.example"]))
    _published(store)
    mailer = FakeMailer(fail_every=1)
    ports = publisher_world(store, mailer)
    failed = check_reminders(TENANT, ports, store, NOW + timedelta(minutes=46))
    assert "could not remind" in failed.done[0]
    assert failed.next_look == NOW + timedelta(minutes=46), "the tenant stays due for the next run"
    mailer.fail_every = 0
    assert check_reminders(TENANT, ports, store, NOW + timedelta(minutes=47)).done[0].startswith("reminded")


def _minute(at: object, total: int, negative: int) -> MinuteCounts:
    return MinuteCounts(minute=at.strftime("%Y-%m-%dT%H:%M"), total=total, negative=negative)  # type: ignore[attr-defined]


def test_the_report_measures_the_crisis_and_renders_as_html_and_pdf() -> None:
    store = FakePublishing()
    statement_id = _published(store, NOW + timedelta(minutes=40))
    opened = incident(
        acknowledged_at=NOW + timedelta(minutes=10),
        resolved_at=NOW + timedelta(hours=6),
        state=IncidentState.RESOLVED,
    )
    minutes = [_minute(NOW - timedelta(hours=h), 10, 1) for h in range(1, 20)]  # baseline: 10 % negative
    minutes += [_minute(NOW + timedelta(hours=1), 200, 150), _minute(NOW + timedelta(hours=3), 40, 5)]
    window = AggregateWindow(
        tenant_id=TENANT, since=NOW - timedelta(hours=24), until=NOW + timedelta(hours=8), minutes=minutes
    )
    events = [
        IncidentEvent(event_id="1", incident_id=INCIDENT_ID, at=NOW, kind=EventKind.ALERT_FIRED, text="alert"),
        IncidentEvent(
            event_id="2",
            incident_id=INCIDENT_ID,
            at=NOW + timedelta(minutes=40),
            kind=EventKind.STATEMENT_PUBLISHED,
            text="v1",
        ),
    ]
    report = build_report(
        opened,
        events,
        list(store.statements.values()),
        {},
        window,
        "Publish lab results first.",
        NOW + timedelta(hours=9),
    )
    figures = report.figures
    assert figures.time_to_acknowledge_minutes == 10
    assert figures.time_to_first_statement_minutes == 40
    assert figures.time_to_resolve_minutes == 360
    assert figures.negative_share_before == pytest.approx(0.1)
    assert figures.negative_share_peak == pytest.approx(0.75)
    assert figures.hours_to_baseline == 2
    assert report.statements[0].statement_id == statement_id
    rendered = report_html(report)
    assert "Publish lab results first." in rendered
    assert report.reach.story_id == "s-0123456789ab"
    assert "follows a signal" not in rendered
    signal_report = build_report(
        opened.model_copy(update={"key": "signal:safety_health"}), events, [], {}, window, "", NOW + timedelta(hours=9)
    )
    assert signal_report.reach.story_id is None
    assert "the incident follows a signal, not one story" in report_html(signal_report)
    assert rendered.count("data:image/png;base64,") == 1  # both charts on one time axis
    assert report_pdf(report).startswith(b"%PDF")


def test_a_statement_only_in_english_shows_in_english_on_the_indonesian_page_saying_so() -> None:
    store = FakePublishing()
    statement_id = _published(store)
    content = store.statements[statement_id].current.content.model_copy(update={"id": None, "first": Language.ENGLISH})
    version = store.statements[statement_id].current.model_copy(update={"content": content})
    store.statements[statement_id] = store.statements[statement_id].model_copy(update={"versions": [version]})
    page = str(_site(store, NOW)["index.html"])
    assert "tests show the product is safe" in page
    assert "hanya tersedia dalam bahasa Inggris" in page


@pytest.mark.parametrize(
    ("source", "value", "sentence"),
    [
        (
            "Pembaruan berikutnya akan kami sampaikan {{ when }}.",
            "Pembaruan berikutnya pukul 08.00 WIB besok.",
            "Pembaruan berikutnya akan kami sampaikan pukul 08.00 WIB besok.",
        ),
        (
            "Our next update will be {{ when }}.",
            "Our next update: 8:00 WIB tomorrow.",
            "Our next update will be 8:00 WIB tomorrow.",
        ),
        ("Our next update will be {{ when }}.", "at 18:00 WIB today", "Our next update will be at 18:00 WIB today."),
        ("Kami akan mengabari {{ when }}...", "besok.", "Kami akan mengabari besok..."),
    ],
)
def test_a_variable_that_repeats_its_sentences_start_or_full_stop_is_not_said_twice(
    source: str, value: str, sentence: str
) -> None:
    from sigap.statements.domain.template_sandbox import render_bounded
    from sigap.statements.domain.templates import fitted

    assert render_bounded(source, fitted(source, {"when": value})) == sentence
