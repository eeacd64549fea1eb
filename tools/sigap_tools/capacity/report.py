"""What a capacity run found, against AWS's documented limits: the checks a test asserts and the tables
`make bench` prints."""

from __future__ import annotations

from collections import defaultdict

from sigap_tools.capacity.meter import (
    ITEM_LIMIT_BYTES,
    READ_UNITS_PER_PARTITION,
    WRITE_UNITS_PER_PARTITION,
    CapacityMeter,
)
from sigap_tools.capacity.scenario import Run

NEAR_ITEM_LIMIT = 0.75  # an item past three quarters of 400 KB is one busy minute from refused
AUTHOR_ERROR = 0.02
TRANSACTION_ITEMS = 100


def _short(table: str) -> str:
    return table.split("-", 1)[-1] if "-" in table else table


def problems(run: Run) -> list[str]:
    """Every way the run would fail on AWS; empty when it stays within every limit."""
    found = []
    meter = run.meter
    for table, (partition, units) in CapacityMeter.hottest(meter.writes).items():
        if units > WRITE_UNITS_PER_PARTITION:
            found.append(f"{_short(table)}: key {partition} needs {units:.0f} write units in one second")
    for table, (partition, units) in CapacityMeter.hottest(meter.reads).items():
        if units > READ_UNITS_PER_PARTITION:
            found.append(f"{_short(table)}: key {partition} needs {units:.0f} read units in one second")
    for table, size in meter.largest_item.items():
        if size > NEAR_ITEM_LIMIT * ITEM_LIMIT_BYTES:
            found.append(f"{_short(table)}: an item of {size / 1024:.0f} KB (the limit is 400 KB)")
    if meter.largest_transaction > TRANSACTION_ITEMS:
        found.append(f"a transaction of {meter.largest_transaction} items (the limit is 100)")
    if meter.conflicts:
        found.append(f"{meter.conflicts} items written by two transactions in the same second (conflicts)")
    if run.dead_lettered:
        found.append(f"{run.dead_lettered} mentions failed to store (dead-lettered after retries)")
    if run.counted_mentions != run.mentions:
        found.append(f"{run.counted_mentions} mentions counted of {run.mentions}")
    distinct = min(run.authors, run.mentions)
    if abs(run.counted_authors / distinct - 1) > AUTHOR_ERROR:
        found.append(f"{run.counted_authors} distinct authors counted of {distinct}")
    return found


def per_table(units: dict[tuple[str, str, int], float]) -> dict[str, float]:
    totals: defaultdict[str, float] = defaultdict(float)
    for (table, _, _), amount in units.items():
        totals[table] += amount
    return dict(totals)


def capacity_table(run: Run, title: str) -> str:
    meter = run.meter
    writes, reads = CapacityMeter.hottest(meter.writes), CapacityMeter.hottest(meter.reads)
    write_totals, read_totals = per_table(meter.writes), per_table(meter.reads)
    lines = [
        f"### {title}\n",
        f"{run.mentions:,} mentions at {run.rate:,}/s over {run.seconds} s"
        f"{f' (every {run.every}th second simulated)' if run.every > 1 else ''}, {min(run.authors, run.mentions):,}"
        f" distinct authors; counted {run.counted_mentions:,} mentions and {run.counted_authors:,} authors; "
        f"{run.dead_lettered} failed; {run.wall_seconds:.0f} s under moto.\n",
        "| table or index | hottest key, write units in its busiest second (limit 1,000) | read units, same "
        "(limit 3,000) | largest item (limit 400 KB) | write units per mention | read units per mention |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for table in sorted(set(writes) | set(reads)):
        size = meter.largest_item.get(table.split("/")[0]) if "/" not in table else None
        lines.append(
            f"| {_short(table)} | {writes.get(table, ('', 0.0))[1]:,.0f} | {reads.get(table, ('', 0.0))[1]:,.0f} | "
            f"{f'{size / 1024:.1f} KB' if size else '—'} | {write_totals.get(table, 0.0) / run.mentions:.2f} | "
            f"{read_totals.get(table, 0.0) / run.mentions:.2f} |"
        )
    lines.append(
        f"| **all** | | | | **{meter.write_units / run.mentions:.2f}** | **{meter.read_units / run.mentions:.2f}** |"
    )
    lines.append("")
    lines.append(
        f"Largest transaction: {meter.largest_transaction} items; items written by two transactions in one second: "
        f"{meter.conflicts}. Within every limit: {'yes' if not problems(run) else 'NO: ' + '; '.join(problems(run))}.\n"
    )
    return "\n".join(lines)
