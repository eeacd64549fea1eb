"""`sigap ingest-email` against the local stack: saved .eml files travel the bucket's event, the e-mail queue and
the e-mail function, and come back through the API as the tenant's scored mentions, one story for the hoax."""

from __future__ import annotations

import smtplib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sigap_tools.client import SigapClient
from sigap_tools.local.stack import LocalStack
from tests.e2e.conftest import create_tenant_with_cli, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
MAIL = Path(__file__).resolve().parents[1] / "data" / "email"


def test_forwarded_hoaxes_saved_as_eml_files_become_one_story(stack: LocalStack) -> None:
    tenant, key = create_tenant_with_cli(stack, "mail-brand")
    client = SigapClient(stack.api_url, key)
    files = [str(MAIL / name) for name in ("gmail_forward_chain.eml", "outlook_forward.eml", "quoted_forward.eml")]
    answer = subprocess.run(
        [sys.executable, "-m", "sigap_tools.cli.main", "--state-dir", str(stack.options.state_dir), "ingest-email",
         *files, "--tenant", tenant, "--source", "milis"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.count(f"delivered to {tenant}+milis@") == 3
    ids = ["email:CAB123@mail.example.com", "email:AM0PR01@outlook.example", "email:q-1@example.com"]

    def scored() -> list[dict[str, Any]] | None:
        reads = [client.request("GET", f"/v1/tenants/{tenant}/mentions/{mention_id}") for mention_id in ids]
        if all(read.status == 200 and read.body["state"] == "scored" for read in reads):
            return [read.body for read in reads]
        return None

    found = wait_for(scored, timeout=120)
    assert len({read["score"]["story_id"] for read in found}) == 1
    assert {read["mention"]["source"] for read in found} == {"milis"}
    assert [read["mention"]["raw"]["forward_depth"] for read in found] == [2, 1, 1]


def test_mail_sent_to_the_local_smtp_server_goes_through_the_email_door(stack: LocalStack) -> None:
    # Given a tenant, and a list's digest a mail client sends to the local SMTP server
    tenant, key = create_tenant_with_cli(stack, "smtp-brand")
    client = SigapClient(stack.api_url, key)
    assert stack.smtp is not None
    with smtplib.SMTP("127.0.0.1", stack.smtp.port, timeout=30) as smtp:
        refused = smtp.sendmail(
            "milis-request@lists.example", [f"{tenant}+milis@inbound.example"], (MAIL / "plain_digest.eml").read_bytes()
        )
    assert refused == {}
    # Then each message of the digest is a mention of the tenant's, scored
    ids = ["email:d1@lists.example", "email:d2@lists.example"]

    def scored() -> bool:
        reads = [client.request("GET", f"/v1/tenants/{tenant}/mentions/{mention_id}") for mention_id in ids]
        return all(read.status == 200 and read.body["state"] == "scored" for read in reads)

    assert wait_for(scored, timeout=120)
