"""The one optimistic-concurrency helper: a lost race is redone, a won one answers, too many raise."""

import pytest

from sigap.kernel.races import LOST_RACE, MAX_RACES, LostRace, retry_on_conflict


class KeptChangingError(Exception):
    pass


def test_a_write_that_loses_races_is_redone_until_it_holds() -> None:
    # Given a record another writer changes twice before our write holds
    outcomes: list[str | LostRace] = [LOST_RACE, LOST_RACE, "saved"]
    calls: list[int] = []

    def attempt() -> str | LostRace:
        calls.append(1)
        return outcomes.pop(0)

    # When the change is applied through the helper
    # Then it is read and redone until the write holds, and answers what the holding write answered
    assert retry_on_conflict(attempt, KeptChangingError) == "saved"
    assert len(calls) == 3


def test_a_record_that_keeps_changing_raises_the_callers_conflict_after_max_races() -> None:
    # Given a record whose every write loses
    calls: list[int] = []

    def attempt() -> LostRace | None:
        calls.append(1)
        return LOST_RACE

    # When the change is applied, then the caller's own error is raised after MAX_RACES attempts
    with pytest.raises(KeptChangingError):
        retry_on_conflict(attempt, KeptChangingError)
    assert len(calls) == MAX_RACES


def test_a_none_result_is_an_answer_not_a_lost_race() -> None:
    # Given an attempt whose successful write has nothing to return
    # Then None is its answer: only LOST_RACE means try again
    assert retry_on_conflict(lambda: None, KeptChangingError) is None
