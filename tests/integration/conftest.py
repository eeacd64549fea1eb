"""Integration fixtures: moto in-process, with tables and queues created from template.yaml's own properties,
and each function's environment resolved from the template exactly as the local stack resolves it."""

from __future__ import annotations

import gzip
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import boto3
import moto.cognitoidp
import pytest
from moto import mock_aws

from sigap.kernel.identity import Role
from sigap.kernel.models import StackMode, Tenant, TenantKind, utc_now
from sigap.platform.aws import reset_clients
from sigap.platform.user_tokens import UserTokens
from sigap.tenants.store import TenantStore
from sigap_tools.local import moto_server
from sigap_tools.local.provision import Provisioned, provision
from sigap_tools.local.template import Resolver, Template, as_string_map
from sigap_tools.people import UserPoolRef, add_person, sign_in
from sigap_tools.tenants import create_tenant

EMAIL_SENDER = "alerts@sigap.test"
PASSWORD = "Sigap-test-passw0rd"
# moto signs its user pools' tokens with one published key; in-process moto answers boto3, not urllib3, so the
# functions' fetch of the pool's keys is answered from the same file moto's server serves them from.
MOTO_JWKS = gzip.decompress((Path(moto.cognitoidp.__file__).parent / "resources" / "jwks-public.json.gz").read_bytes())


def _clear_caches() -> None:
    """Drops every cached client, settings model and adapter of the functions' wiring (the `lru_cache`
    factories outside domain code), so each test's environment is read afresh. Domain caches (the model,
    word lists) hold no environment and stay warm."""
    reset_clients()
    for name, module in list(sys.modules.items()):
        if not name.startswith("sigap.") or ".domain" in name or name.startswith("sigap.kernel"):
            continue
        for value in vars(module).values():
            defined_in = str(getattr(value, "__module__", ""))
            if isinstance(value, type):  # a class (lru_cache's own type, imported to name it) is not a cache
                continue
            if callable(getattr(value, "cache_clear", None)) and ".domain" not in defined_in:
                value.cache_clear()


@dataclass
class AwsStack:
    provisioned: Provisioned
    resolver: Resolver
    template: Template
    monkeypatch: pytest.MonkeyPatch

    def table(self, logical_id: str) -> str:
        return self.provisioned.tables[logical_id]

    def queue_url(self, logical_id: str) -> str:
        return self.provisioned.queues[logical_id]["url"]

    def use_function_environment(self, logical_id: str) -> None:
        spec = next(f for f in self.template.functions() if f.logical_id == logical_id)
        for name, value in as_string_map(self.resolver.resolve(spec.environment)).items():
            self.monkeypatch.setenv(name, value)
        if "EMAIL_SENDER" in spec.environment:  # the template's default is empty: no verified identity
            self.monkeypatch.setenv("EMAIL_SENDER", EMAIL_SENDER)
        _clear_caches()

    def new_tenant(self, tenant_id: str = "brand-a", kind: TenantKind = TenantKind.BRAND) -> tuple[Tenant, str]:
        return create_tenant(
            TenantStore(self.table("TenantsTable")), tenant_id, None, mode=StackMode.MULTI, now=utc_now(), kind=kind
        )

    @property
    def user_pool(self) -> UserPoolRef:
        return UserPoolRef(
            self.provisioned.user_pools["UserPool"], self.provisioned.user_pool_clients["UserPoolClient"]
        )

    def new_person(self, tenant_id: str, email: str, role: Role = Role.ADMIN) -> str:
        """A person with a role on the tenant, signed in: their ID token."""
        cognito = boto3.client("cognito-idp")
        tenants = TenantStore(self.table("TenantsTable"))
        add_person(cognito, self.user_pool, tenants, tenant_id, email, role, password=PASSWORD, now=utc_now())
        return sign_in(cognito, self.user_pool, email, PASSWORD)

    def queued_bodies(self, logical_id: str = "ScoringQueue") -> list[str]:
        sqs = boto3.client("sqs")
        bodies: list[str] = []
        while True:
            answer = sqs.receive_message(QueueUrl=self.queue_url(logical_id), MaxNumberOfMessages=10)
            messages: list[Any] = answer.get("Messages", [])
            if not messages:
                return bodies
            bodies.extend(message["Body"] for message in messages)


@pytest.fixture
def aws(template: Template, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsStack]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    # Any endpoint override (a local stack's, left by `make bench` or a shell) would send moto's calls elsewhere.
    for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
        monkeypatch.delenv(name)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    # moto as the local stack runs it (sigap_tools.local.moto_server): each write atomic, as on AWS, and no read
    # broken by a write on another thread (the functions make their calls side by side)
    with moto_server.installed(), mock_aws():
        _clear_caches()
        provisioned, resolver = provision(
            template,
            "test",
            boto3.client("dynamodb"),
            boto3.client("sqs"),
            boto3.client("secretsmanager"),
            s3=boto3.client("s3"),
            ses=boto3.client("ses"),
            cognito=boto3.client("cognito-idp"),
        )
        monkeypatch.setattr(UserTokens, "fetch_jwks", lambda self, url: MOTO_JWKS)
        boto3.client("ses").verify_email_identity(EmailAddress=EMAIL_SENDER)
        yield AwsStack(provisioned, resolver, template, monkeypatch)
    _clear_caches()


@pytest.fixture
def one_rate_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rate limits count per fixed window (a minute, ten minutes): a test's requests all fall in one, as they
    would not always on a loaded machine, where a burst can straddle a window's end."""
    from sigap.platform.http import gateway

    start = datetime.now(UTC).replace(minute=0, second=1, microsecond=0)

    class OneWindow(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> OneWindow:  # type: ignore[override]
            return cls.fromtimestamp(start.timestamp(), tz)

    monkeypatch.setattr(gateway, "datetime", OneWindow)
