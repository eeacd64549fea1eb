"""When to try a failed delivery again: a Svix-like schedule (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
10 h) with jitter, never sooner than the receiver's own Retry-After."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

DEFAULT_SCHEDULE = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
JITTER = 0.1  # ±10 %: retries of many deliveries that failed together do not arrive together
MAX_RETRY_AFTER = 36000


def parse_schedule(text: str) -> tuple[int, ...]:
    """'0,5,300' → (0, 5, 300): when each attempt is made, in seconds after the one before (Svix's "immediately,
    5 seconds, 5 minutes": the first entry is the first attempt, sent as soon as it is queued)."""
    try:
        delays = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise ValueError(f"a retry schedule is comma-separated seconds, not {text!r}") from exc
    if not delays or any(delay < 0 for delay in delays):
        raise ValueError(f"a retry schedule needs at least one delay, none negative: {text!r}")
    return delays


def next_delay(
    attempts: int, schedule: tuple[int, ...], retry_after: float | None, rng: random.Random | None = None
) -> float | None:
    """Seconds to wait before the attempt after `attempts` tries, or None when the schedule is used up."""
    if attempts >= len(schedule):
        return None
    base = schedule[attempts]
    jittered = base * (1 + (rng or random).uniform(-JITTER, JITTER)) if base else 0.0
    if retry_after is not None:
        jittered = max(jittered, min(retry_after, MAX_RETRY_AFTER))
    return jittered


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
