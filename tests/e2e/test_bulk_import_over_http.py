"""`sigap import` against the local stack, as a user runs it: the file streamed to the presigned link, the
bucket's event driving the import function from its queue, the rows scored and read back by source."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sigap_tools.client import SigapClient
from sigap_tools.local.stack import LocalStack
from tests.e2e.conftest import create_tenant_with_cli, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_sigap_import_brings_a_dataset_export_in_and_reports_its_bad_rows(stack: LocalStack, tmp_path: Path) -> None:
    # Given a tenant with a source for X exports, and an export with 200 tweets and one broken row
    tenant, key = create_tenant_with_cli(stack, "import-brand")
    client = SigapClient(stack.api_url, key)
    assert (
        client.request("POST", f"/v1/tenants/{tenant}/sources", body={"name": "x", "preset": "x-export"}).status == 201
    )
    rows = ["tweet_id,text,tweet_created,name,retweet_count"]
    rows += [f'5703{index:05d},"@brand delay lagi, kecewa #{index}",2026-11-22 10:{index % 60:02d}:00 +0700,u{index},1'
             for index in range(200)]  # fmt: skip
    rows.insert(100, "5709,no time here,,someone,0")
    export = tmp_path / "tweets.csv"
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    # When it is imported with the command
    answer = subprocess.run(
        [sys.executable, "-m", "sigap_tools.cli.main", "--state-dir", str(stack.options.state_dir), "import",
         str(export), "--source", "x", "--key", key, "--no-progress"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    # Then it says what it did, and the rows are scored and read back by their source
    assert answer.returncode == 0, answer.stderr + answer.stdout
    assert "done: 201 rows, 200 accepted, 0 duplicates, 1 rejected (1 in the report)" in answer.stdout
    assert "report: http" in answer.stdout
    since = "2026-11-21T00:00:00Z"

    def listed() -> int:
        page = client.mentions(tenant, source="x", since=since, until="2026-11-23T00:00:00Z", limit=200).body
        return len(page["items"])

    assert wait_for(lambda: listed() == 200, timeout=120)
    # And importing the same file again adds nothing
    again = subprocess.run(
        [sys.executable, "-m", "sigap_tools.cli.main", "--state-dir", str(stack.options.state_dir), "import",
         str(export), "--source", "x", "--key", key, "--no-progress"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert "0 accepted, 200 duplicates, 1 rejected" in again.stdout, again.stdout + again.stderr
