"""`make bench`: numbers worth pasting into a note, printed as Markdown tables.

1. Each function's handler import time (a cold start's own share), median of fresh processes.
2. Scoring: accuracy and macro-F1 of Sigap, VADER and TF-IDF + LR (trained on SmSA) on every evaluation set;
   texts/s of each, batched and one at a time, on the same texts; `sigap score` end to end on 10,000 short
   posts on one core (model load included); the model's load time.
3. Local end-to-end throughput: mentions/s from the first POST to the last stored score, on the local stack.

    python bench/run.py [--only imports|scoring|pipeline] [--mentions 3000] [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
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
    from sigap.local.template import Template

    print(f"### Handler import time (median of {runs} fresh processes; Python {sys.version.split()[0]})\n")
    print("| function | median ms | min ms | max ms |")
    print("|---|---:|---:|---:|")
    for spec in Template.load(ROOT / "template.yaml").functions():
        module = spec.handler.rpartition(".")[0]
        samples = [_import_seconds(spec.code_uri, module) * 1000 for _ in range(runs)]
        print(f"| {spec.logical_id} | {statistics.median(samples):.0f} | {min(samples):.0f} | {max(samples):.0f} |")
    print()


def pipeline(count: int) -> None:
    from sigap.cli.target import resolve_target
    from sigap.client import SigapClient
    from sigap.dal.queue_depth import queue_depth
    from sigap.dal.tenants import TenantStore
    from sigap.demo.replay import load_scenario, now_utc, place_in_time
    from sigap.local.stack import LocalStack, StackOptions
    from sigap.models import StackMode, utc_now
    from sigap.tenants import create_tenant

    scenario = place_in_time(load_scenario(), now_utc())
    mentions: list[dict[str, Any]] = []
    while len(mentions) < count:
        round_number = len(mentions) // len(scenario)
        mentions.extend(m | {"id": f"{m['id']}-b{round_number}"} for m in scenario)
    mentions = mentions[:count]
    with tempfile.TemporaryDirectory(prefix="sigap-bench-") as state:
        stack = LocalStack(StackOptions(template_path=ROOT / "template.yaml", port=0, state_dir=Path(state)))
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
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["imports", "scoring", "pipeline"])
    parser.add_argument("--mentions", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if args.only in (None, "imports"):
        import_times(args.runs)
    if args.only in (None, "scoring"):
        from scoring_bench import scoring

        scoring(args.runs)
    if args.only in (None, "pipeline"):
        pipeline(args.mentions)


if __name__ == "__main__":
    main()
