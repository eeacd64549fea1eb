"""The every-minute reminders run reads only the tenants whose promises need a look (their wake has come): side
by side, each minute starting elsewhere, cut at its deadline between tenants (never mid-tenant), each tenant's
next wake set from what its check found, and one tenant's failure never stopping the others."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sigap.incidents.promise_wakes import START_WIDTH, PromiseWakes, SeenWake
from sigap.statements import reminders_tick
from sigap.statements.domain.reminders import Checked


class _Tenants:
    def __init__(self, count: int) -> None:
        self.ids = [f"client-{number:05d}" for number in range(count)]

    def tenant_ids(self) -> list[str]:
        return list(self.ids)


class _Wakes:
    """Every tenant of the agency due (the worst minute: all woken at once), none started before."""

    def __init__(self, tenants: _Tenants) -> None:
        self.due = [SeenWake(tenant_id, woken=1) for tenant_id in tenants.ids]
        self.settled: dict[str, datetime | None] = {}
        self.started = False

    def start_wakes(self, tenant_ids: list[str], now: datetime) -> bool:
        self.started = True
        return False

    def due_wakes(self, now: datetime) -> list[SeenWake]:
        return list(self.due)

    def settle_wake(self, seen: SeenWake, next_at: datetime | None) -> bool:
        self.settled[seen.tenant_id] = next_at
        return True


@pytest.fixture
def agency(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    tenants = _Tenants(10_000)
    world: dict[str, Any] = {
        "tenants": tenants,
        "wakes": _Wakes(tenants),
        "checked": [],
        "broken": set(),
        "now": datetime.now(UTC),
    }
    lock = threading.Lock()

    def check(tenant_id: str, ports: object, marks: object, now: datetime) -> Checked:
        with lock:
            world["checked"].append(tenant_id)
        if tenant_id in world["broken"]:
            raise RuntimeError("DynamoDB throttled this tenant's reads")
        done = [f"reminded staff of {tenant_id}"] if tenant_id.endswith("7") else []
        return Checked(done=done, next_look=now + timedelta(minutes=15) if tenant_id.endswith("5") else None)

    monkeypatch.setattr(
        reminders_tick, "shared_adapters", lambda settings: (world["tenants"], world["wakes"], object())
    )
    monkeypatch.setattr(reminders_tick, "publisher_ports", lambda settings, tenant_id: object())
    monkeypatch.setattr(reminders_tick, "check_reminders", check)
    monkeypatch.setattr(reminders_tick, "utc_now", lambda: world["now"])
    return world


def test_every_due_tenant_of_a_10000_client_agency_is_checked_once_and_its_next_wake_set(
    agency: dict[str, Any],
) -> None:
    done = reminders_tick.run_reminders(object())  # type: ignore[arg-type]
    assert agency["wakes"].started
    assert sorted(agency["checked"]) == agency["tenants"].ids
    assert len(done) == 1_000
    settled = agency["wakes"].settled
    assert len(settled) == 10_000
    assert settled["client-00005"] == agency["now"] + timedelta(minutes=15)
    assert settled["client-00004"] is None, "a tenant with nothing promised leaves the index"


def test_a_tenant_whose_wake_has_not_come_is_never_read(agency: dict[str, Any]) -> None:
    # Given only three of the 10,000 tenants due
    agency["wakes"].due = [SeenWake(f"client-0000{number}", woken=1) for number in (1, 5, 7)]
    reminders_tick.run_reminders(object())  # type: ignore[arg-type]
    assert sorted(agency["checked"]) == ["client-00001", "client-00005", "client-00007"]


def test_a_run_cut_by_its_deadline_leaves_other_tenants_each_minute_and_they_stay_due(
    agency: dict[str, Any],
) -> None:
    # Given a run whose invocation has time for about 3,000 tenants
    def time_left() -> float:
        return 60.0 if len(agency["checked"]) < 3_000 else 5.0

    reminders_tick.run_reminders(object(), time_left=time_left)  # type: ignore[arg-type]
    first = set(agency["checked"])
    # Then it stops between tenants, settles only those it checked, and the next minute's run starts elsewhere
    assert 3_000 <= len(first) < 3_000 + reminders_tick.REMINDER_CHECKERS
    assert set(agency["wakes"].settled) == first
    agency["checked"].clear()
    agency["now"] += timedelta(minutes=1)
    reminders_tick.run_reminders(object(), time_left=time_left)  # type: ignore[arg-type]
    assert set(agency["checked"]) - first


def test_one_tenant_failing_never_stops_the_others_stays_due_and_the_run_says_so(agency: dict[str, Any]) -> None:
    agency["broken"] = {"client-00042"}
    with pytest.raises(RuntimeError, match="client-00042"):
        reminders_tick.run_reminders(object())  # type: ignore[arg-type]
    assert len(agency["checked"]) == 10_000
    assert "client-00042" not in agency["wakes"].settled


class _SlowTable:
    """A notifications table whose every UpdateItem waits until a wave of START_WIDTH have begun: the start can
    only finish if it wakes tenants side by side."""

    def __init__(self) -> None:
        self.wave = threading.Barrier(START_WIDTH, timeout=10)
        self.woken: list[str] = []
        self.noted = False
        self.lock = threading.Lock()

    def get_item(self, **_: Any) -> dict[str, Any]:
        return {}

    def update_item(self, Key: dict[str, Any], **_: Any) -> None:  # noqa: N803 (boto3's own argument name)
        self.wave.wait()
        with self.lock:
            self.woken.append(Key["pk"]["S"])

    def put_item(self, **_: Any) -> None:
        self.noted = True


def test_the_first_run_wakes_an_agencys_tenants_side_by_side_then_notes_it_once() -> None:
    table = _SlowTable()
    wakes = PromiseWakes("notifications", client=table)  # type: ignore[arg-type]
    tenants = [f"client-{number:05d}" for number in range(START_WIDTH * 4)]
    assert wakes.start_wakes(iter(tenants), datetime.now(UTC))
    assert sorted(table.woken) == tenants
    assert table.noted
