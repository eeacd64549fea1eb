"""The contract every scorer meets, so the scoring function, the CLI and the benchmarks share one code path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sigap.kernel.models import Mention, Score


class MentionScorer(Protocol):
    name: str

    def score_batch(self, mentions: Sequence[Mention]) -> list[Score]:
        """One Score per mention, in order. Pure and deterministic: same input, same output."""
        ...
