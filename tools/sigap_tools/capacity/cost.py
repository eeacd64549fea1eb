"""What Sigap costs at AWS list prices (us-east-1, December 2026): per million mentions, from a capacity run's
metered units, and a brand stack's idle floor per month, from template.yaml itself.

Assumptions, each stated in the tables: mentions arrive through the API in requests of 100 (a webhook or a
single POST per mention adds $1 of API Gateway per million); scoring takes SQS batches of 10; Lambda runs on
arm64; a DynamoDB call takes about 8 ms of the caller's time; each invocation logs about 1.5 KB.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sigap_tools.capacity.agency import IdleAgency
from sigap_tools.capacity.scenario import INGEST_REQUEST, SCORING_BATCH, Run

PRICE_WRITE_UNIT = 0.625 / 1e6  # on-demand, since November 2024
PRICE_READ_UNIT = 0.125 / 1e6
PRICE_STORAGE_GB_MONTH = 0.25
PRICE_LAMBDA_GB_SECOND = 0.0000133334  # arm64
PRICE_LAMBDA_REQUEST = 0.20 / 1e6
PRICE_HTTP_API_REQUEST = 1.00 / 1e6
PRICE_SQS_REQUEST = 0.40 / 1e6
PRICE_LOG_GB = 0.50
PRICE_ALARM = 0.10
PRICE_SECRET = 0.40
PRICE_METRIC = 0.30
CALL_SECONDS = 0.008
LOG_BYTES_PER_INVOCATION = 1_500
MINUTES_PER_MONTH = 30 * 24 * 60
# Lambda polls each SQS event source with five long polls of up to 20 s, whether or not anything is queued.
IDLE_POLLS_PER_MINUTE = 5 * 3
# The reminders run reads the wakes' index (a query per shard) and the stack's started mark, whatever the number of
# tenants: measured by tests/integration/test_reminder_wakes.py, which fails if a run reads more.
REMINDER_RUN_READ_UNITS = 2.5


@dataclass(frozen=True)
class Line:
    item: str
    usd: float
    basis: str


def scoring_cpu_seconds(mentions: int = 2_000) -> float:
    """The scorer's own time per mention, in batches of SCORING_BATCH (its DynamoDB calls are counted apart)."""
    from datetime import UTC, datetime

    from sigap.kernel.models import Mention
    from sigap.scoring.domain.engine import SigapScorer
    from sigap.scoring.domain.sentiment import shipped_model
    from sigap.scoring.domain.stories import MemoryBandIndex
    from sigap_tools.capacity.scenario import _texts

    texts = _texts()
    now = datetime.now(UTC)
    batch = [
        Mention.model_validate(
            {
                "id": f"c{n}",
                "tenant_id": "cost",
                "source": "api",
                "channel": texts[n % len(texts)]["channel"],
                "text": texts[n % len(texts)]["text"],
                "created_at": now,
                "received_at": now,
                "author": {"handle": f"@c{n}"},
            }
        )
        for n in range(mentions)
    ]
    scorer = SigapScorer(shipped_model(), MemoryBandIndex())
    scorer.score_batch(batch[:SCORING_BATCH])  # the model loaded, as in a warm sandbox
    began = time.process_time()
    for start in range(0, mentions, SCORING_BATCH):
        scorer.score_batch(batch[start : start + SCORING_BATCH])
    return (time.process_time() - began) / mentions


def per_million(run: Run, cpu_per_mention: float) -> list[Line]:
    meter = run.meter
    per = 1e6 / run.mentions
    scoring_invocations = 1e6 / SCORING_BATCH
    ingest_requests = 1e6 / INGEST_REQUEST
    # Ingestion, per request: the ids' states read, the claims written 8 side by side, the queue sent in tens.
    ingest_seconds = ingest_requests * (1 + INGEST_REQUEST / 8 + INGEST_REQUEST / 10) * CALL_SECONDS
    # Scoring: the story bands and the scored puts 8 side by side, every other call (claims aside) one after
    # another. Each mention is put twice: claimed by ingestion, then stored scored.
    mention_puts = meter.table_calls[("PutItem", "MentionsTable")]
    scored_puts = mention_puts - mention_puts // 2
    claims = mention_puts // 2 + meter.table_calls[("BatchGetItem", "MentionsTable")]
    bands = meter.table_calls[("PutItem", "StoriesTable")]
    others = sum(meter.calls.values()) - claims - bands - scored_puts
    scoring_seconds = 1e6 * cpu_per_mention + ((bands + scored_puts) / 8 + others) * per * CALL_SECONDS
    invocations = scoring_invocations + ingest_requests
    sqs_requests = ingest_requests * INGEST_REQUEST / 10 + 2 * scoring_invocations  # send batches; receive, delete
    return [
        Line(
            "DynamoDB writes",
            meter.write_units * per * PRICE_WRITE_UNIT,
            f"{meter.write_units / run.mentions:.2f} units/mention",
        ),
        Line(
            "DynamoDB reads",
            meter.read_units * per * PRICE_READ_UNIT,
            f"{meter.read_units / run.mentions:.2f} units/mention",
        ),
        Line(
            "Lambda: scoring (1,024 MB)",
            scoring_seconds * 1.0 * PRICE_LAMBDA_GB_SECOND,
            f"{cpu_per_mention * 1000:.1f} ms of scorer per mention + its DynamoDB calls",
        ),
        Line(
            "Lambda: ingestion (512 MB)",
            ingest_seconds * 0.5 * PRICE_LAMBDA_GB_SECOND,
            f"{INGEST_REQUEST} mentions per request, claims 8 side by side",
        ),
        Line("Lambda requests", invocations * PRICE_LAMBDA_REQUEST, f"{invocations:,.0f} invocations"),
        Line("API Gateway (HTTP API)", ingest_requests * PRICE_HTTP_API_REQUEST, f"requests of {INGEST_REQUEST}"),
        Line("SQS requests", sqs_requests * PRICE_SQS_REQUEST, f"{sqs_requests:,.0f} requests"),
        Line("CloudWatch Logs", invocations * LOG_BYTES_PER_INVOCATION / 1e9 * PRICE_LOG_GB, "1.5 KB per invocation"),
    ]


def story_index_per_new_text(run: Run) -> tuple[float, float]:
    """(write units, read units) the story index costs for each distinct text: a new text claims its bands (a
    copy of a known text finds them and writes nothing), so the story index's cost follows how many texts are
    new, not how many mentions there are."""
    meter = run.meter
    writes = sum(units for (table, _, _), units in meter.writes.items() if table.endswith("StoriesTable"))
    reads = sum(units for (table, _, _), units in meter.reads.items() if table.endswith("StoriesTable"))
    texts = max(run.distinct_texts, 1)
    return writes / texts, reads / texts


def stored_gb_per_million(run: Run) -> float:
    """What a million mentions keep in DynamoDB (every item as the meter last saw it; there is no index)."""
    return sum(run.meter._sizes.values()) / run.mentions * 1e6 / 1e9


def idle_floor(template_path: Path, evaluation_read_units: float) -> list[Line]:
    """A brand stack with nothing to do, for a month: what it pays whatever the traffic."""
    from sigap_tools.local.template import Template

    template = Template.load(template_path)
    alarms = len(template.resources("AWS::CloudWatch::Alarm"))
    secrets = len(template.resources("AWS::SecretsManager::Secret"))
    events = [event for spec in template.functions() for event in spec.events.values()]
    polled = sum(1 for event in events if event["Type"] == "SQS")
    scheduled = sum(1 for event in events if event["Type"] == "Schedule")
    polls = polled * IDLE_POLLS_PER_MINUTE * MINUTES_PER_MONTH
    ticks = scheduled * MINUTES_PER_MONTH
    # each tick: one scheduled function (~0.2 s at 256-512 MB); the evaluator: one tenant's evaluation
    lambda_usd = (ticks * 2) * (PRICE_LAMBDA_REQUEST + 0.2 * 0.5 * PRICE_LAMBDA_GB_SECOND)
    # An idle minute emits no custom metric (tests/integration/test_idle_metrics.py): a metric sent every idle
    # minute would be billed every month whatever happens.
    metrics = 0
    return [
        Line("CloudWatch alarms", alarms * PRICE_ALARM, f"{alarms} alarms"),
        Line("SQS polled by Lambda while empty", polls * PRICE_SQS_REQUEST, f"{polled} event sources"),
        Line("Secrets Manager", secrets * PRICE_SECRET, f"{secrets} secret(s)"),
        Line("Lambda: schedules and one tenant's evaluations", lambda_usd, f"{scheduled} every-minute schedules"),
        Line(
            "DynamoDB: one idle tenant's evaluations",
            evaluation_read_units * MINUTES_PER_MONTH * PRICE_READ_UNIT,
            f"{evaluation_read_units:.1f} read units a minute",
        ),
        Line(
            "DynamoDB: the reminders run",
            REMINDER_RUN_READ_UNITS * MINUTES_PER_MONTH * PRICE_READ_UNIT,
            f"{REMINDER_RUN_READ_UNITS:.1f} read units a minute, whatever the tenants",
        ),
        Line("CloudWatch custom metrics", metrics * PRICE_METRIC, f"{metrics} emitted at idle"),
        Line("CloudWatch Logs", ticks * 2 * LOG_BYTES_PER_INVOCATION / 1e9 * PRICE_LOG_GB, "1.5 KB per invocation"),
    ]


def fan_out_requests() -> float:
    """SQS requests per evaluated tenant-minute: the detector sends ten messages a call, the evaluator's event
    source receives and deletes ten at a time (SQS's most), and a message carries TENANTS_PER_MESSAGE tenants."""
    from sigap.detection.domain.models import TENANTS_PER_MESSAGE

    return 3 / (10 * TENANTS_PER_MESSAGE)


EVALUATOR_GB = 0.5


def evaluation_batch(template_path: Path) -> int:
    """How many tenant-minutes one evaluator invocation is given: its event source's BatchSize in messages, each
    asking for TENANTS_PER_MESSAGE tenants."""
    from sigap.detection.domain.models import TENANTS_PER_MESSAGE
    from sigap_tools.local.template import Template

    (spec,) = [spec for spec in Template.load(template_path).functions() if spec.logical_id == "EvaluatorFunction"]
    (event,) = [event for event in spec.events.values() if event["Type"] == "SQS"]
    return int(event["Properties"].get("BatchSize", 10)) * TENANTS_PER_MESSAGE


def agency_month(agency: IdleAgency, tenants: int, template_path: Path) -> list[Line]:
    """`tenants` idle clients evaluated every minute for a month, from the metered per-tenant-minute units and
    calls. The evaluator's time is its DynamoDB round trips (CALL_SECONDS each); a batch's tenants are evaluated
    `width` side by side, so an invocation takes about one tenant's round trips per wave."""
    from sigap.detection.consumer import DetectionBatchProcessor

    batch = evaluation_batch(template_path)
    waves = -(-batch // DetectionBatchProcessor.width)
    minutes = tenants * MINUTES_PER_MONTH
    invocations = minutes / batch
    seconds = invocations * waves * agency.calls * CALL_SECONDS
    return [
        Line(
            "DynamoDB reads", minutes * agency.read_units * PRICE_READ_UNIT, f"{agency.read_units:.2f} a tenant-minute"
        ),
        Line(
            "DynamoDB writes",
            minutes * agency.write_units * PRICE_WRITE_UNIT,
            f"{agency.write_units:.3f} a tenant-minute (the hourly roll-up)",
        ),
        Line(
            "SQS requests",
            minutes * fan_out_requests() * PRICE_SQS_REQUEST,
            f"fan-out: send, receive, delete; {fan_out_requests():.2f} a tenant-minute",
        ),
        Line(
            "Lambda (evaluator)",
            invocations * PRICE_LAMBDA_REQUEST + seconds * EVALUATOR_GB * PRICE_LAMBDA_GB_SECOND,
            f"{agency.calls:.1f} DynamoDB calls a tenant-minute; {batch} tenants an invocation, "
            f"{DetectionBatchProcessor.width} at once",
        ),
        Line("CloudWatch Logs", invocations * LOG_BYTES_PER_INVOCATION / 1e9 * PRICE_LOG_GB, "1.5 KB per invocation"),
    ]


def table(title: str, lines: list[Line], unit: str) -> str:
    rows = [f"### {title}\n", f"| item | USD {unit} | basis |", "|---|---:|---|"]
    rows.extend(f"| {line.item} | {line.usd:.2f} | {line.basis} |" for line in lines)
    rows.append(f"| **total** | **{sum(line.usd for line in lines):.2f}** | |")
    return "\n".join(rows) + "\n"
