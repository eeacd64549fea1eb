"""The local stack as a user lives with it: restarts keep everything, `kill -9` leaves nothing running and is
detected, an agency runs many brands, the gateway answers in Sigap's error shape, a dead sandbox is replaced."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from sigap.kernel.models import Mention, StackMode, utc_now
from sigap.tenants.store import TenantStore
from sigap_tools.client import SigapClient
from sigap_tools.local.snapshot import saved_manifest
from sigap_tools.local.stack import SNAPSHOT_DIR, LocalStack, StackOptions
from sigap_tools.tenants import create_tenant
from tests.conftest import ROOT, TEMPLATE_PATH, mention_payload
from tests.e2e.conftest import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _stack(state_dir: Path, **options: Any) -> LocalStack:
    return LocalStack(StackOptions(template_path=TEMPLATE_PATH, port=0, state_dir=state_dir, retry_delay=1, **options))


def _since() -> str:
    return (datetime.now(UTC) - timedelta(days=1)).isoformat()


@pytest.mark.xdist_group("e2e-own-stack")  # starts its own stack: may run beside the shared stack's tests
def test_a_restart_keeps_tenants_keys_mentions_counts_and_queued_messages(tmp_path: Path) -> None:
    # Given a stack with a tenant, five scored mentions (one through a webhook source) and a message waiting in the
    # dead-letter queue
    first = _stack(tmp_path)
    first.start()
    try:
        tenant, key = create_tenant(
            TenantStore(first.outputs["TenantsTableName"], first.client("dynamodb")),
            "keeps-brand",
            None,
            mode=StackMode.SINGLE,
            now=utc_now(),
        )
        client = SigapClient(first.api_url, key)
        assert client.post_mentions(tenant.tenant_id, [mention_payload(f"k{i}") for i in range(4)]).status == 202
        source = {"name": "crm", "verification": "url_secret"}
        secret = client.request("POST", f"/v1/tenants/{tenant.tenant_id}/sources", body=source).body["secret"]
        hook = f"/v1/hooks/{tenant.tenant_id}/crm"
        posted = client.without_key().request("POST", hook, body=mention_payload("k4"), query={"key": secret})
        assert posted.status == 202, posted.body
        wait_for(lambda: client.summary(tenant.tenant_id, since=_since()).body["total"] == 5)
        first.client("sqs").send_message(
            QueueUrl=first.outputs["ScoringDeadLetterQueueUrl"], MessageBody="{kept poison"
        )
    finally:
        first.stop()
    assert first.saved is not None
    assert first.saved.messages == 1
    # When the stack is started again from the same folder
    second = _stack(tmp_path)
    second.start()
    try:
        client = SigapClient(second.api_url, key)
        # Then the same key works, the mentions and their counts are there, and so is the waiting message
        assert client.summary(tenant.tenant_id, since=_since()).body["total"] == 5
        listed = client.mentions(tenant.tenant_id, since=_since()).body["items"]
        assert sorted(item["mention"]["id"] for item in listed) == [f"k{i}" for i in range(5)]
        answer = second.client("sqs").receive_message(QueueUrl=second.outputs["ScoringDeadLetterQueueUrl"])
        assert [message["Body"] for message in answer["Messages"]] == ["{kept poison"]
        # And a re-send of a stored mention is still a duplicate, through either door
        assert client.post_mentions(tenant.tenant_id, [mention_payload("k0")]).body["duplicates"] == ["k0"]
        again = client.without_key().request("POST", hook, body=mention_payload("k4"), query={"key": secret})
        assert (again.status, again.body["duplicates"]) == (202, ["k4"])
        # And the webhook source kept its secret and its health
        health = client.request("GET", f"/v1/tenants/{tenant.tenant_id}/sources/crm").body["health"]
        assert (health["accepted"], health["duplicates"]) == (1, 1)
    finally:
        second.stop()
    # And --fresh starts empty: the old key is unknown
    fresh = _stack(tmp_path, fresh=True, persist=False)
    fresh.start()
    try:
        assert SigapClient(fresh.api_url, key).summary(tenant.tenant_id).status == 401
    finally:
        fresh.stop()


def _sigap(state_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sigap_tools.cli.main", "--state-dir", str(state_dir), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def sigap_up(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    process, printed = _start_sigap_up(tmp_path, "--mode", "multi")
    assert "StackMode=multi" in printed
    yield process
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _port_answers(url: str) -> bool:
    host, _, port = url.removeprefix("http://").partition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.xdist_group("e2e-own-stack")  # starts its own stack: may run beside the shared stack's tests
def test_an_agency_stack_holds_many_brands_and_kill_9_leaves_nothing_running_and_is_detected(
    tmp_path: Path, sigap_up: subprocess.Popen[str]
) -> None:
    process = sigap_up
    # Given `sigap up --mode multi`: two brands can be created
    for slug in ("agency-client-a", "agency-client-b"):
        created = _sigap(tmp_path, "tenants", "create", slug, "--json")
        assert created.returncode == 0, created.stderr
        assert json.loads(created.stdout)["tenant_id"] == slug
    moto_endpoints = json.loads((tmp_path / "local.json").read_text())["endpoints"].values()
    # When the stack is killed with -9
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    # Then moto's servers do not outlive it
    wait_for(lambda: not any(_port_answers(endpoint) for endpoint in moto_endpoints), timeout=15)
    # And `sigap tenants create` says the stack is gone instead of reporting success with a dead URL
    stale = _sigap(tmp_path, "tenants", "create", "agency-client-c")
    assert stale.returncode == 1
    assert "no longer running" in stale.stderr


def test_the_gateways_own_refusals_use_sigaps_error_shape(stack: LocalStack) -> None:
    host, port = stack.api_url.removeprefix("http://").split(":")

    def raw(request: bytes) -> tuple[int, Any]:
        with socket.create_connection((host, int(port)), timeout=10) as connection:
            connection.sendall(request)
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        return int(head.split()[1]), json.loads(body)

    cases = {
        404: b"GET /v1/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        413: b"POST /v1/tenants/a/mentions HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n",
        414: b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        431: b"GET / HTTP/1.1\r\n" + b"".join(b"X-H%d: 1\r\n" % i for i in range(150)) + b"\r\n",
    }
    for expected, request in cases.items():
        status, body = raw(request)
        assert status == expected
        assert set(body) == {"error"}
        assert body["error"]["code"]
        assert body["error"]["message"]


def test_a_sandbox_that_died_while_idle_is_replaced_and_the_request_answered(
    stack: LocalStack, tenant: tuple[str, str]
) -> None:
    tenant_id, key = tenant
    client = SigapClient(stack.api_url, key)
    assert client.summary(tenant_id).status == 200
    # Given every warm sandbox of the query function killed while idle
    killed = stack.pool("QueryFunction").sandbox_pids()
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not any(_running(pid) for pid in killed), timeout=10)
    # Then the next request is still answered
    assert client.summary(tenant_id).status == 200


def _running(pid: int) -> bool:
    """Whether the process is still there and not a zombie its parent has yet to reap."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    return status.rpartition(")")[2].split()[0] != "Z"


def _snapshot_begun_after(state_dir: Path, moment: datetime) -> bool:
    """A snapshot that began reading after `moment` holds what was written before it (one that was saved after
    it may have scanned the table before the write)."""
    manifest = saved_manifest(state_dir / SNAPSHOT_DIR)
    return manifest is not None and datetime.fromisoformat(manifest["started_at"]) > moment


def _start_sigap_up(state_dir: Path, *arguments: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "sigap_tools.cli.main", "--state-dir", str(state_dir), "up", "--port", "0", *arguments],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    printed = ""
    line = process.stdout.readline()
    while line and "API:" not in line:
        printed += line
        line = process.stdout.readline()
    assert "API:" in line, printed
    return process, printed + line


@pytest.mark.xdist_group("e2e-own-stack")  # starts its own stack: may run beside the shared stack's tests
def test_after_kill_9_the_tables_come_back_and_mentions_lost_from_the_queue_are_scored(tmp_path: Path) -> None:
    # Given a running stack that saves its tables every half second, with a tenant and 20 scored mentions
    process, _ = _start_sigap_up(tmp_path, "--snapshot-every", "0.5")
    try:
        created = _sigap(tmp_path, "tenants", "create", "survivor", "--json")
        assert created.returncode == 0, created.stderr
        tenant = json.loads(created.stdout)
        client = SigapClient(tenant["api_url"], tenant["api_key"])
        assert client.post_mentions("survivor", [mention_payload(f"s{i}") for i in range(20)]).status == 202
        wait_for(lambda: client.summary("survivor", since=_since()).body["total"] == 20)
        # And one mention accepted whose queue message was lost: a claim with nothing on the queue for it
        state = json.loads((tmp_path / "local.json").read_text())
        lost = Mention.model_validate(
            mention_payload("lost-1") | {"tenant_id": "survivor", "received_at": datetime.now(UTC)}
        )
        boto3.client(
            "dynamodb",
            endpoint_url=state["endpoints"]["dynamodb"],
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        ).put_item(
            TableName=state["outputs"]["MentionsTableName"],
            Item={
                "pk": {"S": "survivor#M#lost-1"},
                "tenant_id": {"S": "survivor"},
                "mention_id": {"S": "lost-1"},
                "state": {"S": "accepted"},
                "received": {"S": lost.model_dump_json()},
            },
        )
        written = datetime.now(UTC)
        wait_for(lambda: _snapshot_begun_after(tmp_path, written), timeout=30)  # a snapshot holds both
    finally:
        # When the stack is killed with -9
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    # Then the next `sigap up` loads the tables saved while it ran, and queues the lost mention again
    again, printed = _start_sigap_up(tmp_path)
    try:
        assert "queued again" in printed
        client = SigapClient(json.loads((tmp_path / "local.json").read_text())["api_url"], tenant["api_key"])
        wait_for(lambda: client.summary("survivor", since=_since()).body["total"] == 21)
        listed = client.mentions("survivor", since=_since(), limit=50).body["items"]
        assert "lost-1" in {item["mention"]["id"] for item in listed}
    finally:
        again.send_signal(signal.SIGINT)
        again.wait(timeout=30)
