"""The scorer every entry point uses (function, CLI, benchmarks), loaded once per process."""

from __future__ import annotations

from functools import lru_cache

from sigap.scoring.basic import LexiconScorer
from sigap.scoring.interface import MentionScorer


@lru_cache(maxsize=1)
def default_scorer() -> MentionScorer:
    return LexiconScorer()
