"""An agency's idle clients through the deployed detection code, on moto, with DynamoDB's capacity metered: what
evaluating a tenant with nothing new costs each minute (`cost.agency_month` adds it up for 10,000 of them).

Each client has one mention, three hours before: known and quiet, as most of an agency's clients are most
minutes. Every simulated minute the detector's tick fans the minute out (`schedule_tick`, reading the tenant
directory, ten tenants a message) and each message is evaluated as the deployed evaluator does
(`DetectionBatchProcessor`: the roll-up, the windows, the detector's state). The run crosses an hour, so the
hourly roll-up is counted; each client's first evaluation (once, when it is new) is measured apart.

The messages are dealt at random to `sandboxes` evaluator sandboxes, each with what it keeps between invocations
(a tenant's BASELINE content, read again only when the tenant's state names another): Lambda's SQS event source
runs at least five batches at once when messages arrive, and a tenant's minutes land on any of them.
"""

from __future__ import annotations

import contextlib
import functools
import io
import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from sigap_tools.capacity.meter import CapacityMeter, table_shapes
from sigap_tools.capacity.scenario import in_process_moto, quiet_mention

ROOT = Path(__file__).resolve().parents[3]
TABLES = ("TenantsTable", "AggregatesTable", "AlertsTable", "MentionsTable")


@dataclass(frozen=True)
class IdleAgency:
    tenants: int
    minutes: int
    sandboxes: int
    read_units: float  # per tenant-minute, once each client has had its first evaluation
    write_units: float
    calls: float  # DynamoDB calls per tenant-minute: the evaluator's time is mostly their round trips
    minutes_with_writes: int  # of `minutes`: an idle minute writes nothing, an hour's roll-up does
    first_read_units: float  # a new client's first evaluation (its catch-up), once
    first_write_units: float
    call_kinds: dict[str, float]


def run(*, tenants: int = 10, minutes: int = 61, sandboxes: int = 5) -> IdleAgency:
    """`tenants` idle clients evaluated every minute for `minutes` minutes after their first evaluation."""
    with in_process_moto():
        return _run(tenants, minutes, sandboxes)


def _run(tenants: int, minutes: int, sandboxes: int) -> IdleAgency:
    import boto3
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from moto import mock_aws

    from sigap.detection import consumer, detector_tick
    from sigap.detection.settings import DetectorSettings, EvaluatorSettings
    from sigap.kernel.kinds import StackMode
    from sigap.platform.aws import dynamodb_client, reset_clients
    from sigap.platform.observability import logger
    from sigap.tenants.store import TenantStore
    from sigap_tools.local import moto_server
    from sigap_tools.local.provision import provision
    from sigap_tools.local.template import Template
    from sigap_tools.tenants import create_tenant

    start = datetime(2026, 12, 4, 9, 50, tzinfo=UTC)  # ten minutes before an hour: the run crosses it
    with moto_server.installed(), mock_aws():
        reset_clients()
        sqs = boto3.client("sqs")
        provisioned, _ = provision(Template.load(ROOT / "template.yaml"), "agency", boto3.client("dynamodb"), sqs)
        tables, queue = provisioned.tables, provisioned.queues["EvaluationQueue"]["url"]
        names = [f"client-{number:05d}" for number in range(tenants)]
        for tenant_id in names:
            create_tenant(TenantStore(tables["TenantsTable"]), tenant_id, None, mode=StackMode.MULTI, now=start)
            quiet_mention(tables, tenant_id, start - timedelta(hours=3), int((start + timedelta(days=90)).timestamp()))
        detector = DetectorSettings.model_validate(
            {"TENANTS_TABLE": tables["TenantsTable"], "EVALUATION_QUEUE_URL": queue}
        )
        evaluator = EvaluatorSettings.model_validate(
            {
                "TENANTS_TABLE": tables["TenantsTable"],
                "MENTIONS_TABLE": tables["MentionsTable"],
                "AGGREGATES_TABLE": tables["AggregatesTable"],
                "ALERTS_TABLE": tables["AlertsTable"],
                "ALERT_EVENTS_QUEUE_URL": provisioned.queues["AlertEventsQueue"]["url"],
                "EVALUATION_DLQ_URL": provisioned.queues["EvaluationDeadLetterQueue"]["url"],
            }
        )
        meter = CapacityMeter(table_shapes(dynamodb_client(), [tables[name] for name in TABLES]))
        meter.attach(dynamodb_client())
        clock = {"now": start}
        processor = consumer.DetectionBatchProcessor(evaluator)
        # each sandbox its own adapters (what `_ports` caches for the life of a sandbox)
        sandbox_ports = [functools.lru_cache(maxsize=1)(consumer._ports.__wrapped__) for _ in range(sandboxes)]
        dealer = random.Random(25)
        per_minute: list[tuple[float, float, Counter[str]]] = []
        # the functions' log lines and metrics are not the bench's output
        quiet = contextlib.redirect_stdout(io.StringIO())
        level = logger.log_level
        logger.setLevel("WARNING")
        with quiet, mock.patch.object(consumer, "utc_now", side_effect=lambda: clock["now"]):
            for step in range(minutes + 1):
                clock["now"] = start + timedelta(minutes=step, seconds=5)
                reads, writes, calls = meter.read_units, meter.write_units, Counter(meter.calls)
                detector_tick.schedule_tick(clock["now"], detector)
                for body in _drain(sqs, queue):
                    with mock.patch.object(consumer, "_ports", dealer.choice(sandbox_ports)):
                        outcome = processor.work(SQSRecord({"body": body, "messageId": "m", "attributes": {}}))
                    if outcome is None or outcome.failure is not None:
                        raise RuntimeError(f"an idle client's evaluation failed: {outcome}")
                per_minute.append((meter.read_units - reads, meter.write_units - writes, meter.calls - calls))
        logger.setLevel(level)
        reset_clients()
    steady = per_minute[1:]
    kinds: Counter[str] = sum((calls for _, _, calls in steady), Counter())
    evaluated = tenants * len(steady)
    return IdleAgency(
        tenants=tenants,
        minutes=len(steady),
        sandboxes=sandboxes,
        read_units=sum(reads for reads, _, _ in steady) / evaluated,
        write_units=sum(writes for _, writes, _ in steady) / evaluated,
        calls=sum(kinds.values()) / evaluated,
        minutes_with_writes=sum(1 for _, writes, _ in steady if writes),
        first_read_units=per_minute[0][0] / tenants,
        first_write_units=per_minute[0][1] / tenants,
        call_kinds={kind: count / evaluated for kind, count in sorted(kinds.items())},
    )


def _drain(sqs: Any, queue: str) -> list[str]:
    bodies: list[str] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return bodies
        bodies.extend(message["Body"] for message in messages)
        sqs.delete_message_batch(
            QueueUrl=queue,
            Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)],
        )
