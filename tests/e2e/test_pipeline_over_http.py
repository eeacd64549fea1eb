"""The whole pipeline on the local stack, over HTTP, as a brand's team and its tools would use it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sigap.kernel.models import Mention
from sigap_tools.client import SigapClient
from sigap_tools.local.stack import LocalStack
from tests.conftest import ROOT, mention_payload
from tests.e2e.conftest import create_tenant_with_cli, log_text, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def stored_ids(client: SigapClient, tenant_id: str) -> set[str]:
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    ids: set[str] = set()
    cursor = None
    while True:
        body = client.mentions(tenant_id, since=since, limit=200, cursor=cursor).body
        ids |= {item["mention"]["id"] for item in body["items"]}
        cursor = body["next_cursor"]
        if not cursor:
            return ids


def test_posted_mentions_are_scored_and_listed(client: SigapClient, tenant: tuple[str, str]) -> None:
    tenant_id, _ = tenant
    mentions = [
        mention_payload(f"flow-{i}", text=text)
        for i, text in enumerate(
            ["Teh Segar beracun?? anak gw mual 😭", "Love this tea, so fresh!", "Besok rapat"] * 10
        )
    ]
    answer = client.post_mentions(tenant_id, mentions)
    assert answer.status == 202
    assert len(answer.body["accepted"]) == 30
    wait_for(lambda: {m["id"] for m in mentions} <= stored_ids(client, tenant_id))
    listed = client.mentions(tenant_id, limit=200).body["items"]
    by_id = {item["mention"]["id"]: item["score"] for item in listed}
    assert by_id["flow-0"]["sentiment"] == "negative"
    assert by_id["flow-1"]["sentiment"] == "positive"
    assert by_id["flow-0"]["lang"] == "id"


def test_bad_input_is_named_and_a_wrong_key_is_refused(stack: LocalStack, tenant: tuple[str, str]) -> None:
    tenant_id, key = tenant
    client = SigapClient(stack.api_url, key)
    broken = mention_payload("bad") | {"created_at": "not a date"}
    answer = client.post_mentions(tenant_id, [mention_payload("good"), broken])
    assert answer.status == 422
    assert answer.body["error"]["fields"][0]["field"] == "mentions[1].created_at"
    wrong = SigapClient(stack.api_url, key[:-3] + "abc").post_mentions(tenant_id, [mention_payload("x")])
    assert wrong.status == 401
    unknown = client.request("GET", "/v1/nothing-here")
    assert unknown.status == 404


def test_another_tenants_key_is_forbidden(stack: LocalStack, tenant: tuple[str, str]) -> None:
    other_id, _ = create_tenant_with_cli(stack, "e2e-other-brand")
    answer = SigapClient(stack.api_url, tenant[1]).post_mentions(other_id, [mention_payload("x")])
    assert answer.status == 403


def test_a_poison_message_is_dead_lettered_with_its_reason_logged_and_its_batch_stored(
    stack: LocalStack, client: SigapClient, tenant: tuple[str, str]
) -> None:
    tenant_id, _ = tenant
    outputs = json.loads((Path(stack.options.state_dir) / "local.json").read_text())["outputs"]
    sqs = stack.client("sqs")
    good = [
        Mention.model_validate(
            mention_payload(f"beside-poison-{i}") | {"tenant_id": tenant_id, "received_at": datetime.now(UTC)}
        ).model_dump_json()
        for i in range(3)
    ]
    # Given one unparseable message sent in the same batch as three good ones
    sqs.send_message_batch(
        QueueUrl=outputs["ScoringQueueUrl"],
        Entries=[{"Id": str(i), "MessageBody": body} for i, body in enumerate([*good, "{poison"])],
    )
    # Then the good ones are stored, and the poison one ends in the DLQ after the redrive count
    wait_for(lambda: {f"beside-poison-{i}" for i in range(3)} <= stored_ids(client, tenant_id))

    def dead_letters() -> list[str]:
        answer = sqs.receive_message(QueueUrl=outputs["ScoringDeadLetterQueueUrl"], VisibilityTimeout=0)
        return [message["Body"] for message in answer.get("Messages", [])]

    assert wait_for(dead_letters, timeout=90) == ["{poison"]
    logged = log_text(stack, "ScoringFunction")
    assert "poison message" in logged
    assert "message body is not JSON" in logged


def test_a_resent_mention_is_stored_and_counted_once(client: SigapClient, tenant: tuple[str, str]) -> None:
    tenant_id, _ = tenant
    before = client.summary(tenant_id, since=(datetime.now(UTC) - timedelta(days=1)).isoformat()).body["total"]
    first = client.post_mentions(tenant_id, [mention_payload("resent-1")])
    wait_for(lambda: "resent-1" in stored_ids(client, tenant_id))
    again = client.post_mentions(tenant_id, [mention_payload("resent-1")])
    assert first.body["accepted"] == ["resent-1"]
    assert again.status == 202
    assert again.body["duplicates"] == ["resent-1"]
    after = client.summary(tenant_id, since=(datetime.now(UTC) - timedelta(days=1)).isoformat()).body["total"]
    assert after == before + 1


def test_a_tool_scores_texts_now_and_reads_a_posted_mention_back(client: SigapClient, tenant: tuple[str, str]) -> None:
    tenant_id, _ = tenant
    # A contact centre asks for a call note's score before it routes the call
    scored = client.request(
        "POST", f"/v1/tenants/{tenant_id}/score", body={"texts": [{"id": "call-9", "text": "Kecewa, botolnya bocor"}]}
    )
    assert scored.status == 200, scored.body
    assert scored.body["results"][0]["id"] == "call-9"
    assert scored.body["results"][0]["score"]["sentiment"] == "negative"
    # A CRM posts a ticket, then reads its score back by the ticket's id (percent-encoded)
    assert client.post_mentions(tenant_id, [mention_payload("ticket:77")]).status == 202
    read = wait_for(
        lambda: (
            (answer := client.request("GET", f"/v1/tenants/{tenant_id}/mentions/ticket%3A77")).body.get("state")
            == "scored"
            and answer
        )
    )
    assert read.body["mention"]["id"] == "ticket:77"
    assert read.body["score"]["sentiment"] in {"negative", "neutral", "positive"}


def test_the_api_serves_its_openapi_document(stack: LocalStack) -> None:
    answer = SigapClient(stack.api_url).request("GET", "/v1/openapi.json")
    assert answer.status == 200
    assert answer.body["info"]["title"] == "Sigap API"


@pytest.mark.xdist_group("e2e-own-stack")  # starts its own stack: may run beside the shared stack's tests
def test_sigap_up_serves_the_api_and_stops_cleanly_on_ctrl_c_saving_its_state(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sigap_tools.cli.main", "--state-dir", str(tmp_path), "up", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job is
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        while line and "API:" not in line:
            line = process.stdout.readline()
        api_url = line.split("API: ", 1)[1].strip()
        assert api_url.startswith("http://127.0.0.1:"), line
        with urllib.request.urlopen(f"{api_url}/v1/openapi.json", timeout=10) as answer:  # noqa: S310 - loopback
            assert answer.status == 200
        assert (tmp_path / "local.json").exists()
        # Ctrl-C in a terminal: SIGINT to the whole foreground process group, not just `sigap up`
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert not (tmp_path / "local.json").exists()
        printed = process.stdout.read()
        assert "Saved" in printed, printed
        assert (tmp_path / "state" / "manifest.json").exists()
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
