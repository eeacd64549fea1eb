"""Stories under concurrency: two scoring batches holding copies of one hoax, both finding its bands new at the
same moment (as two Lambda instances do when the forwards arrive together), come out as one story, with the
stories table under moto and with the in-memory index, whichever batch claims which band first."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from sigap.scoring.domain.stories import BandIndex, MemoryBandIndex, assign_stories
from sigap.scoring.domain.text import tokens as tokenize
from sigap.scoring.story_index import DynamoBandIndex
from tests.integration.conftest import AwsStack

HOAX = "PENTING!!! Jangan minum Teh Segar botol kemasan 350ml, sudah ada 3 anak keracunan. Tolong sebarkan ke keluarga"
FORWARDS = [HOAX, "Fwd: " + HOAX, "FW: Fwd: " + HOAX + " -- dari grup alumni", "Re: " + HOAX.lower(), HOAX + " !!"]


class RacingIndex:
    """Lets every batch look its bands up before any claims one: the race, every time rather than now and then."""

    def __init__(self, inner: BandIndex, batches: int) -> None:
        self._inner = inner
        self._looked_up = threading.Barrier(batches)

    def lookup(self, tenant_id: str, band_keys: Sequence[str]) -> dict[str, str]:
        found = self._inner.lookup(tenant_id, band_keys)
        self._looked_up.wait(timeout=30)
        return found

    def remember(self, tenant_id: str, assignments: Mapping[str, str]) -> dict[str, str]:
        return self._inner.remember(tenant_id, assignments)


def _race(index: BandIndex, batches: int) -> list[list[str]]:
    racing = RacingIndex(index, batches)
    tokenised = [tokenize(text) for text in FORWARDS]

    def batch(number: int) -> list[str]:
        ids = [f"b{number}-m{position}" for position in range(len(FORWARDS))]
        return assign_stories(["teh-segar"] * len(FORWARDS), ids, tokenised, racing)

    with ThreadPoolExecutor(max_workers=batches) as pool:
        return list(pool.map(batch, range(batches)))


@pytest.mark.parametrize("batches", [2, 4])
def test_racing_batches_of_one_hoaxs_forwards_are_one_story_in_memory(batches: int) -> None:
    results = _race(MemoryBandIndex(), batches)
    assert len({story for result in results for story in result}) == 1


@pytest.mark.parametrize("batches", [2, 4])
def test_racing_batches_of_one_hoaxs_forwards_are_one_story_in_the_stories_table(aws: AwsStack, batches: int) -> None:
    index = DynamoBandIndex(aws.table("StoriesTable"), window_days=7)
    results = _race(index, batches)
    assert len({story for result in results for story in result}) == 1
    # and a forward arriving later joins it
    [later] = assign_stories(["teh-segar"], ["late"], [tokenize("Fwd: Fwd: " + HOAX)], index)
    assert later == results[0][0]
