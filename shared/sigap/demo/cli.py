"""`sigap demo`: the whole pipeline on a laptop in one command."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sigap.client import SigapClient
from sigap.dal.queue_depth import queue_depth
from sigap.demo.replay import load_scenario, now_utc, place_in_time, replay

DEMO_TENANT = "teh-segar-demo"


def run_demo(args: argparse.Namespace) -> int:
    from sigap.cli.target import resolve_target
    from sigap.dal.tenants import TenantStore
    from sigap.local.stack import LocalStack, StackOptions, find_template
    from sigap.models import StackMode, utc_now
    from sigap.tenants import create_tenant

    started = time.monotonic()
    state_dir: Path = args.state_dir / "demo"
    stack = LocalStack(StackOptions(template_path=find_template(), port=args.port, state_dir=state_dir))
    print("Starting the local stack (moto on 127.0.0.1, resources from template.yaml)...", flush=True)
    try:
        stack.start()
        target = resolve_target(None, state_dir)
        print(f"Local stack up in {time.monotonic() - started:.1f} s. API: {stack.api_url}", flush=True)
        tenant, api_key = create_tenant(
            TenantStore(target.output("TenantsTableName")),
            DEMO_TENANT,
            "Teh Segar (demo brand)",
            mode=StackMode(target.outputs.get("StackMode", "single")),
            now=utc_now(),
        )
        print(f"Tenant {tenant.tenant_id!r} created; its API key authenticates every request below.")
        scenario = load_scenario()
        mentions = []
        for round_number in range(args.repeat):
            for mention in place_in_time(scenario, now_utc()):
                mentions.append(mention | {"id": f"{mention['id']}-r{round_number}"} if round_number else mention)
        channels = sorted({m["channel"] for m in mentions})
        print(f"Replaying {len(mentions)} mentions (Indonesian and English; {', '.join(channels)})...")
        client = SigapClient(stack.api_url, api_key)
        report = replay(
            client,
            tenant.tenant_id,
            mentions,
            queue_depth=lambda: queue_depth(target.output("ScoringQueueUrl")),
            dead_letters=lambda: queue_depth(target.output("ScoringDeadLetterQueueUrl")),
            progress=not args.no_progress,
        )
    finally:
        stack.stop()
    summary = report.summary
    print()
    print(
        f"{report.ingested} ingested, {report.scored} scored, {report.dead_lettered} dead-lettered "
        f"in {report.seconds:.1f} s ({report.scored / report.seconds:.0f} mentions/s end to end)"
    )
    print(
        f"Sentiment: {summary.get('negative')} negative, {summary.get('neutral')} neutral, "
        f"{summary.get('positive')} positive; {summary.get('distinct_authors')} distinct authors; "
        f"mean risk {summary.get('mean_risk')}"
    )
    signals = summary.get("signals") or {}
    if signals:
        print(
            "Crisis signals: "
            + ", ".join(f"{name} {count}" for name, count in sorted(signals.items(), key=lambda p: -p[1]))
        )
    for story in (summary.get("top_stories") or [])[:3]:
        example = report.examples.get(story["story_id"], "")
        print(
            f"Story {story['story_id']}: {story['mentions']} mentions by {story['distinct_authors']} authors"
            + (f' - "{example[:90]}"' if example else "")
        )
    if report.rejected or report.duplicates:
        print(f"{report.rejected} rejected, {report.duplicates} duplicates")
    ok = report.scored == report.ingested == len(mentions) and report.dead_lettered == 0
    print("Demo complete." if ok else "Demo finished with mentions missing: see .sigap/demo/logs/")
    return 0 if ok else 1
