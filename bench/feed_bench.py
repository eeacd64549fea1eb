"""Feeds: 500 feed sources due in one scheduled minute, read from a local site by the deployed functions' code
(the scheduler's claims and queueing, then the feed function on every queued read) under moto in-process; then the
same 500 read again, unchanged (304). Every AWS call is counted per read: moto shows no latency or throughput, so
the calls are what a model of AWS needs. Also the reader alone: items per second per feed format."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
FEEDS = 500
ITEMS = 20
_READ_BATCH = 5  # the template's BatchSize for the feed queue
_COUNTED_READS = 25


class _Context:
    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def _rss(feed: int, now: datetime, shift: int = 0) -> str:
    """A feed of ITEMS items, newest first; `shift` items newer than the last time (the oldest ones dropped)."""
    items = "".join(
        f"<item><title>Teh Segar item {feed}-{index}</title><link>https://site{feed}.example/{index}</link>"
        f"<pubDate>{format_datetime(now - timedelta(minutes=shift + ITEMS - index))}</pubDate>"
        f"<description>&lt;p&gt;Isi berita {index} tentang Teh Segar dan isu racun.&lt;/p&gt;</description></item>"
        for index in reversed(range(shift, shift + ITEMS))
    )
    return f'<rss version="2.0"><channel><title>Site {feed}</title><language>id</language>{items}</channel></rss>'


def reader_speed() -> None:
    from sigap.kernel.kinds import SourceChannel
    from sigap.sources.feed_reader import feed_mentions, read_feed

    now = datetime.now(UTC)
    rss = _rss(1, now).encode()
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        + "".join(
            f"<entry><id>urn:{i}</id><link href='https://a.example/{i}'/><title>Judul {i}</title>"
            f"<updated>{(now - timedelta(minutes=i)).isoformat()}</updated><content type='html'>&lt;p&gt;Isi {i}"
            "&lt;/p&gt;</content></entry>"
            for i in range(ITEMS)
        )
        + "</feed>"
    ).encode()
    json_feed = json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "J",
        "items": [{"id": str(i), "url": f"https://j.example/{i}", "title": f"Judul {i}",
                   "content_html": f"<p>Isi {i}</p>", "date_published": now.isoformat()} for i in range(ITEMS)],
    }).encode()  # fmt: skip
    print(f"### Feed door: reading feeds ({ITEMS} items each: feedparser for RSS and Atom, Sigap for JSON Feed)\n")
    print("| format | feeds/s | items/s |")
    print("|---|---:|---:|")
    for name, body, kind in (("RSS 2.0", rss, "application/rss+xml"), ("Atom", atom, "application/atom+xml"),
                             ("JSON Feed", json_feed, "application/feed+json")):  # fmt: skip
        rounds, started = 0, time.perf_counter()
        while time.perf_counter() - started < 2.0:
            read = read_feed(body, content_type=kind, url="https://x.example/feed")
            feed_mentions(read, source="s", channel=SourceChannel.NEWS, feed_url="https://x.example/feed",
                          fetched_at=now, not_before=now - timedelta(days=1))  # fmt: skip
            rounds += 1
        seconds = time.perf_counter() - started
        print(f"| {name} | {rounds / seconds:,.0f} | {rounds * ITEMS / seconds:,.0f} |")
    print()


def report() -> None:
    reader_speed()
    read_throughput()
    scheduled_minute()


class _Ledger:
    """Every item claimed once: moto's transactions copy every table for rollback, so under moto the reads would
    measure moto (2 GB and 1.2 reads/s at 100 feeds); the AWS calls are counted under moto below instead."""

    def __init__(self) -> None:
        self.claimed: set[str] = set()

    def known(self, tenant_id: str, mention_ids: Any) -> set[str]:
        return self.claimed & set(mention_ids)

    def claim(self, tenant_id: str, mentions: Any, expires_at: int) -> Any:
        from sigap.mentions.claiming import Claims

        fresh = [mention.id for mention in mentions if mention.id not in self.claimed]
        self.claimed.update(fresh)
        return Claims(claimed=fresh)


class _Sink:
    def __init__(self) -> None:
        self.sent = 0

    def send(self, mentions: Any, correlation_id: str | None = None) -> None:
        self.sent += len(mentions)


def read_throughput() -> None:
    """The feed function's reading of 500 feeds over HTTP from a local site, with claims and the queue in
    memory: the fetch (conditional GET, gzip), parsing, mapping and skipping of what the last read brought."""
    from sigap.sources.domain import SourceIn, registered
    from sigap.sources.feed_door import read_source
    from sigap.sources.feed_fetch import FeedFetcher
    from sigap_tools.local.feed_site import FeedSite

    now = datetime.now(UTC)
    fetcher, ledger, sink = FeedFetcher(allow_loopback=True), _Ledger(), _Sink()
    with FeedSite() as site:
        sources = []
        for number in range(FEEDS):
            site.publish(f"/{number}.xml", _rss(number, now))
            feed_in = {"name": f"feed-{number}", "kind": "feed", "feed": {"url": site.url(f"/{number}.xml")}}
            sources.append(registered("bench", SourceIn.model_validate(feed_in), now)[0])
        print(f"### Feed door: the feed function reading {FEEDS} feeds of {ITEMS} items over HTTP (one process; "
              "claims and queue in memory)\n")  # fmt: skip
        print("| round | reads/s | items ingested | p50 ms | p95 ms |")
        print("|---|---:|---:|---:|---:|")
        for label in ("first read (200, all new)", "unchanged (304)", "one new item each (200)"):
            if label.startswith("one new"):
                for number in range(FEEDS):
                    site.publish(f"/{number}.xml", _rss(number, now, shift=1))
            durations, sent_before, started = [], sink.sent, time.perf_counter()
            for index, source in enumerate(sources):
                began = time.perf_counter()
                read = read_source(source, fetcher=fetcher, ledger=ledger, sink=sink, now=datetime.now(UTC), quota=None)
                durations.append((time.perf_counter() - began) * 1000)
                assert read.error is None, read.error
                sources[index] = source.model_copy(update={"feed_state": read.state})
            seconds = time.perf_counter() - started
            durations.sort()
            print(f"| {label} | {FEEDS / seconds:,.0f} | {sink.sent - sent_before:,} | "
                  f"{durations[len(durations) // 2]:.1f} | {durations[int(len(durations) * 0.95)]:.1f} |")  # fmt: skip
    print()


def scheduled_minute() -> None:
    import boto3
    from moto import mock_aws

    for name, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                        "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}.items():  # fmt: skip
        os.environ[name] = value
    for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
        del os.environ[name]
    with mock_aws():
        _scheduled_minute(boto3)


def _environment(template: Any, resolver: Any, logical_id: str) -> None:
    from sigap_tools.local.template import as_string_map

    spec = next(f for f in template.functions() if f.logical_id == logical_id)
    os.environ.update(as_string_map(resolver.resolve(spec.environment)))
    os.environ["SIGAP_LOCAL_ALLOW_LOOPBACK"] = "true"


def _due_again(boto3: Any, table: str, sources: list[tuple[str, str]], now: datetime) -> None:
    """As the scheduler finds them a period later."""
    for tenant_id, name in sources:
        boto3.client("dynamodb").update_item(
            TableName=table,
            Key={"pk": {"S": tenant_id}, "sk": {"S": f"SOURCE#{name}"}},
            UpdateExpression="SET feed_due = :due",
            ExpressionAttributeValues={":due": {"S": now.isoformat(timespec="seconds")}},
        )


def _scheduled_minute(boto3: Any) -> None:
    from aws_lambda_powertools.utilities.batch import process_partial_response
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from sigap.kernel.models import StackMode, utc_now
    from sigap.platform.aws import reset_clients
    from sigap.sources.domain import SourceIn, registered
    from sigap.sources.feed_consumer import FeedReadProcessor
    from sigap.sources.feed_scheduler_tick import schedule_tick
    from sigap.sources.settings import feed_scheduler_settings, feed_settings
    from sigap.sources.store import SourcesTable
    from sigap.tenants.store import TenantStore
    from sigap_tools.local.event_sources import sqs_record
    from sigap_tools.local.feed_site import FeedSite
    from sigap_tools.local.provision import provision
    from sigap_tools.local.template import Template
    from sigap_tools.tenants import create_tenant

    template = Template.load(ROOT / "template.yaml")
    clients = [boto3.client(name) for name in ("dynamodb", "sqs", "secretsmanager")]
    provisioned, resolver = provision(template, "bench", *clients, s3=boto3.client("s3"), ses=boto3.client("ses"))
    calls: Counter[str] = Counter()
    boto3.setup_default_session()
    boto3.DEFAULT_SESSION.events.register("before-parameter-build", lambda model, **_: calls.update([model.name]))
    reset_clients()
    table = provisioned.tables["TenantsTable"]
    tenants, sources = TenantStore(table), SourcesTable(table)
    now = datetime.now(UTC)
    registered_feeds: list[tuple[str, str]] = []
    rows = []
    with FeedSite() as site:
        for tenant_number in range(5):  # an agency's five clients, 100 feeds each
            tenant, _ = create_tenant(tenants, f"client-{tenant_number}", None, mode=StackMode.MULTI, now=utc_now())
            for feed in range(FEEDS // 5):
                number = tenant_number * (FEEDS // 5) + feed
                site.publish(f"/{number}.xml", _rss(number, now))
                feed_in = {"name": f"feed-{feed}", "kind": "feed", "feed": {"url": site.url(f"/{number}.xml")}}
                sources.create(registered(tenant.tenant_id, SourceIn.model_validate(feed_in), utc_now())[0])
                registered_feeds.append((tenant.tenant_id, f"feed-{feed}"))
        for label in ("first read (200, 20 new items)", "unchanged (304)"):
            calls.clear()
            _environment(template, resolver, "FeedSchedulerFunction")
            feed_scheduler_settings.cache_clear()
            started = time.perf_counter()
            queued = schedule_tick(feed_scheduler_settings(), cast(LambdaContext, _Context()))["queued"]
            scheduling = time.perf_counter() - started
            scheduler_calls = dict(calls)
            queue = provisioned.queues["FeedQueue"]
            messages: list[Any] = []
            while True:
                answer = clients[1].receive_message(
                    QueueUrl=queue["url"], MaxNumberOfMessages=10, AttributeNames=["All"]
                )
                if not answer.get("Messages"):
                    break
                messages += answer["Messages"]
            calls.clear()
            _environment(template, resolver, "FeedFunction")
            feed_settings.cache_clear()
            sample = messages[:_COUNTED_READS]
            for start in range(0, len(sample), _READ_BATCH):
                event = {
                    "Records": [sqs_record(message, queue["arn"]) for message in sample[start : start + _READ_BATCH]]
                }
                processor = FeedReadProcessor(feed_settings())
                answer = process_partial_response(
                    event=event,
                    record_handler=processor.handle_record,
                    processor=processor,
                    context=cast(LambdaContext, _Context()),
                )
                assert not answer["batchItemFailures"], answer
            rows.append((label, queued, scheduling, scheduler_calls, len(sample), dict(calls)))
            _due_again(boto3, table, registered_feeds, now)
    print(f"### Feed door: {FEEDS} feeds due in one scheduled minute (moto in-process; AWS calls counted)\n")
    print(
        "The scheduler claims and queues every due feed; the feed function's calls are counted on "
        f"{_COUNTED_READS} of the reads (moto's transactions copy every table: reading all would measure moto).\n"
    )
    print("| round | reads queued | scheduler (s) | scheduler's calls per feed | feed function's calls per read |")
    print("|---|---:|---:|---|---|")
    for label, queued, scheduling, scheduler_calls, read, reader_calls in rows:
        per_feed = ", ".join(f"{name} {count / max(queued, 1):.2f}" for name, count in sorted(scheduler_calls.items()))
        per_read = ", ".join(f"{name} {count / max(read, 1):.2f}" for name, count in sorted(reader_calls.items())
                             if name != "ReceiveMessage")  # fmt: skip
        print(f"| {label} | {queued} | {scheduling:.1f} | {per_feed} | {per_read} |")
    print()


if __name__ == "__main__":
    report()
