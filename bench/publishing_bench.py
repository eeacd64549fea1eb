"""Publishing: one statement to 10,000 confirmed subscribers through the real publisher function and adapters
(moto in-process with the local stack's fixes: DynamoDB, SQS with its real delays, SES), with SES throttling
injected on a share of the calls;
and the status page's size and load time in headless Chromium on the local stack."""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _environment(template: Any, resolver: Any, logical_id: str) -> None:
    from sigap_tools.local.template import as_string_map

    spec = next(f for f in template.functions() if f.logical_id == logical_id)
    for name, value in as_string_map(resolver.resolve(spec.environment)).items():
        os.environ[name] = value
    os.environ["EMAIL_SENDER"] = "statements@sigap.bench"


def subscribers(count: int, throttle: float) -> None:
    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    os.environ.update(
        {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}
    )
    for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
        del os.environ[name]
    from sigap_tools.local.moto_server import install

    install()  # the local stack's moto fixes: plain moto deep-copies the table in every transaction
    with mock_aws():
        from aws_lambda_powertools.utilities import parameters

        from sigap.detection.domain.models import Scope, Severity
        from sigap.incidents.domain.model import Incident
        from sigap.kernel.models import StackMode, utc_now
        from sigap.notify.store import NotificationsTable
        from sigap.platform.aws import reset_clients, ses_client
        from sigap.statements.domain.models import (
            PublishingSettings,
            PublishRequest,
            Review,
            StatementCreate,
            Submission,
            Subscriber,
            SubscriberState,
        )
        from sigap.statements.domain.workflow import create_statement, publish, review, submit
        from sigap.statements.publisher_adapters import shared_adapters
        from sigap.statements.queue import PublicationQueue
        from sigap.statements.settings import publisher_settings
        from sigap.statements.store import PublishingTable
        from sigap.tenants.store import TenantStore
        from sigap_tools.demo.statements import VARIABLES
        from sigap_tools.local.event_sources import sqs_record
        from sigap_tools.local.provision import provision
        from sigap_tools.local.template import Template
        from sigap_tools.tenants import create_tenant

        reset_clients()
        for cached in (publisher_settings, shared_adapters):
            cached.cache_clear()
        parameters.clear_caches()  # type: ignore[no-untyped-call]  # the link key, read through Powertools' cache
        template = Template.load(ROOT / "template.yaml", {"StackMode": "multi"})
        provisioned, resolver = provision(
            template,
            "bench",
            boto3.client("dynamodb"),
            boto3.client("sqs"),
            boto3.client("secretsmanager"),
            s3=boto3.client("s3"),
            ses=boto3.client("ses"),
        )
        boto3.client("ses").verify_email_identity(EmailAddress="statements@sigap.bench")
        _environment(template, resolver, "PublisherFunction")
        tenant = "bench-brand"
        create_tenant(
            TenantStore(provisioned.tables["TenantsTable"]), tenant, None, mode=StackMode.MULTI, now=utc_now()
        )
        now = utc_now()
        incidents = NotificationsTable(provisioned.tables["NotificationsTable"])
        incident_id = f"inc-{now:%Y%m%dT%H%M}-0a1b2c3d"
        incidents.save_incident(
            Incident(
                incident_id=incident_id,
                tenant_id=tenant,
                key="story:s-0123456789ab",
                title="bench",
                severity=Severity.CRITICAL,
                scope=Scope.NATIONAL,
                opened_at=now,
            ),
            0,
            [],
        )
        table = PublishingTable(provisioned.tables["PublishingTable"])
        table.put_settings(tenant, PublishingSettings(staff_emails=["staff@bench.example"]))
        addresses = [f"reader{index:05d}@bench.example" for index in range(count)]
        for address in addresses:
            table.put_subscriber(
                Subscriber(tenant_id=tenant, email=address, state=SubscriberState.CONFIRMED, created_at=now)
            )
        queue = PublicationQueue(provisioned.queues["PublicationQueue"]["url"])
        variables = VARIABLES | {"next_update_id": "pukul 18.00 WIB", "next_update_en": "at 18:00 WIB"}
        request = StatementCreate(incident_id=incident_id, by="rina", template="crisis", variables=variables)
        statement_id = create_statement(table, incidents, tenant, request, now).statement.statement_id
        submit(table, tenant, statement_id, Submission(by="rina"), now)
        review(table, tenant, statement_id, Review(by="budi"), now)
        rng = random.Random(7)
        calls = Counter[str]()

        def throttled(**_: Any) -> None:
            calls["attempts"] += 1
            if rng.random() < throttle:
                calls["throttled"] += 1
                raise ClientError(
                    {"Error": {"Code": "Throttling", "Message": "Maximum sending rate exceeded."}}, "SendRawEmail"
                )

        ses_client().meta.events.register("before-call.ses.SendRawEmail", throttled)
        handler = _publisher_handler()
        sqs = boto3.client("sqs")
        url = provisioned.queues["PublicationQueue"]["url"]
        started = time.monotonic()
        publish(table, incidents, queue, tenant, statement_id, PublishRequest(by="budi"), now)
        records = 0
        while True:
            answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            messages = answer.get("Messages", [])
            if not messages:
                attributes = sqs.get_queue_attributes(
                    QueueUrl=url,
                    AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"],
                )["Attributes"]
                if not any(int(value) for value in attributes.values()):
                    break
                continue
            event = {"Records": [sqs_record(m, provisioned.queues["PublicationQueue"]["arn"]) for m in messages]}
            result = handler(event, _Context())
            failed = {item["itemIdentifier"] for item in result["batchItemFailures"]}
            for message in messages:
                if message["MessageId"] not in failed:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            records += len(messages)
        elapsed = time.monotonic() - started
        sent = [m for m in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages if hasattr(m, "raw_data")]
        received = Counter(address for m in sent for address in set(_addresses(m.destinations)))
        dead = sqs.get_queue_attributes(
            QueueUrl=provisioned.queues["PublicationDeadLetterQueue"]["url"],
            AttributeNames=["ApproximateNumberOfMessages"],
        )["Attributes"]["ApproximateNumberOfMessages"]
        duplicates = sum(n - 1 for n in received.values() if n > 1)
        lost = sum(1 for address in addresses if address not in received)
        delivery = {d.target: d for d in table.deliveries(tenant, statement_id)[1]}
        print(
            f"\n## Publishing one statement to {count:,} subscribers (moto in-process, SES throttled on "
            f"{throttle:.0%} of calls)\n"
        )
        print(
            "| subscribers | wall time | e-mails/s | SES calls | throttled | sent | duplicates | lost | "
            "dead-lettered | publisher records | API says sent |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        print(
            f"| {count:,} | {elapsed:.1f} s | {len(sent) / elapsed:,.0f} | {calls['attempts']:,} | "
            f"{calls['throttled']:,} | {len(sent):,} | {duplicates} | {lost} | {dead} | {records:,} | "
            f"{delivery['subscribers'].sent:,} |"
        )


def _addresses(destinations: Any) -> list[str]:
    """moto keeps a raw message's destinations as a list, or as SES's ToAddresses/CcAddresses dict."""
    if isinstance(destinations, dict):
        return [address for values in destinations.values() for address in values]
    return list(destinations)


def _publisher_handler() -> Any:
    """functions/publisher/handler.py, imported as Lambda imports it."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_publisher_handler", ROOT / "functions/publisher/handler.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.lambda_handler


class _Context:
    function_name = "bench-publisher"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench-publisher"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def _answered(answer: Any) -> Any:
    """The body of a request the bench needs to succeed; its error, if it did not."""
    if answer.status >= 300:
        raise RuntimeError(f"{answer.status}: {answer.body}")
    return answer.body


def status_page(runs: int) -> None:
    """The page's size, and its load in headless Chromium on the local stack beside about:blank's."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    from sigap.kernel.identity import Role
    from sigap.kernel.models import StackMode, utc_now
    from sigap.tenants.store import TenantStore
    from sigap_tools.cli.people_cli import new_password
    from sigap_tools.client import SigapClient
    from sigap_tools.demo.statements import VARIABLES
    from sigap_tools.local.stack import LocalStack, StackOptions, find_template
    from sigap_tools.people import UserPoolRef, add_person, sign_in
    from sigap_tools.tenants import create_tenant

    stack = LocalStack(
        StackOptions(
            template_path=find_template(),
            port=0,
            state_dir=Path(".sigap/bench-status"),
            parameters={"StackMode": "multi"},
            fresh=True,
            persist=False,
            retry_delay=1,
        )
    )
    stack.start()
    try:
        tenants = TenantStore(stack.outputs["TenantsTableName"], client=stack.client("dynamodb"))
        _, key = create_tenant(tenants, "bench-status", "Teh Segar", mode=StackMode.MULTI, now=utc_now())
        client = SigapClient(stack.api_url, key)
        # A statement is written by one person and approved by another, each signed in with their own token.
        pool = UserPoolRef(stack.outputs["UserPoolId"], stack.outputs["UserPoolClientId"])
        cognito = stack.client("cognito-idp")
        people: dict[str, SigapClient] = {}
        for email in ("rina@bench.example", "budi@bench.example"):
            password = new_password()
            add_person(cognito, pool, tenants, "bench-status", email, Role.APPROVER, password=password, now=utc_now())
            people[email] = SigapClient(stack.api_url, sign_in(cognito, pool, email, password))
        author, approver = people["rina@bench.example"], people["budi@bench.example"]
        base = "/v1/tenants/bench-status"
        published = 0
        for number in range(3):  # three incidents, each with an update: a busy page
            opened = _answered(client.request("POST", f"{base}/incidents", body={"title": f"incident {number}"}))
            incident_id = opened["incident"]["incident_id"]
            for _ in range(2):
                variables = VARIABLES | {"next_update_id": "pukul 18.00 WIB", "next_update_en": "at 18:00 WIB"}
                draft = {"incident_id": incident_id, "template": "crisis", "variables": variables}
                written = _answered(author.request("POST", f"{base}/statements", body=draft))
                statement = f"{base}/statements/{written['statement']['statement_id']}"
                _answered(author.request("POST", f"{statement}/submit", body={}))
                _answered(approver.request("POST", f"{statement}/reviews", body={}))
                _answered(approver.request("POST", f"{statement}/publish", body={}))
                published += 1
        url = f"{stack.api_url}/status/bench-status/"
        deadline = time.monotonic() + 60
        body = b""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - the local stack
                    body = answer.read()
                if body.count(b'<li id="st-') >= published:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        fetch = []
        for _ in range(runs):
            started = time.perf_counter()
            with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310
                answer.read()
            fetch.append(time.perf_counter() - started)
        print(f"\n## Status page ({published} published statements on 3 incidents, local stack)\n")
        print("| page | bytes | gzip bytes | HTTP fetch median | Chromium load (wall) | about:blank (wall) |")
        print("|---|---:|---:|---:|---:|---:|")
        import gzip

        loads: list[float] = []
        blanks: list[float] = []
        if browser:
            for _ in range(runs):  # side by side, in turn: the machine's noise falls on both
                for target, into in ((url, loads), ("about:blank", blanks)):
                    started = time.perf_counter()
                    subprocess.run(
                        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", target],
                        capture_output=True,
                        timeout=60,
                        check=True,
                    )
                    into.append(time.perf_counter() - started)
        chromium_text = f"{statistics.median(loads):.2f} s" if loads else "no Chromium"
        blank_text = f"{statistics.median(blanks):.2f} s" if blanks else "-"
        print(
            f"| /status/bench-status/ | {len(body):,} | {len(gzip.compress(body)):,} | "
            f"{statistics.median(fetch) * 1000:.1f} ms | {chromium_text} | {blank_text} |"
        )
        if loads and blanks:
            own = statistics.median(loads) - statistics.median(blanks)
            print(f"\nThe page's own share of a cold browser's load (medians of {runs}, in turn): {own:.2f} s")
    finally:
        stack.stop()


def publishing(count: int = 10_000, throttle: float = 0.1, runs: int = 5) -> None:
    subscribers(count, throttle)
    status_page(runs)
