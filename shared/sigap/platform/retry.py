"""Draining what AWS leaves unprocessed (BatchGetItem's UnprocessedKeys, BatchWriteItem's UnprocessedItems,
SendMessageBatch's Failed entries, cancelled transactions' conflicts): retried with exponential backoff and full
jitter, as AWS advises, and if anything is still left, an error. Nothing is ever dropped silently."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sigap.kernel.errors import SigapError

Request = TypeVar("Request")

ATTEMPTS = 8
BASE_DELAY = 0.05
MAX_DELAY = 2.0


def backoff(attempt: int, *, base: float = BASE_DELAY, cap: float = MAX_DELAY) -> float:
    """Seconds to wait before retry `attempt` (1, 2, ...): full jitter over an exponentially growing window."""
    return random.uniform(0, min(cap, base * 2 ** (attempt - 1)))


def drain(  # noqa: UP047 - Sigap supports Python 3.11, which has no type-parameter syntax
    call: Callable[[Request], Request | None],
    request: Request,
    *,
    failure: Callable[[Request], SigapError],
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], None] | None = None,
) -> None:
    """Calls `call` with what is left until it returns None (nothing left), backing off between attempts;
    raises `failure(left)` when `attempts` calls still leave something."""
    wait = sleep or time.sleep
    pending: Request | None = request
    for attempt in range(1, attempts + 1):
        assert pending is not None
        pending = call(pending)
        if pending is None:
            return
        if attempt < attempts:
            wait(backoff(attempt))
    assert pending is not None
    raise failure(pending)
