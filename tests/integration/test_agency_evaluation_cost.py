"""An agency's idle clients evaluated every minute, metered on the deployed detection code under moto (the bench
runs more clients and prints the month for 10,000): an idle tenant-minute reads a few small items and writes
nothing; only the hour's roll-up writes, once an hour."""

from __future__ import annotations

from pathlib import Path

import pytest

from sigap_tools.capacity import cost
from sigap_tools.capacity.agency import IdleAgency, run

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


@pytest.fixture(scope="module")
def idle() -> IdleAgency:
    # Six clients, each with one mention three hours ago, evaluated every minute for an hour and a minute, each
    # request by one of five evaluator sandboxes
    return run(tenants=6, minutes=61, sandboxes=5)


@pytest.mark.xdist_group("capacity")
def test_an_idle_clients_minute_writes_nothing_and_only_the_hours_roll_up_does(idle: IdleAgency) -> None:
    assert idle.minutes_with_writes == 1, "the hour's roll-up, once"
    assert idle.write_units <= 0.1  # a few small items an hour, shared over 60 minutes
    # the roll-up cursor and the detector's state: one small read each, and the hour's share (the detection
    # settings are not read: a quiet minute needs none). The hour's baseline only where the sandbox does not hold
    # it: at most twice an hour a client for each other sandbox (its first look at the client, and once after
    # another sandbox rolled the hour); before, every minute read it (two GetItems a tenant-minute)
    baseline_reads = idle.call_kinds["GetItem"] - 1.0
    assert 0 < baseline_reads <= 2 * (idle.sandboxes - 1) / idle.minutes
    assert idle.read_units <= 1.2
    assert idle.calls <= 2.5


@pytest.mark.xdist_group("capacity")
def test_the_month_of_10000_idle_clients_adds_up_from_the_measured_minute(idle: IdleAgency) -> None:
    lines = {line.item: line.usd for line in cost.agency_month(idle, 10_000, TEMPLATE)}
    minutes = 10_000 * cost.MINUTES_PER_MONTH
    assert lines["DynamoDB reads"] == pytest.approx(minutes * idle.read_units * cost.PRICE_READ_UNIT)
    # ten tenants a message, ten messages a send, a receive and a delete: 0.03 requests a tenant-minute (0.3
    # when each message asked for one tenant)
    assert lines["SQS requests"] == pytest.approx(minutes * 0.03 * cost.PRICE_SQS_REQUEST)
    # one invocation (and its log lines) per batch the evaluator's event source hands over
    invocations = minutes / cost.evaluation_batch(TEMPLATE)
    assert lines["CloudWatch Logs"] == pytest.approx(invocations * cost.LOG_BYTES_PER_INVOCATION / 1e9 * 0.5)
    assert sum(lines.values()) < 400  # $609 when every idle minute wrote the detector state (one write unit)
