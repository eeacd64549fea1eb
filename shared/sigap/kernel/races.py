"""Optimistic concurrency, once: read a record, decide, write it on the version read; a write that lost the race
to another writer is read again and redone, up to MAX_RACES times, then the caller's conflict error is raised
(the request or message is retried as a whole)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

MAX_RACES: Final = 8


class LostRace:
    """What an attempt answers when its conditional write lost to another writer."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "LOST_RACE"


LOST_RACE: Final = LostRace()


def retry_on_conflict[Result](
    attempt: Callable[[], Result | LostRace],
    conflict: Callable[[], Exception],
    attempts: int = MAX_RACES,
) -> Result:
    """The first attempt's result that did not lose its race; `conflict()` raised after `attempts` lost ones."""
    for _ in range(attempts):
        outcome = attempt()
        if not isinstance(outcome, LostRace):
            return outcome
    raise conflict()
