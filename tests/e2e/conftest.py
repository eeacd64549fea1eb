"""One local stack for the end-to-end tests: moto's server, the template's resources, function sandboxes and
the HTTP API, exactly as `sigap up` runs them (failed messages retried after 1 s instead of 180 s, schedules every
10 s instead of every minute)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sigap_tools.client import SigapClient
from sigap_tools.local.stack import LocalStack, StackOptions
from tests.conftest import TEMPLATE_PATH

pytestmark = pytest.mark.xdist_group("e2e")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    state_dir = tmp_path_factory.mktemp("sigap-state")
    local = LocalStack(
        StackOptions(
            template_path=TEMPLATE_PATH,
            port=0,
            state_dir=state_dir,
            retry_delay=1,
            # Schedules fire every 10 s instead of every minute: a test waits seconds, not a minute, for the
            # detector (each tick evaluates the last complete minute again; evaluations are idempotent).
            schedule_speedup=6.0,
            parameters={"StackMode": "multi"},
            receiver=True,
        )
    )
    local.start()
    yield local
    local.stop()


def create_tenant_with_cli(stack: LocalStack, slug: str) -> tuple[str, str]:
    """`sigap tenants create SLUG --json`, run as a user would, against the running local stack."""
    answer = subprocess.run(
        [
            sys.executable,
            "-m",
            "sigap_tools.cli.main",
            "--state-dir",
            str(stack.options.state_dir),
            "tenants",
            "create",
            slug,
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    created = json.loads(answer.stdout)
    return created["tenant_id"], created["api_key"]


def sigap_cli(stack: LocalStack, *arguments: str) -> str:
    """`sigap ARGUMENTS...` against the running local stack, as a user runs it: its standard output."""
    answer = subprocess.run(
        [sys.executable, "-m", "sigap_tools.cli.main", "--state-dir", str(stack.options.state_dir), *arguments],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert answer.returncode == 0, answer.stderr
    return answer.stdout


def person_with_cli(stack: LocalStack, tenant_id: str, email: str, role: str) -> str:
    """`sigap people add` then `sigap login`: the person's ID token."""
    added = json.loads(
        sigap_cli(stack, "people", "add", "--tenant", tenant_id, "--email", email, "--role", role, "--json")
    )
    return sigap_cli(stack, "login", "--email", email, "--password", added["password"]).strip()


@pytest.fixture(scope="session")
def tenant(stack: LocalStack) -> tuple[str, str]:
    return create_tenant_with_cli(stack, "e2e-brand")


@pytest.fixture
def client(stack: LocalStack, tenant: tuple[str, str]) -> SigapClient:
    return SigapClient(stack.api_url, tenant[1])


def wait_for(condition: Callable[[], Any], timeout: float = 60, every: float = 0.25) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"condition not met within {timeout} s")


def log_text(stack: LocalStack, function: str) -> str:
    path = Path(stack.options.state_dir) / "logs" / f"{function}.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""
