"""The scorer `sigap score` and the benchmarks use, with no AWS."""

from __future__ import annotations

from sigap.scoring.domain.engine import SigapScorer
from sigap.scoring.domain.sentiment import shipped_model
from sigap.scoring.domain.stories import MemoryBandIndex


def offline_scorer() -> SigapScorer:
    """`sigap score`'s scorer: no AWS; stories remembered for this run only."""
    return SigapScorer(shipped_model(), MemoryBandIndex())
