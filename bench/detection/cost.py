"""What detection costs per tenant-minute, and what 1,000 tenants cost per month at AWS list prices.

The deployed evaluator's own code (`evaluate_through` on the DynamoDB and SQS adapters) runs under moto,
in-process, on resources provisioned from template.yaml, for a brand's ordinary day (a bench stream's brand,
its mentions scored and stored by the scoring function's own logic). Every DynamoDB and SQS call is counted by
botocore's event hooks, with the bytes each returned or sent, turned into capacity units as DynamoDB bills
them (reads: 0.5 unit per 4 KB eventually consistent; writes: 1 unit per KB, twice in a transaction). CPU per
tenant-minute is the detection logic's alone, from the in-memory backtest of the same stream.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
STREAM = Path(__file__).resolve().parent / "streams" / "fmcg.jsonl.gz"
TENANT = "teh-segar"
HOURS = 6

# us-east-1 list prices (on-demand DynamoDB since November 2024; Lambda arm64; SQS standard; CloudWatch Logs).
PRICE_READ_UNIT = 0.125 / 1e6
PRICE_WRITE_UNIT = 0.625 / 1e6
PRICE_LAMBDA_GB_SECOND_ARM = 0.0000133334
PRICE_LAMBDA_REQUEST = 0.20 / 1e6
PRICE_SQS_REQUEST = 0.40 / 1e6
PRICE_LOG_GB = 0.50
MINUTES_PER_MONTH = 30 * 24 * 60


class Meter:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.read_units = 0.0
        self.write_units = 0.0

    def after(self, http_response: Any, parsed: Any, model: Any, **_: Any) -> None:
        name = model.name
        self.calls[f"{model.service_model.service_name}:{name}"] += 1
        if model.service_model.service_name != "dynamodb":
            return
        size = len(http_response.content or b"") if http_response is not None else 0
        if name in ("GetItem", "Query", "BatchGetItem"):
            self.read_units += max(0.5, 0.5 * math.ceil(size / 4096))

    def before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.service_model.service_name != "dynamodb":
            return
        name = model.name
        if name == "PutItem":
            self.write_units += math.ceil(len(json.dumps(params.get("Item", {}))) / 1024)
        elif name == "TransactWriteItems":
            for item in params.get("TransactItems", []):
                body = item.get("Put", {}).get("Item") or item.get("Delete", {}).get("Key") or {}
                self.write_units += 2 * math.ceil(len(json.dumps(body)) / 1024)
        elif name == "BatchWriteItem":
            for requests in params.get("RequestItems", {}).values():
                for request in requests:
                    body = request.get("PutRequest", {}).get("Item") or request.get("DeleteRequest", {}).get("Key")
                    self.write_units += math.ceil(len(json.dumps(body or {})) / 1024)


def _day_of(tenant: str, hours: int, end: datetime) -> list[dict[str, Any]]:
    with gzip.open(STREAM, "rt", encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle]
    own = [line for line in lines if line["tenant"] == tenant]
    first = datetime.fromisoformat(own[0]["created_at"]) + timedelta(days=2)  # after the stream's first days
    chosen = [
        line for line in own if first <= datetime.fromisoformat(line["created_at"]) < first + timedelta(hours=hours)
    ]
    shift = end - (first + timedelta(hours=hours))
    for line in chosen:
        line["created_at"] = (datetime.fromisoformat(line["created_at"]) + shift).isoformat()
    return chosen


def measure() -> dict[str, Any]:
    import boto3
    from moto import mock_aws

    from sigap.detection.domain.evaluation import DetectorPorts, evaluate_through
    from sigap.detection.domain.models import DetectionSettings
    from sigap.detection.queues import AlertEventQueue
    from sigap.detection.samples import MentionSamples
    from sigap.detection.store import AlertsTable, StateAdapter
    from sigap.mentions.aggregate_store import AggregateStore
    from sigap.mentions.listing import MentionListing
    from sigap.mentions.store import MentionStore
    from sigap.platform.aws import dynamodb_client, reset_clients, sqs_client
    from sigap.scoring.domain.engine import SigapScorer
    from sigap.scoring.domain.run import ScoringRun
    from sigap.scoring.domain.sentiment import shipped_model
    from sigap.scoring.domain.stories import MemoryBandIndex
    from sigap_tools.backtest.replay import mention_of
    from sigap_tools.local.provision import provision
    from sigap_tools.local.template import Template

    os.environ.update(
        {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}
    )
    for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
        os.environ.pop(name)  # an earlier section's local stack (stopped now) must not receive moto's calls
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    day = _day_of(TENANT, HOURS, end)
    with mock_aws():
        reset_clients()
        provisioned, _ = provision(
            Template.load(ROOT / "template.yaml"), "bench", boto3.client("dynamodb"), boto3.client("sqs")
        )
        tables, queues = provisioned.tables, provisioned.queues
        store = MentionStore(tables["MentionsTable"], tables["AggregatesTable"])
        scorer = SigapScorer(shipped_model(), MemoryBandIndex())
        mentions = [mention_of(json.dumps(line), number, datetime.now(UTC)) for number, line in enumerate(day)]
        for first in range(0, len(mentions), 10):
            batch = {
                f"m{index}": mention.model_dump_json() for index, mention in enumerate(mentions[first : first + 10])
            }
            run = ScoringRun(batch, scorer=scorer, sink=store, retention_days=90, now=end)
            for message_id in batch:
                run.store(message_id)
        alerts = AlertsTable(tables["AlertsTable"])
        ports = DetectorPorts(
            aggregates=AggregateStore(tables["AggregatesTable"], 8),
            history=alerts,
            state=StateAdapter(alerts),
            alerts=alerts,
            events=AlertEventQueue(queues["AlertEventsQueue"]["url"]),
            samples=MentionSamples(MentionListing(tables["MentionsTable"], tables["AggregatesTable"], 8)),
        )
        meter = Meter()
        for client in (dynamodb_client(), sqs_client()):
            client.meta.events.register("after-call.*.*", meter.after)
            client.meta.events.register("provide-client-params.*.*", meter.before)
        from sigap.detection.settings_store import DetectionSettingsStore

        # The first evaluation catches up (a new deployment); then one minute at a time, as the schedule asks.
        start = end - timedelta(hours=HOURS - 1)
        evaluate_through(TENANT, start, DetectionSettings, ports)
        meter.calls.clear()
        meter.read_units = meter.write_units = 0.0
        minutes = 0
        moment = start + timedelta(minutes=1)
        began = time.perf_counter()
        while moment <= end:
            # As the evaluator reads them for each request: only when the minute has something to evaluate.
            settings = partial(DetectionSettingsStore(tables["TenantsTable"]).get, TENANT)
            evaluate_through(TENANT, moment, settings, ports)
            minutes += 1
            moment += timedelta(minutes=1)
        seconds = time.perf_counter() - began
        reset_clients()
    return {
        "mentions": len(mentions),
        "minutes": minutes,
        "calls": {name: count / minutes for name, count in sorted(meter.calls.items())},
        "read_units": meter.read_units / minutes,
        "write_units": meter.write_units / minutes,
        "moto_seconds_per_minute": seconds / minutes,
    }


def logic_cpu_ms() -> tuple[float, int]:
    """CPU of the detection logic alone per tenant-minute: the in-memory backtest of the stream, less its scoring."""
    import io

    from sigap.scoring.domain.engine import SigapScorer
    from sigap.scoring.domain.sentiment import shipped_model
    from sigap.scoring.domain.stories import MemoryBandIndex
    from sigap_tools.backtest.replay import read_stream, run_backtest

    with gzip.open(STREAM, "rt", encoding="utf-8") as handle:
        lines = handle.readlines()
    started = time.process_time()
    report = run_backtest(lines, io.StringIO(), progress=False)
    total = time.process_time() - started
    from sigap_tools.backtest.replay import BacktestReport

    started = time.process_time()
    mentions = read_stream(lines, BacktestReport(), datetime.now(UTC))
    scorer = SigapScorer(shipped_model(), MemoryBandIndex())
    for start in range(0, len(mentions), 50):
        scorer.score_batch(mentions[start : start + 50])
    scoring = time.process_time() - started
    return (total - scoring) / report.evaluations * 1000, report.evaluations


def report() -> None:
    measured = measure()
    cpu_ms, evaluations = logic_cpu_ms()
    per_month = 1000 * MINUTES_PER_MONTH
    reads = measured["read_units"] * per_month * PRICE_READ_UNIT
    writes = measured["write_units"] * per_month * PRICE_WRITE_UNIT
    # Lambda: the evaluator at 512 MB; per tenant-minute the logic's CPU plus ~4 DynamoDB round trips of ~8 ms
    calls = sum(count for name, count in measured["calls"].items() if name.startswith("dynamodb"))
    evaluator_seconds = cpu_ms / 1000 + calls * 0.008
    lambda_cost = (
        per_month * evaluator_seconds * 0.5 * PRICE_LAMBDA_GB_SECOND_ARM + per_month / 10 * PRICE_LAMBDA_REQUEST
    )
    scheduler = MINUTES_PER_MONTH * (2.0 * 0.25 * PRICE_LAMBDA_GB_SECOND_ARM + PRICE_LAMBDA_REQUEST)
    # SQS: one send per 10 requests by the scheduler, one receive and one delete per batch of 10 by Lambda
    sqs = per_month * 0.3 * PRICE_SQS_REQUEST
    logs = per_month / 10 * 1.5e-6 * PRICE_LOG_GB  # ~1.5 KB of metrics and start/end lines per invocation
    print(
        f"### Detection cost per tenant-minute ({TENANT}'s ordinary traffic, {measured['mentions']} mentions over "
        f"{HOURS} h; the deployed evaluator's adapters under moto; {measured['minutes']} minutes)\n"
    )
    print("| measure | per tenant-minute |")
    print("|---|---:|")
    for name, count in measured["calls"].items():
        print(f"| {name} calls | {count:.2f} |")
    print(f"| DynamoDB read units (eventually consistent) | {measured['read_units']:.2f} |")
    print(f"| DynamoDB write units | {measured['write_units']:.3f} |")
    print(f"| detection logic CPU (in-memory backtest, {evaluations} tenant-minutes) | {cpu_ms:.2f} ms |")
    print(
        f"| wall time under moto (adapters + logic, in-process) | {measured['moto_seconds_per_minute'] * 1000:.1f} ms |"
    )
    print()
    print("### 1,000 tenants for a month (43,200 minutes), us-east-1 list prices\n")
    print("| item | USD / month |")
    print("|---|---:|")
    print(f"| DynamoDB reads | {reads:.2f} |")
    print(f"| DynamoDB writes | {writes:.2f} |")
    print(f"| Lambda: evaluator (512 MB arm64, batches of 10) | {lambda_cost:.2f} |")
    print(f"| Lambda: scheduler | {scheduler:.2f} |")
    print(f"| SQS requests | {sqs:.2f} |")
    print(f"| CloudWatch Logs | {logs:.2f} |")
    print(f"| **total** | **{reads + writes + lambda_cost + scheduler + sqs + logs:.2f}** |")
    print()


if __name__ == "__main__":
    report()
