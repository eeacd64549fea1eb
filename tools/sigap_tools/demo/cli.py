"""`sigap demo`: the whole pipeline on a laptop in one command."""

from __future__ import annotations

import argparse
import contextlib
import io
import signal
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sigap_tools.client import SigapClient
from sigap_tools.demo.detection import fetch_alerts, headline, print_alerts, wait_for
from sigap_tools.demo.history import DAYS, HistoryImport, history_rows, import_history
from sigap_tools.demo.notifications import configure, resend_event
from sigap_tools.demo.notifications import show as show_delivery
from sigap_tools.demo.replay import ReplayReport, load_scenario, now_utc, place_in_time, replay
from sigap_tools.demo.statements import AUTHOR, StatementDemo, team_of
from sigap_tools.demo.statements import run as run_statement
from sigap_tools.demo.statements import show as show_statement
from sigap_tools.local.feed_site import FeedSite
from sigap_tools.queue_depth import queue_depth

CRISIS_BRAND = ("teh-segar-demo", "Teh Segar")
CALM_BRAND = ("kopi-senja-demo", "Kopi Senja")
_CALM_KINDS = ("chatter", "delivery")  # the scenario's ordinary traffic, with no crisis in it


def calm_day(scenario: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The second brand's traffic: the scenario's ordinary chatter and delivery talk, about another brand."""
    return [
        mention
        | {"id": mention["id"].replace("demo-", "calm-"), "text": mention["text"].replace("Teh Segar", "Kopi Senja")}
        for mention in scenario
        if mention["id"].split("-")[1] in _CALM_KINDS
    ]


def run_demo(args: argparse.Namespace) -> int:
    from sigap.kernel.models import StackMode, utc_now
    from sigap.tenants.store import TenantStore
    from sigap_tools.cli.target import resolve_target
    from sigap_tools.local.stack import LocalStack, StackOptions, find_template
    from sigap_tools.tenants import create_tenant

    started = time.monotonic()
    state_dir: Path = args.state_dir / "demo"
    # An agency stack, so the demo shows two brands side by side; it starts empty and saves nothing.
    options = StackOptions(
        template_path=find_template(),
        port=args.port,
        state_dir=state_dir,
        parameters={"StackMode": "multi"},
        fresh=True,
        persist=False,
        receiver=True,
    )
    stack = LocalStack(options)
    print("Starting the local stack (moto on 127.0.0.1, resources from template.yaml, StackMode=multi)...", flush=True)
    reports: list[tuple[str, ReplayReport, int, str, datetime]] = []
    imported: dict[str, HistoryImport] = {}
    site = FeedSite()  # the blogs and the news site whose feeds the crisis brand follows
    try:
        site.start()
        stack.start()
        target = resolve_target(None, state_dir)
        print(f"Local stack up in {time.monotonic() - started:.1f} s. API: {stack.api_url}", flush=True)
        scenario = load_scenario()
        traffic = {CRISIS_BRAND: scenario, CALM_BRAND: calm_day(scenario)}
        for (slug, name), brand_mentions in traffic.items():
            tenant, api_key = create_tenant(
                TenantStore(target.output("TenantsTableName")),
                slug,
                name,
                mode=StackMode(target.outputs.get("StackMode", "multi")),
                now=utc_now(),
            )
            mentions = []
            placed_at = now_utc()
            for round_number in range(args.repeat):
                for mention in place_in_time(brand_mentions, placed_at):
                    mentions.append(mention | {"id": f"{mention['id']}-r{round_number}"} if round_number else mention)
            channels = sorted({m["channel"] for m in mentions})
            print(f"\nTenant {tenant.tenant_id!r} ({name}, a demo brand) created with its own API key.")
            if (slug, name) == CRISIS_BRAND:
                assert stack.receiver is not None
                configure(SigapClient(stack.api_url, api_key), tenant.tenant_id, stack.receiver)
                print(
                    "Its channels, configured through the API: e-mail, Slack and a signed webhook for critical "
                    "alerts (in Indonesian), Teams for escalation."
                )
                rows = history_rows(brand_mentions, placed_at)
                history = import_history(SigapClient(stack.api_url, api_key), tenant.tenant_id, rows,
                                         progress=not args.no_progress)  # fmt: skip
                imported[tenant.tenant_id] = history
                print(
                    f"Last month's history, a CSV export of {history.rows:,} everyday posts over {DAYS} days, through "
                    f"the bulk-import door: {history.accepted:,} accepted, {history.rejected} rejected."
                )
            print(f"Replaying {len(mentions)} mentions ({', '.join(channels)})...")
            report = replay(
                SigapClient(stack.api_url, api_key),
                tenant.tenant_id,
                mentions,
                queue_depth=lambda: queue_depth(target.output("ScoringQueueUrl")),
                dead_letters=lambda: queue_depth(target.output("ScoringDeadLetterQueueUrl")),
                progress=not args.no_progress,
                smtp_port=stack.smtp.port if stack.smtp else None,
                site=site,
            )
            reports.append((tenant.tenant_id, report, len(mentions), api_key, placed_at))
        detected = detect(stack, target, reports)
        crisis_key = next(key for tenant_id, _, _, key, _ in reports if tenant_id == CRISIS_BRAND[0])
        crisis_client = SigapClient(stack.api_url, crisis_key)
        assert stack.receiver is not None
        print(
            "\nAlert delivery: waiting for the notifications, acknowledging through the signed link, and for the "
            "escalation step it stops (about 2.5 minutes)...",
            flush=True,
        )
        shown = io.StringIO()  # printed after the detection it follows from
        with contextlib.redirect_stdout(shown):
            delivery = show_delivery(
                crisis_client,
                CRISIS_BRAND[0],
                stack.receiver,
                stack.endpoints["ses"],
                lambda alert_id: resend_event(
                    crisis_client, CRISIS_BRAND[0], alert_id, target.output("AlertEventsQueueUrl")
                ),
                (detected.get(CRISIS_BRAND[0], ([], None, None))[2] or {}).get("subject"),
            )
        print("\nStatement publishing: drafting, checking, approving and publishing the answer to the hoax...")
        publishing = publish_statement(stack, target, crisis_client, state_dir)
        ok = summarise(reports, imported, detected, shown.getvalue(), delivery, publishing)
        print("\nDemo complete." if ok else "\nDemo finished with mentions missing: see .sigap/demo/logs/")
        offer_console(stack.api_url, publishing.credentials, stay=args.stay)
    finally:
        stack.stop()
        site.close()
    return 0 if ok else 1


def summarise(
    reports: list[tuple[str, ReplayReport, int, str, datetime]],
    imported: dict[str, HistoryImport],
    detected: dict[str, tuple[list[dict[str, Any]], datetime | None, dict[str, Any] | None]],
    shown: str,
    delivery: Any,
    publishing: StatementDemo,
) -> bool:
    """Prints what each part of the demo did; True when every part did what it should."""
    ok = True
    for tenant_id, report, sent, _, _ in reports:
        print()
        if tenant_id in imported:
            report.doors["history"] = imported[tenant_id].accepted
            ok = ok and imported[tenant_id].accepted == imported[tenant_id].rows
        print_report(tenant_id, report)
        ok = ok and report.scored == report.ingested == sent and report.dead_lettered == 0
    print("\nDetection (every simulated minute evaluated in order by the deployed evaluator):")
    for tenant_id, (alerts, onset, detail) in detected.items():
        print()
        print_alerts(tenant_id, alerts, onset, detail)
    print(shown, end="")
    crisis_alerts = detected.get(CRISIS_BRAND[0], ([], None, None))[0]
    calm_alerts = detected.get(CALM_BRAND[0], ([], None, None))[0]
    ok = ok and any(a["severity"] == "critical" and a["scope"] != "local" for a in crisis_alerts) and not calm_alerts
    delivered_once = delivery.emails == delivery.slack == delivery.webhook == 1 and delivery.teams == 0
    print(
        "\nNotifications: "
        + ("exactly one per channel" if delivered_once else f"unexpected counts {delivery}")
        + f"; webhook signature verified: {delivery.webhook_verified}; duplicate event ignored: "
        f"{delivery.duplicate_ignored}; acknowledged by link: {delivery.acknowledged}; escalation stopped: "
        f"{delivery.escalation_stopped}"
    )
    ok = ok and delivered_once and delivery.webhook_verified and delivery.acknowledged
    ok = ok and delivery.escalation_stopped and delivery.duplicate_ignored
    show_statement(publishing)
    return ok and publishing.published and publishing.webhook_verified and len(publishing.report_paths) == 2


def offer_console(api_url: str, credentials: dict[str, str], *, stay: bool | None) -> None:
    """The console's address and the crisis team's sign-ins; in a terminal, the stack stays up until Ctrl-C so
    the crisis just watched can be clicked through (a script's run ends here)."""
    print(f"\nThe console, on the crisis you just watched: {api_url}/console/tenants/{CRISIS_BRAND[0]}")
    for (address, password), part in zip(credentials.items(), ("wrote the statement", "approved it"), strict=False):
        print(f"  sign in as {address} ({part}), password {password}")
    if stay if stay is not None else sys.stdin.isatty():
        # Ctrl-C, or a TERM from a script that started it in the background (where SIGINT may be ignored),
        # stops the stack the same way: its servers and sandboxes are shut down, none is left behind. The
        # handlers are in place before the line that says the stack is up, so a stop that follows it is heard.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:  # the line inside: a stop arriving right after it is still caught here
            print("The local stack stays up until you press Ctrl-C.", flush=True)
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            print("\nStopping the local stack...")
    else:
        print("(not a terminal, so the stack stops now: `sigap demo --stay` keeps it up to click through)")


def publish_statement(stack: Any, target: Any, client: SigapClient, state_dir: Path) -> StatementDemo:
    """The statement step on the hoax's incident (the one with the most alerts), by two people who sign in."""
    assert stack.receiver is not None
    incidents = client.request("GET", f"/v1/tenants/{CRISIS_BRAND[0]}/incidents").body["items"]
    hoax = max(incidents, key=lambda incident: (len(incident["alerts"]), incident["opened_at"]))
    team, passwords = team_of(stack, target, CRISIS_BRAND[0])
    # The team names the incident as people call it: the name the post-crisis report carries.
    renamed = team[AUTHOR].request(
        "PATCH",
        f"/v1/tenants/{CRISIS_BRAND[0]}/incidents/{hoax['incident_id']}",
        body={"title": "Hoax: Teh Segar bottled tea is poisonous"},
    )
    if renamed.status != 200:
        raise RuntimeError(f"renaming the incident: {renamed.status} {renamed.body}")
    result = run_statement(
        client,
        team,
        SigapClient(stack.api_url),
        CRISIS_BRAND[0],
        hoax["incident_id"],
        stack.receiver,
        stack.endpoints["ses"],
        state_dir / "reports",
    )
    result.credentials = passwords
    return result


def detect(
    stack: Any, target: Any, reports: list[tuple[str, ReplayReport, int, str, datetime]]
) -> dict[str, tuple[list[dict[str, Any]], datetime | None, dict[str, Any] | None]]:
    """One detection tick, the evaluation queue drained, then each tenant's alerts read over the API."""
    print("\nDetection: one tick of the every-minute schedule; the evaluator catches up each simulated minute...")
    started = time.monotonic()
    from sigap_tools.local.event_sources import scheduled_event

    stack.pool("DetectorFunction").invoke(scheduled_event(now_utc()))
    queue = target.output("EvaluationQueueUrl")
    if not wait_for(lambda: queue_depth(queue) == 0, timeout=600):
        print("  the evaluation queue did not drain in 10 minutes; see .sigap/demo/logs/")
    print(f"  evaluated in {time.monotonic() - started:.1f} s")
    detected = {}
    scenario = load_scenario()
    first_crisis = max(m["minutes_ago"] for m in scenario if m["id"].split("-")[1] not in _CALM_KINDS)
    for tenant_id, _, _, api_key, placed_at in reports:
        client = SigapClient(stack.api_url, api_key)
        alerts = fetch_alerts(client, tenant_id, placed_at - timedelta(hours=7))
        onset = placed_at - timedelta(minutes=first_crisis) if tenant_id == CRISIS_BRAND[0] else None
        first = headline(alerts)
        detail = client.alert(tenant_id, first["alert_id"]).body if first else None
        detected[tenant_id] = (alerts, onset, detail)
    return detected


def print_report(tenant_id: str, report: ReplayReport) -> None:
    summary = report.summary
    print(
        f"{tenant_id}: {report.ingested} ingested, {report.scored} scored, {report.dead_lettered} dead-lettered "
        f"in {report.seconds:.1f} s ({report.scored / report.seconds:.0f} mentions/s end to end)"
    )
    print(
        f"  Sentiment: {summary.get('negative')} negative, {summary.get('neutral')} neutral, "
        f"{summary.get('positive')} positive; {summary.get('distinct_authors')} distinct authors; "
        f"mean risk {summary.get('mean_risk')}"
    )
    signals = summary.get("signals") or {}
    if signals:
        print(
            "  Crisis signals: "
            + ", ".join(f"{name} {count}" for name, count in sorted(signals.items(), key=lambda p: -p[1]))
        )
    for story in (summary.get("top_stories") or [])[:3]:
        if story["mentions"] < 3:
            continue
        example = report.examples.get(story["story_id"], "")
        print(
            f"  Story {story['story_id']}: {story['mentions']} mentions by {story['distinct_authors']} authors"
            + (f' - "{example[:90]}"' if example else "")
        )
    doors = {
        "listening-tool": "Sprinklr webhook, Standard Webhooks",
        "contact-centre": "Zendesk webhook, HMAC",
        "inbound-email": "forwarded e-mails to the SMTP server",
        "blogs": "a blog search's RSS feed, read by Sigap",
        "news": "a news site's Atom feed, read by Sigap",
        "history": "last month's CSV export, bulk import",
    }
    print(
        "  Through the doors: "
        + ", ".join(
            f"{name} ({doors.get(name, 'POST /mentions')}) {count}"
            for name, count in sorted(report.doors.items(), key=lambda pair: -pair[1])
        )
    )
    for name, health in sorted(report.health.items()):
        error = health.get("last_error")
        print(
            f"  Source {name}: {health['accepted']} accepted, {health['duplicates']} duplicates, "
            f"{health['rejected']} rejected" + (f"; last error: {error['reason']}" if error else "")
        )
    if report.rejected or report.duplicates:
        print(f"  {report.rejected} rejected, {report.duplicates} duplicates")
