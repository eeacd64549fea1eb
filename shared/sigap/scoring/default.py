"""The scorers every entry point uses, each loaded once per process."""

from __future__ import annotations

from functools import lru_cache

from sigap.scoring.engine import SigapScorer
from sigap.scoring.sentiment import shipped_model
from sigap.scoring.stories import MemoryBandIndex


@lru_cache(maxsize=4)
def stored_stories_scorer(stories_table: str, window_days: int) -> SigapScorer:
    """The scoring function's scorer: stories remembered in DynamoDB across batches and instances."""
    from sigap.dal.stories import DynamoBandIndex  # boto3 is not needed (nor imported) by `sigap score`

    return SigapScorer(shipped_model(), DynamoBandIndex(stories_table, window_days))


def offline_scorer() -> SigapScorer:
    """`sigap score`'s scorer: no AWS; stories remembered for this run only."""
    return SigapScorer(shipped_model(), MemoryBandIndex())
