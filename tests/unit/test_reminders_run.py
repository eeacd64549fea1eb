"""The every-minute reminders run over an agency's tenants: side by side, each minute starting elsewhere, cut at
its deadline between tenants (never mid-tenant), and one tenant's failure never stopping the others."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sigap.statements import wiring


class _Tenants:
    def __init__(self, count: int) -> None:
        self.ids = [f"client-{number:05d}" for number in range(count)]

    def tenant_ids(self) -> list[str]:
        return list(self.ids)


@pytest.fixture
def agency(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    world: dict[str, Any] = {"tenants": _Tenants(10_000), "checked": [], "broken": set(), "now": datetime.now(UTC)}
    lock = threading.Lock()

    def check(tenant_id: str, ports: object, marks: object, now: datetime) -> list[str]:
        with lock:
            world["checked"].append(tenant_id)
        if tenant_id in world["broken"]:
            raise RuntimeError("DynamoDB throttled this tenant's reads")
        return [f"reminded staff of {tenant_id}"] if tenant_id.endswith("7") else []

    monkeypatch.setattr(wiring, "_shared", lambda settings: (world["tenants"], None, object()))
    monkeypatch.setattr(wiring, "publisher_ports", lambda settings, tenant_id: object())
    monkeypatch.setattr(wiring, "check_reminders", check)
    monkeypatch.setattr(wiring, "utc_now", lambda: world["now"])
    return world


def test_every_tenant_of_a_10000_client_agency_is_checked_once_a_run(agency: dict[str, Any]) -> None:
    done = wiring.run_reminders(object())  # type: ignore[arg-type]
    assert sorted(agency["checked"]) == agency["tenants"].ids
    assert len(done) == 1_000


def test_a_run_cut_by_its_deadline_leaves_other_tenants_each_minute(agency: dict[str, Any]) -> None:
    # Given a run whose invocation has time for about 3,000 tenants
    def time_left() -> float:
        return 60.0 if len(agency["checked"]) < 3_000 else 5.0

    wiring.run_reminders(object(), time_left=time_left)  # type: ignore[arg-type]
    first = set(agency["checked"])
    # Then it stops between tenants, and the next minute's run starts elsewhere in the list
    assert 3_000 <= len(first) < 3_000 + wiring.REMINDER_CHECKERS
    agency["checked"].clear()
    agency["now"] += timedelta(minutes=1)
    wiring.run_reminders(object(), time_left=time_left)  # type: ignore[arg-type]
    assert set(agency["checked"]) - first


def test_one_tenant_failing_never_stops_the_others_and_the_run_says_so(agency: dict[str, Any]) -> None:
    agency["broken"] = {"client-00042"}
    with pytest.raises(RuntimeError, match="client-00042"):
        wiring.run_reminders(object())  # type: ignore[arg-type]
    assert len(agency["checked"]) == 10_000
