"""Time windows of the API: every instant turned into UTC before anything is keyed on it
(`2026-11-22T10:00+07:00` and `03:00Z` are the same window), bounded before and after."""

from __future__ import annotations

from datetime import datetime, timedelta

from sigap.kernel.errors import InvalidWindowError
from sigap.kernel.models import EARLIEST_TIME, MAX_CLOCK_SKEW, as_utc

MAX_WINDOW = timedelta(days=92)


def _utc_in_range(value: datetime, field: str) -> datetime:
    try:
        moment = as_utc(value)
    except ValueError as exc:
        raise InvalidWindowError(f"{field} {exc}", field) from exc
    if moment < EARLIEST_TIME:
        raise InvalidWindowError(f"{field} is before {EARLIEST_TIME:%Y-%m-%d}; Sigap holds nothing older", field)
    return moment


def resolve_window(
    since: datetime | None, until: datetime | None, *, default: timedelta, now: datetime
) -> tuple[datetime, datetime]:
    """The UTC window [since, until]: until defaults to now, since to `default` before until."""
    latest = now + MAX_CLOCK_SKEW
    end = min(_utc_in_range(until, "until"), latest) if until is not None else now
    start = _utc_in_range(since, "since") if since is not None else max(end - default, EARLIEST_TIME)
    if start > end:
        raise InvalidWindowError("since must be before until", "since")
    if end - start > MAX_WINDOW:
        raise InvalidWindowError(f"the window may span at most {MAX_WINDOW.days} days", "since")
    return start, end
