"""The reminders function's wiring: every minute, the due reminders of the tenants whose promises need a look."""

from __future__ import annotations

from collections.abc import Callable

from sigap.incidents.promise_wakes import SeenWake
from sigap.kernel.models import utc_now
from sigap.platform.observability import logger, metrics
from sigap.platform.side_by_side import side_by_side
from sigap.statements.domain.reminders import check_reminders
from sigap.statements.publisher_adapters import publisher_ports, shared_adapters
from sigap.statements.settings import PublishingSettings

# Tenants checked side by side: each check is a few DynamoDB reads, so even every tenant of a 10,000-client agency
# due at once takes seconds, not the minutes one after another would (a run is cut at its deadline, never
# mid-tenant).
REMINDER_CHECKERS = 16
DEADLINE_MARGIN_SECONDS = 10.0


def run_reminders(
    settings: PublishingSettings, time_left: Callable[[], float] = lambda: float("inf")
) -> dict[str, list[str]]:
    """The due reminders of every tenant whose promises need a look (its wake has come); the rest are not read.
    A tenant that fails is logged, stays due, and the others still run. Each minute starts at another place in
    the list: a run cut short by its deadline leaves other tenants for the next minute, never the same last ones
    (`time_left`: seconds the invocation has left)."""
    tenants, wakes, table, *_ = shared_adapters(settings)
    now = utc_now()
    if wakes.start_wakes(tenants.tenant_ids(), now):
        logger.info("every tenant woken once: promises made before wakes existed get their look")
    due = sorted(wakes.due_wakes(now), key=lambda seen: seen.tenant_id)
    start = (int(now.timestamp()) // 60 * 7_919) % len(due) if due else 0
    ordered = due[start:] + due[:start]

    def check(seen: SeenWake) -> tuple[str, list[str] | None, bool]:
        tenant_id = seen.tenant_id
        if time_left() < DEADLINE_MARGIN_SECONDS:
            return tenant_id, None, False
        try:
            checked = check_reminders(tenant_id, publisher_ports(settings, tenant_id), table, now)
            wakes.settle_wake(seen, checked.next_look)
        except Exception:
            logger.exception("reminders failed for a tenant", extra={"tenant_id": tenant_id})
            return tenant_id, None, True
        return tenant_id, checked.done, False

    done: dict[str, list[str]] = {}
    results = side_by_side(check, ordered, REMINDER_CHECKERS)
    failed = [tenant_id for tenant_id, _, broke in results if broke]
    deferred = [tenant_id for tenant_id, lines, broke in results if lines is None and not broke]
    for tenant_id, lines, _ in results:
        if lines:
            done[tenant_id] = lines
            logger.info("reminders sent", extra={"tenant_id": tenant_id, "done": lines})
    if deferred:
        logger.warning("the run's deadline came first: these tenants wait a minute", extra={"tenants": len(deferred)})
        metrics.add_metric(name="RemindersDeferred", unit="Count", value=len(deferred))
    if failed:
        raise RuntimeError(f"reminders failed for {len(failed)} tenant(s): {', '.join(failed[:10])}")
    return done
