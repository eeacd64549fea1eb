"""`make bench`: numbers worth pasting into a note, printed as Markdown tables.

1. Each function's handler import time (a cold start's own share) beside a bare `import boto3`, measured in
   turn in the same rounds of fresh processes, as ratios; the three Lambda layers as shared/Makefile builds them
   (size, files) and what their compiled modules save a handler's import (bench/layer_bench.py).
2. Scoring: accuracy and macro-F1 of Sigap, VADER and TF-IDF + LR (trained on SmSA) on every evaluation set;
   texts/s of each, batched and one at a time, on the same texts; `sigap score` end to end on 10,000 short
   posts on one core (model load included); the model's load time.
3. Local end-to-end throughput: mentions/s from the first POST to the last stored score, on the local stack.
4. Fuzzing both HTTP APIs (the Hypothesis test of `make test`, with more cases): requests sent, by status.
5. Detection: on real brand-mention volumes (NAB realTweets, NAB's standard score beside the published
   detectors'), then on the labelled streams in bench/detection/streams, the sharp synthetic ones and the
   realistic ones (crises detected, minutes from onset, false alarms per brand-week, critical alerts from rants,
   an NAB-style score), Sigap beside four published listening-tool rules every time; `sigap backtest`
   throughput, and the detector's cost per tenant-minute.
6. Alert delivery under injected faults (bench/delivery_bench.py): sent, retried, dead-lettered, duplicated
   and lost per channel, and the alert-event-to-channel latency, on the local stack.
7. The tone check (bench/tone_bench.py): precision and recall per rule on Sigap's hand-written statements.
8. Publishing (bench/publishing_bench.py): one statement to 10,000 subscribers through the publisher with SES
   throttled (time, SES calls, duplicates, losses), and the status page's size and load in headless Chromium.

9. The doors (bench/import_bench.py, email_bench.py, feed_bench.py): bulk import rows/s and memory; e-mails
   read per second; feeds read per second by format, and 500 feeds due in one scheduled minute through the
   scheduler and the feed function under moto (time, AWS calls per read, first read and unchanged).
10. Capacity and cost (sigap_tools.capacity): the viral minute (50,000 authors, 1,000 mentions/s) and a tenant
    at 1,000/s for 10 minutes through the deployed code under moto, every DynamoDB call metered into units per
    partition key per second and item sizes against AWS's limits; the cost per million mentions; the idle floor.

    python bench/run.py [--only imports|scoring|ablation|pipeline|bulk-import|email|feeds|fuzz|detection|delivery|
                                tone|publishing|capacity]
                         [--subscribers 10000] [--mentions 3000] [--runs 7]
                         [--fuzz 3000] [--alerts 60]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/'s own modules: baselines, scoring_bench


def _import_seconds(code_dir: Path, module: str) -> float:
    probe = (
        "import sys, time; sys.path.insert(0, sys.argv[1]); t = time.perf_counter(); "
        f"import {module}; print(time.perf_counter() - t)"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe, str(code_dir)], capture_output=True, text=True, check=True, cwd=code_dir
    )
    return float(output.stdout.strip().splitlines()[-1])


def import_times(runs: int) -> None:
    from sigap_tools.local.template import Template

    functions = [
        (spec.logical_id, spec.code_uri, spec.handler.rpartition(".")[0])
        for spec in Template.load(ROOT / "template.yaml").functions()
    ]
    samples: dict[str, list[float]] = {"import boto3": []}
    samples |= {name: [] for name, _, _ in functions}
    ratios: dict[str, list[float]] = {name: [] for name, _, _ in functions}
    for _ in range(runs):  # each round times boto3 and every handler in turn, so drift hits them alike
        baseline = _import_seconds(ROOT, "boto3") * 1000
        samples["import boto3"].append(baseline)
        for name, code_dir, module in functions:
            took = _import_seconds(code_dir, module) * 1000
            samples[name].append(took)
            ratios[name].append(took / baseline)
    print(
        f"### Cold start: handler import time (median of {runs} rounds of fresh processes; "
        f"Python {sys.version.split()[0]})\n"
    )
    print("| import | median ms | min ms | max ms | × import boto3 (median of per-round ratios) |")
    print("|---|---:|---:|---:|---:|")
    for name, values in samples.items():
        ratio = f"{statistics.median(ratios[name]):.2f}" if name in ratios else "1.00"
        print(f"| {name} | {statistics.median(values):.0f} | {min(values):.0f} | {max(values):.0f} | {ratio} |")
    print()
    from layer_bench import layers

    layers(runs)


def fuzz(examples: int) -> None:
    import json

    with tempfile.TemporaryDirectory(prefix="sigap-fuzz-") as folder:
        report = Path(folder) / "statuses.json"
        started = time.monotonic()
        answer = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/integration/test_http_fuzz.py"],
            cwd=ROOT,
            check=False,
            env={**os.environ, "SIGAP_FUZZ_EXAMPLES": str(examples), "SIGAP_FUZZ_REPORT": str(report)},
            capture_output=True,
            text=True,
        )
        if answer.returncode != 0:  # the falsifying example, with its @reproduce_failure blob
            lines = [line for line in answer.stdout.splitlines() if not line.startswith(("{", "INFO", "WARNING"))]
            print("### Fuzzing found a failure\n\n```\n" + "\n".join(lines[-80:]) + "\n```\n")
        statuses = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    seconds = time.monotonic() - started
    print(f"### Fuzzing both HTTP APIs ({examples} cases per route kind, Hypothesis; {seconds:.0f} s)\n")
    print("| function | status | requests |")
    print("|---|---:|---:|")
    for key in sorted(statuses, key=lambda k: (k.split()[0], int(k.split()[1]))):
        function, status = key.split()
        print(f"| {function} | {status} | {statuses[key]} |")
    total = sum(statuses.values())
    server_errors = sum(count for key, count in statuses.items() if int(key.split()[1]) >= 500)
    print(f"| **all** | | **{total}** ({server_errors} 5xx) |")
    print()


def pipeline(count: int) -> None:
    from sigap.kernel.models import StackMode, utc_now
    from sigap.tenants.store import TenantStore
    from sigap_tools.cli.target import resolve_target
    from sigap_tools.client import SigapClient
    from sigap_tools.demo.replay import load_scenario, now_utc, place_in_time
    from sigap_tools.local.stack import LocalStack, StackOptions
    from sigap_tools.queue_depth import queue_depth
    from sigap_tools.tenants import create_tenant

    scenario = place_in_time(load_scenario(), now_utc())
    mentions: list[dict[str, Any]] = []
    while len(mentions) < count:
        round_number = len(mentions) // len(scenario)
        mentions.extend(m | {"id": f"{m['id']}-b{round_number}"} for m in scenario)
    mentions = mentions[:count]
    with tempfile.TemporaryDirectory(prefix="sigap-bench-") as state:
        stack = LocalStack(StackOptions(template_path=ROOT / "template.yaml", port=0, state_dir=Path(state), warm=True))
        stack.start()
        try:
            target = resolve_target(None, Path(state))
            tenant, key = create_tenant(
                TenantStore(target.output("TenantsTableName")), "bench", None, mode=StackMode.SINGLE, now=utc_now()
            )
            client = SigapClient(stack.api_url, key)
            since = (now_utc() - timedelta(days=1)).isoformat()
            started = time.monotonic()
            post_latencies = []
            for start in range(0, len(mentions), 500):
                sent = time.monotonic()
                answer = client.post_mentions(tenant.tenant_id, mentions[start : start + 500])
                post_latencies.append(time.monotonic() - sent)
                assert answer.status == 202, answer.body
            posted = time.monotonic() - started
            scored = 0
            while time.monotonic() - started < 900:
                # The queue is asked first (cheap); the summary, which reads every aggregate, once it is empty.
                if queue_depth(target.output("ScoringQueueUrl")) == 0:
                    scored = client.summary(tenant.tenant_id, since=since).body["total"]
                    if scored >= count:
                        break
                time.sleep(0.1)
            total = time.monotonic() - started
            dead = queue_depth(target.output("ScoringDeadLetterQueueUrl"))
            score_now = _score_now_latencies(client, tenant.tenant_id, [m["text"] for m in mentions])
            hooks = _webhook_throughput(client, tenant.tenant_id, mentions)
        finally:
            stack.stop()
    print(f"### Local end-to-end throughput ({count} mentions, POSTs of 500, scoring BatchSize 10, 2 sandboxes)\n")
    print("| measure | value |")
    print("|---|---:|")
    print(f"| mentions posted | {count} |")
    print(f"| mentions scored and stored | {scored} |")
    print(f"| dead-lettered | {dead} |")
    print(f"| ingest: median POST of 500 | {statistics.median(post_latencies) * 1000:.0f} ms |")
    print(f"| ingest throughput | {count / posted:.0f} mentions/s |")
    print(f"| end to end (first POST to last stored score) | {total:.1f} s |")
    print(f"| end-to-end throughput | {scored / total:.0f} mentions/s |")
    for size, latencies in score_now.items():
        ordered = sorted(latencies)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        print(
            f"| score now, {size} text(s), warm: p50 / p95 | {statistics.median(ordered) * 1000:.0f} / "
            f"{p95 * 1000:.0f} ms |"
        )
    for line in hooks:
        print(line)
    print()


def _webhook_throughput(client: Any, tenant_id: str, mentions: list[dict[str, Any]]) -> list[str]:
    """Webhook ingest on the warm local stack, as the demo's tools send it: one Sprinklr event per request,
    signed with Standard Webhooks, four at a time; and records of 500 per request through a URL-secret source
    (the `sigap` preset). Also the mapping alone, in process: records mapped per second."""
    from concurrent.futures import ThreadPoolExecutor

    from sigap.ingest.mapping.model import map_payload
    from sigap.ingest.mapping.presets import PRESETS
    from sigap.kernel.kinds import SourceChannel
    from sigap_tools.demo.doors import LISTENING_TOOL, Doors
    from sigap_tools.demo.replay import now_utc

    doors = Doors(client, tenant_id)
    doors.register()
    social = [m | {"id": f"hook-{m['id']}"} for m in mentions if doors.door_of(m) == LISTENING_TOOL][:400]
    latencies: list[float] = []

    def post(mention: dict[str, Any]) -> None:
        sent = time.monotonic()
        answer = doors.post(mention)
        latencies.append(time.monotonic() - sent)
        assert answer.status == 202, answer.body

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(post, social))
    signed_seconds = time.monotonic() - started
    created = client.request(
        "POST", f"/v1/tenants/{tenant_id}/sources", body={"name": "bulk", "verification": "url_secret"}
    ).body
    records = [m | {"id": f"bulk-{m['id']}"} for m in mentions][:2000]
    started = time.monotonic()
    for start in range(0, len(records), 500):
        answer = client.without_key().request(
            "POST", f"/v1/hooks/{tenant_id}/bulk", body=records[start : start + 500], query={"key": created["secret"]}
        )
        assert answer.status == 202, answer.body
    batch_seconds = time.monotonic() - started
    preset = PRESETS["sigap"]
    started = time.monotonic()
    mapped = map_payload(records, preset.mapping, source="bench", channel=SourceChannel.OTHER, received_at=now_utc())
    mapping_seconds = time.monotonic() - started
    assert len(mapped.mentions) == len(records)
    ordered = sorted(latencies)
    return [
        f"| webhook, one signed Sprinklr event per request, 4 at a time: p50 / p95 | "
        f"{statistics.median(ordered) * 1000:.0f} / {ordered[max(0, round(0.95 * len(ordered)) - 1)] * 1000:.0f} ms |",
        f"| webhook, signed single events: throughput | {len(social) / signed_seconds:.0f} mentions/s |",
        f"| webhook, 500 records per request (URL secret, `sigap` preset): throughput | "
        f"{len(records) / batch_seconds:.0f} mentions/s |",
        f"| mapping alone (`sigap` preset, in process) | {len(records) / mapping_seconds:,.0f} records/s |",
    ]


def _score_now_latencies(client: Any, tenant_id: str, texts: list[str], rounds: int = 20) -> dict[int, list[float]]:
    """POST /score on the warm local stack: the seconds each answer took, for 1 and for 100 texts."""
    found: dict[int, list[float]] = {}
    for size in (1, 100):
        body = {"texts": [{"text": text} for text in texts[:size]]}
        client.request("POST", f"/v1/tenants/{tenant_id}/score", body=body)  # the sandbox's first call loads the model
        found[size] = []
        for _ in range(rounds):
            sent = time.monotonic()
            answer = client.request("POST", f"/v1/tenants/{tenant_id}/score", body=body)
            found[size].append(time.monotonic() - sent)
            assert answer.status == 200, answer.body
    return found


def detection() -> None:
    sys.path.insert(0, str(ROOT / "bench" / "detection"))
    import cost
    import evaluate
    import nab

    started = time.monotonic()
    scores = nab.run()
    print(
        "### Detection on real brand-mention volumes: NAB realTweets (10 brands, 5-minute counts, 33 labelled "
        f"windows), NAB's standard profile ({time.monotonic() - started:.0f} s)\n"
    )
    print(nab.table(scores))
    print()
    for title, names in (("sharp synthetic shapes", evaluate.SHARP), ("realistic shapes", evaluate.REALISTIC)):
        truth = evaluate.subset(evaluate.load_truth(), names)
        streams = ", ".join(
            f"{name} ({len(s['tenants'])} brands, {s['days']} days, {s['mentions']:,} mentions)"
            for name, s in truth["streams"].items()
        )
        crises = sorted(event["kind"] for event in truth["events"] if event["crisis"])
        traps = sorted({event["kind"] for event in truth["events"] if not event["crisis"]})
        started = time.monotonic()
        results = evaluate.run(streams=names)
        print(
            f"### Detection on labelled streams, {title}: {streams}; {len(crises)} crises ({', '.join(crises)}); "
            f"traps: {', '.join(traps)} ({time.monotonic() - started:.0f} s)\n"
        )
        print(evaluate.table(results))
        print(
            "\n`sigap backtest` throughput, one core, slowest stream: "
            f"{results[0].mentions_per_minute:,.0f} mentions/minute\n"
        )
    cost.report()


def capacity() -> None:
    """DynamoDB's capacity on the viral minute and the busy tenant (the adapters' real calls under moto, metered),
    then what Sigap costs per million mentions and a brand stack's idle floor."""
    from sigap_tools.capacity import agency, cost, report, scenario

    def progress(line: str) -> None:
        print(f"  ({line})", file=sys.stderr)

    viral = scenario.run(rate=1_000, seconds=60, authors=50_000, progress=progress)
    print(report.capacity_table(viral, "The viral minute: 50,000 distinct authors, 1,000 mentions/s, one tenant"))
    busy = scenario.run(rate=1_000, seconds=600, authors=50_000, every=10, progress=progress)
    print(report.capacity_table(busy, "The busy tenant: 1,000 mentions/s for 10 minutes"))
    lines = cost.per_million(viral, cost.scoring_cpu_seconds())
    print(
        cost.table(
            "Cost per million mentions (us-east-1 list prices; the viral minute's metered units)",
            lines,
            "per million mentions",
        )
    )
    new_writes, new_reads = cost.story_index_per_new_text(viral)
    every_new = (new_writes * cost.PRICE_WRITE_UNIT + new_reads * cost.PRICE_READ_UNIT) * 1e6
    print(
        f"The story index costs {new_writes:.1f} write and {new_reads:.1f} read units per distinct text (its bands "
        f"claimed; a copy finds them and writes nothing): the viral minute posted {viral.distinct_texts} distinct "
        f"texts in {viral.mentions:,} mentions, as a crisis spreads copies. In a stream where every text is new, "
        f"it would add ${every_new:.2f} per million mentions; where one in ten is, ${every_new / 10:.2f}.\n"
    )
    stored_gb = cost.stored_gb_per_million(viral)
    print(
        f"Storage beside it: a million mentions keep {stored_gb:.2f} GB in DynamoDB (mentions, partials with their "
        f"listing entries, roll-ups, stories), ${stored_gb * cost.PRICE_STORAGE_GB_MONTH:.2f} for each month they are "
        "kept (the default retention is 90 days).\n"
    )
    idle = agency.run(tenants=20, minutes=61, sandboxes=5)
    floor = cost.idle_floor(ROOT / "template.yaml", idle.read_units)
    print(cost.table("Idle floor of one brand stack (no mentions, one tenant), per month", floor, "a month"))
    print(
        cost.table(
            "An agency's 10,000 idle clients evaluated every minute, per month",
            cost.agency_month(idle, 10_000, ROOT / "template.yaml"),
            "a month",
        )
    )
    print(
        f"Measured on {idle.tenants} idle clients over {idle.minutes} minutes (across an hour) through the detector "
        f"and the evaluator, each message (up to ten clients) dealt at random to one of {idle.sandboxes} evaluator "
        f"sandboxes (a sandbox reads a client's hourly baseline only when it does not hold it yet): "
        f"{idle.read_units:.2f} read and "
        f"{idle.write_units:.3f} write units a tenant-minute, "
        f"writes in {idle.minutes_with_writes} of the {idle.minutes} minutes (the hourly roll-up); DynamoDB calls a "
        f"tenant-minute: {', '.join(f'{kind} {count:.2f}' for kind, count in idle.call_kinds.items())}. A client's "
        f"first evaluation (a catch-up over the last six hours) costs {idle.first_read_units:.0f} read and "
        f"{idle.first_write_units:.0f} write units, once. The reminders run reads none of them: only the tenants "
        "whose promises need a look.\n"
    )


@contextlib.contextmanager
def _environment_kept() -> Iterator[None]:
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--only",
        choices=[
            "imports",
            "scoring",
            "ablation",
            "pipeline",
            "bulk-import",
            "email",
            "feeds",
            "fuzz",
            "detection",
            "delivery",
            "tone",
            "publishing",
            "capacity",
        ],
    )
    parser.add_argument("--alerts", type=int, default=60, help="alerts in the delivery fault-injection run")
    parser.add_argument("--fuzz", type=int, default=3000, help="fuzz cases per route kind")
    parser.add_argument("--mentions", type=int, default=3000)
    parser.add_argument("--subscribers", type=int, default=10_000, help="subscribers in the publishing run")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if args.only in (None, "imports"):
        import_times(args.runs)
    if args.only in (None, "scoring"):
        from scoring_bench import scoring

        scoring(args.runs)
    if args.only in (None, "ablation"):
        from scoring_ablation import ablation

        ablation()
    if args.only in (None, "pipeline"):
        with _environment_kept():  # the local stack's endpoints, set for the section, go with its stack
            pipeline(args.mentions)
    if args.only in (None, "bulk-import"):
        from import_bench import report as bulk_import

        bulk_import()
    if args.only in (None, "email"):
        from email_bench import report as email_reading

        email_reading()
    if args.only in (None, "feeds"):
        from feed_bench import report as feed_reading

        feed_reading()
    if args.only in (None, "fuzz"):
        fuzz(args.fuzz)
    if args.only in (None, "detection"):
        detection()
    if args.only in (None, "delivery"):
        from delivery_bench import delivery

        with _environment_kept():
            delivery(args.alerts)
    if args.only in (None, "tone"):
        from tone_bench import tone

        tone()
    if args.only in (None, "publishing"):
        from publishing_bench import publishing

        with _environment_kept():
            publishing(args.subscribers)
    if args.only in (None, "capacity"):
        capacity()


if __name__ == "__main__":
    main()
