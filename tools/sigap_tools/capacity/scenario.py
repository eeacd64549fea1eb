"""A crisis at full speed through the deployed code, on moto, with DynamoDB's capacity metered (`meter.py`).

One tenant receives `rate` mentions a second for `seconds`, from `authors` distinct people (the viral minute:
50,000 of them in a minute at 1,000 a second), with the demo's crisis texts (so a few stories grow large). Each
simulated second, as the deployed functions would:

- ingestion claims the second's mentions in requests of 100 (`MentionStore.claim`);
- scoring takes them in SQS batches of 10 and stores each batch with its partial aggregates (`ScoringRun` on
  the real `MentionStore`, stories in the real `DynamoBandIndex`);
- each minute, and at the end, the evaluator rolls settled minutes up (`AggregateRollup.settle`) and reads the
  last hour (`AggregateStore.window`), the console's Now page reads the day (`window(..., hourly=True)`), and
  its Mentions page the newest 50 (`MentionListing`, from the partials).

The simulated clock is the meter's: every unit is charged to the partition key and second it fell in.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sigap_tools.capacity.meter import CapacityMeter, table_shapes

ROOT = Path(__file__).resolve().parents[3]
TEXTS = ROOT / "tools" / "sigap_tools" / "demo" / "scenario.jsonl"
TENANT = "viral-brand"
QUIET_TENANT = "quiet-brand"
IDLE_MINUTES = 10
SCORING_BATCH = 10
INGEST_REQUEST = 100


@dataclass
class Run:
    meter: CapacityMeter
    mentions: int
    seconds: int
    every: int
    rate: int
    authors: int
    wall_seconds: float
    counted_authors: int
    counted_mentions: int
    dead_lettered: int
    idle_read_units: float = 0.0  # per minute, for a tenant with nothing to count (roll-up and window)
    idle_write_units: float = 0.0
    distinct_texts: int = 0  # of the crisis texts posted (copies of one text share a story's bands)


def _texts() -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in TEXTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [line for line in lines if line.get("text")]


def run(
    *,
    rate: int,
    seconds: int,
    authors: int,
    every: int = 1,
    seed: int = 7,
    progress: Callable[[str], None] | None = None,
) -> Run:
    """The crisis through the deployed code under moto (in this process, with the local stack's moto fixes).
    `every`: only every so many seconds is simulated (at the full rate), so a long run fits in bench time: each
    simulated second is a real second of the crisis; the ones between are left out."""
    with in_process_moto():
        return _run(rate, seconds, authors, every, seed, progress)


@contextlib.contextmanager
def in_process_moto() -> Iterator[None]:
    """Model credentials and no endpoint override (in-process moto, never a running local stack); the caller's
    environment as it was afterwards."""
    saved = dict(os.environ)
    try:
        os.environ.update(
            {"AWS_ACCESS_KEY_ID": "model", "AWS_SECRET_ACCESS_KEY": "model", "AWS_DEFAULT_REGION": "us-east-1"}
        )
        for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
            os.environ.pop(name)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _run(rate: int, seconds: int, authors: int, every: int, seed: int, progress: Callable[[str], None] | None) -> Run:
    import boto3
    from moto import mock_aws

    from sigap.kernel.models import Mention
    from sigap.mentions.aggregate_rollup import AggregateRollup
    from sigap.mentions.aggregate_store import AggregateStore
    from sigap.mentions.listing import MentionListing
    from sigap.mentions.store import MentionStore
    from sigap.platform.aws import dynamodb_client, reset_clients
    from sigap.scoring.domain.engine import SigapScorer
    from sigap.scoring.domain.run import ScoringRun
    from sigap.scoring.domain.sentiment import shipped_model
    from sigap.scoring.story_index import DynamoBandIndex
    from sigap_tools.local import moto_server
    from sigap_tools.local.provision import provision
    from sigap_tools.local.template import Template

    chooser = random.Random(seed)
    texts = _texts()
    start = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    with moto_server.installed(), mock_aws():
        reset_clients()
        provisioned, _ = provision(
            Template.load(ROOT / "template.yaml"), "capacity", boto3.client("dynamodb"), boto3.client("sqs")
        )
        tables = provisioned.tables
        client = dynamodb_client()
        meter = CapacityMeter(
            table_shapes(client, [tables[name] for name in ("MentionsTable", "AggregatesTable", "StoriesTable")])
        )
        quiet_mention(
            tables, QUIET_TENANT, start - timedelta(hours=3), expires=int((start + timedelta(days=90)).timestamp())
        )
        meter.attach(client)
        clock = {"now": start}
        mentions_store = MentionStore(
            tables["MentionsTable"], tables["AggregatesTable"], client, aggregate_shards=8, clock=lambda: clock["now"]
        )
        aggregates = AggregateStore(tables["AggregatesTable"], 8, client)
        rollup = AggregateRollup(aggregates, tables["AggregatesTable"], client)
        listing = MentionListing(tables["MentionsTable"], tables["AggregatesTable"], 8, client)
        scorer = SigapScorer(shipped_model(), DynamoBandIndex(tables["StoriesTable"], 7, client))
        expires = int((start + timedelta(days=90)).timestamp())
        people = [f"@person{number:06d}" for number in range(authors)]
        chooser.shuffle(people)
        began = time.perf_counter()
        dead = 0
        number = 0
        posted: set[str] = set()

        def evaluate(now: datetime) -> None:
            meter.second = int((now - start).total_seconds())
            settled = rollup.settle(TENANT, now)  # the evaluator's windows take the cursor the roll-up read
            aggregates.window(TENANT, now - timedelta(minutes=59), now, cursor=settled.cursor)
            aggregates.window(TENANT, now - timedelta(hours=24), now, hourly=True)  # the console reads its own
            listing.list_newest_first(TENANT, since=now - timedelta(days=7), until=now, limit=50)  # its Mentions

        for second in range(seconds):
            now = start + timedelta(seconds=second)
            clock["now"], meter.second = now, second
            batch: list[Mention] = []
            for _ in range(rate if second % every == 0 else 0):
                # every author posts once before anyone posts twice: `authors` distinct people per cycle
                line = texts[chooser.randrange(len(texts))]
                posted.add(line["text"])
                batch.append(
                    Mention.model_validate(
                        {
                            "id": f"v{number:07d}",
                            "tenant_id": TENANT,
                            "source": line["source"],
                            "channel": line["channel"],
                            "text": line["text"],
                            "created_at": now + timedelta(milliseconds=chooser.randrange(1000)),
                            "received_at": now,
                            "author": line["author"] | {"handle": people[number % authors]},
                            "url": f"https://example.org/post/{number}",
                            "engagement": line.get("engagement") or {},
                        }
                    )
                )
                number += 1
            for first in range(0, len(batch), INGEST_REQUEST):
                mentions_store.claim(TENANT, batch[first : first + INGEST_REQUEST], expires)
            for first in range(0, len(batch), SCORING_BATCH):
                bodies = {m.id: m.model_dump_json() for m in batch[first : first + SCORING_BATCH]}
                scoring = ScoringRun(bodies, scorer=scorer, sink=mentions_store, retention_days=90, now=now)
                for message_id in bodies:
                    try:
                        scoring.store(message_id)
                    except Exception as exc:  # what SQS would retry and finally dead-letter
                        if dead == 0 and progress:
                            progress(f"first failure: {type(exc).__name__}: {exc}")
                        dead += 1
            if second % 60 == 59:
                evaluate(now + timedelta(seconds=1))
                if progress:
                    progress(f"{second + 1} s simulated, {number} mentions, {time.perf_counter() - began:.0f} s")
        end = start + timedelta(seconds=seconds) + timedelta(minutes=6)  # every minute settled
        evaluate(end)
        window = aggregates.window(TENANT, start, end)
        from sigap.kernel.minute_counts import MinuteCounts

        whole = MinuteCounts.sum_of("", window.minutes)
        wall = time.perf_counter() - began
        # An idle tenant beside it (its last mention three hours before): what one tenant with nothing to count
        # costs the evaluator every minute, once its first roll-up (a one-off look for older partials) has run.
        rollup.settle(QUIET_TENANT, end)
        reads, writes = meter.read_units, meter.write_units
        for minute in range(IDLE_MINUTES):
            moment = end + timedelta(minutes=minute + 1)
            settled = rollup.settle(QUIET_TENANT, moment)
            aggregates.window(QUIET_TENANT, moment - timedelta(minutes=59), moment, cursor=settled.cursor)
        idle_reads = (meter.read_units - reads) / IDLE_MINUTES
        idle_writes = (meter.write_units - writes) / IDLE_MINUTES
        reset_clients()
    return Run(
        meter=meter,
        mentions=number,
        seconds=seconds,
        every=every,
        rate=rate,
        authors=authors,
        wall_seconds=wall,
        counted_authors=len(whole.authors),
        counted_mentions=whole.total,
        dead_lettered=dead,
        idle_read_units=idle_reads,
        idle_write_units=idle_writes,
        distinct_texts=len(posted),
    )


def quiet_mention(tables: dict[str, str], tenant_id: str, at: datetime, expires: int) -> None:
    """An idle tenant's one mention, long before, stored by the real scoring path on a client of its own (so
    none of it is metered): its activity mark is what lets its windows skip reading."""
    import boto3

    from sigap.kernel.models import Mention
    from sigap.mentions.store import MentionStore
    from sigap.scoring.domain.engine import SigapScorer
    from sigap.scoring.domain.run import ScoringRun
    from sigap.scoring.domain.sentiment import shipped_model
    from sigap.scoring.story_index import DynamoBandIndex

    client = boto3.client("dynamodb")
    store = MentionStore(
        tables["MentionsTable"], tables["AggregatesTable"], client, aggregate_shards=8, clock=lambda: at
    )
    mention = Mention.model_validate(
        {
            "id": "quiet-1",
            "tenant_id": tenant_id,
            "source": "twitter",
            "text": "Teh Segar enak sekali hari ini",
            "created_at": at,
            "received_at": at,
            "author": {"handle": "@regular"},
        }
    )
    store.claim(tenant_id, [mention], expires)
    scorer = SigapScorer(shipped_model(), DynamoBandIndex(tables["StoriesTable"], 7, client))
    ScoringRun({"m": mention.model_dump_json()}, scorer=scorer, sink=store, retention_days=90, now=at).store("m")
