"""A running local stack's snapshot waits for the batches in flight and holds new ones back while it reads the
tables, so no batch is half in it (the probe's over-count: a mention scored between the Mentions and the
Aggregates scans was queued again on restore and counted twice)."""

from __future__ import annotations

import threading
import time

from sigap_tools.local.event_sources import WorkGate


def test_a_snapshot_waits_for_work_in_flight_and_no_work_starts_while_it_reads() -> None:
    gate = WorkGate()
    events: list[str] = []
    started, release = threading.Event(), threading.Event()

    def batch(name: str, hold: threading.Event | None = None) -> None:
        with gate.work():
            events.append(f"{name} start")
            started.set()
            if hold is not None:
                hold.wait(10)
            events.append(f"{name} end")

    first = threading.Thread(target=batch, args=("first", release))
    first.start()
    assert started.wait(10)
    snapshot_done = threading.Event()

    def snapshot() -> None:
        with gate.quiet(timeout=10) as quiet:
            events.append(f"snapshot (quiet={quiet})")
            time.sleep(0.2)  # a new batch arriving now must wait
        snapshot_done.set()

    taker = threading.Thread(target=snapshot)
    taker.start()
    time.sleep(0.2)
    assert not any(event.startswith("snapshot") for event in events)  # it waits for the batch in flight
    second = threading.Thread(target=batch, args=("second",))
    release.set()
    deadline = time.monotonic() + 10
    while not any(event.startswith("snapshot") for event in events) and time.monotonic() < deadline:
        time.sleep(0.01)
    second.start()
    for thread in (first, taker, second):
        thread.join(10)
    assert events == ["first start", "first end", "snapshot (quiet=True)", "second start", "second end"]


def test_a_snapshot_that_cannot_wait_longer_says_so_and_lets_work_go_on() -> None:
    gate = WorkGate()
    with gate.work(), gate.quiet(timeout=0.1) as quiet:  # a batch that outlives the wait
        assert quiet is False
    with gate.work():  # the gate is open again
        pass
