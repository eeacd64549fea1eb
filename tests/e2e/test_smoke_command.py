"""`sigap smoke --api URL --key KEY` against the local stack, as a user runs it after `sam deploy`: what works
is said so, what does not is named with its likely cause, and the exit status tells a script which."""

from __future__ import annotations

import subprocess
import sys

from sigap_tools.client import SigapClient
from sigap_tools.local.stack import LocalStack
from tests.e2e.conftest import create_tenant_with_cli


def smoke(stack: LocalStack, key: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sigap_tools.cli.main", "smoke", "--api", stack.api_url, "--key", key],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_a_working_stack_passes_every_check(stack: LocalStack) -> None:
    # Given a tenant with a Slack channel (the local receiver stands in for Slack)
    assert stack.receiver is not None
    tenant_id, key = create_tenant_with_cli(stack, "e2e-smoke")
    channel = {"type": "slack", "webhook_url": f"{stack.receiver.url}/slack/{tenant_id}"}
    created = SigapClient(stack.api_url, key).request(
        "POST", f"/v1/tenants/{tenant_id}/channels", body={"name": "war room", "settings": channel}
    )
    assert created.status == 201, created.body
    # When the smoke test runs
    ran = smoke(stack, key)
    # Then every check passes: the key, a mention accepted and scored, the channel's test, the status page
    assert ran.returncode == 0, ran.stdout + ran.stderr
    for line in ("ok   key", "ok   ingest", "ok   scoring", "ok   channel war room (slack)", "ok   status page"):
        assert line in ran.stdout, ran.stdout
    assert stack.receiver.received("slack", tenant_id)


def test_a_stack_that_would_alert_nobody_fails_and_says_why(stack: LocalStack) -> None:
    _, key = create_tenant_with_cli(stack, "e2e-smoke-bare")
    ran = smoke(stack, key)
    assert ran.returncode == 1
    assert "FAIL channels: no channel: an alert would reach nobody" in ran.stdout
    assert "ok   scoring" in ran.stdout


def test_a_wrong_key_fails_at_once_naming_the_key(stack: LocalStack) -> None:
    _, key = create_tenant_with_cli(stack, "e2e-smoke-key")
    ran = smoke(stack, key[:-4] + "AAAA")
    assert ran.returncode == 1
    assert "FAIL key: HTTP 401: the key is wrong, revoked, or of another stack" in ran.stdout
    assert "ingest" not in ran.stdout
    bad = smoke(stack, "not-a-key")
    assert bad.returncode == 1
    assert "not a Sigap key" in bad.stderr
