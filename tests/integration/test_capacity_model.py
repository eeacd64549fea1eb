"""The capacity model: DynamoDB's units per partition key per second and item sizes, metered on the adapters' real
calls under moto, and checked against AWS's documented limits (the full viral minute runs in `make bench`)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sigap_tools.capacity.meter import CapacityMeter, TableShape, item_bytes
from sigap_tools.capacity.report import capacity_table, problems
from sigap_tools.capacity.scenario import Run, run


@pytest.fixture(scope="module")
def crisis() -> Run:
    # Four seconds of a tenant at 300 mentions a second from 900 people, through the deployed code
    return run(rate=300, seconds=4, authors=900)


@pytest.mark.xdist_group("capacity")
def test_a_busy_tenant_stays_within_every_dynamodb_limit_and_is_counted_exactly(crisis: Run) -> None:
    assert problems(crisis) == []
    assert crisis.counted_mentions == crisis.mentions == 1_200
    assert abs(crisis.counted_authors - 900) <= 18
    # and every write landed somewhere the model can see: mentions, partials (with the listing's entries), stories
    tables = {table.split("-", 1)[1] for table, _, _ in crisis.meter.writes}
    assert tables == {"MentionsTable", "AggregatesTable", "StoriesTable"}
    # a mention costs its claim and its scored put (one unit each, no transaction) and a share of its partial
    mentions_units = sum(
        units for (table, _, _), units in crisis.meter.writes.items() if table.endswith("-MentionsTable")
    )
    assert mentions_units == 2 * crisis.mentions
    assert "| **all** |" in capacity_table(crisis, "a busy tenant")


@pytest.mark.xdist_group("capacity")
def test_an_idle_tenant_costs_the_evaluator_one_eventually_consistent_read_a_minute(crisis: Run) -> None:
    # A tenant whose last mention was hours ago: its roll-up finds nothing new, and its window, given the cursor
    # the roll-up read, knows nothing was written since the window began
    assert crisis.idle_read_units == 0.5
    assert crisis.idle_write_units == 0


def test_the_model_flags_a_hot_partition_an_oversized_item_and_a_conflict() -> None:
    # Given a meter that saw one key written 1,200 times in a second, a 390 KB item and two transactions on one item
    meter = CapacityMeter({"t": TableShape(keys=("pk",))})
    for _ in range(1_200):
        meter._write("t", {"pk": {"S": "hot"}}, 1)
    meter._write("t", {"pk": {"S": "big"}, "blob": {"B": b"x" * 390 * 1024}}, 1)
    meter._write("t", {"pk": {"S": "shared"}}, 2, transaction=1)
    meter._write("t", {"pk": {"S": "shared"}}, 2, transaction=2)
    found = problems(
        Run(
            meter=meter,
            mentions=1,
            seconds=1,
            every=1,
            rate=1,
            authors=1,
            wall_seconds=0,
            counted_authors=1,
            counted_mentions=1,
            dead_lettered=0,
        )
    )
    # Then each is named
    assert any("key hot needs 1200 write units" in problem for problem in found)
    assert any("an item of 390 KB" in problem for problem in found)
    assert any("two transactions" in problem for problem in found)


def test_item_sizes_follow_dynamodbs_rules() -> None:
    # names and values in UTF-8, numbers about half their significant digits plus one, binary its bytes
    assert item_bytes({"pk": {"S": "tenant#1"}}) == 2 + 8
    assert item_bytes({"n": {"N": "12345"}}) == 1 + 4
    assert item_bytes({"b": {"B": b"\x00" * 100}}) == 101
    assert item_bytes({"s": {"SS": ["ab", "cd"]}}) == 1 + 4
    assert item_bytes({"é": {"S": "é"}}) == 4


def test_a_run_that_lost_mentions_or_miscounted_authors_fails() -> None:
    meter = CapacityMeter({})
    fine = Run(
        meter=meter,
        mentions=100,
        seconds=1,
        every=1,
        rate=100,
        authors=100,
        wall_seconds=0,
        counted_authors=100,
        counted_mentions=100,
        dead_lettered=0,
    )
    assert problems(fine) == []
    assert problems(replace(fine, dead_lettered=1))
    assert problems(replace(fine, counted_mentions=99))
    assert problems(replace(fine, counted_authors=97))
