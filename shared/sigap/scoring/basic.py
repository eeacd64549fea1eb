"""The first scorer: lexicon sentiment, language, reach and a risk from negativity and reach.

Kept as the baseline that the trained scorer must beat, and as a fallback with no model file.
"""

from __future__ import annotations

from collections.abc import Sequence

from sigap.models import Mention, Score, Sentiment
from sigap.scoring.language import identify
from sigap.scoring.lexicon import polarity
from sigap.scoring.reach import reach
from sigap.scoring.text import tokens

NEUTRAL_BAND = 0.05


def sentiment_of(value: float) -> Sentiment:
    if value <= -NEUTRAL_BAND:
        return Sentiment.NEGATIVE
    if value >= NEUTRAL_BAND:
        return Sentiment.POSITIVE
    return Sentiment.NEUTRAL


class LexiconScorer:
    name = "lexicon-v1"

    def score_batch(self, mentions: Sequence[Mention]) -> list[Score]:
        return [self._score(mention) for mention in mentions]

    def _score(self, mention: Mention) -> Score:
        words = tokens(mention.text)
        value = round(polarity(words), 4)
        spread = reach(mention)
        negativity = max(0.0, -value)
        risk = round(min(1.0, negativity * (0.4 + 0.6 * spread)), 4)
        factors = [f"negativity {negativity:.2f}", f"reach {spread:.2f}"] if risk else []
        return Score(
            sentiment=sentiment_of(value),
            polarity=value,
            lang=mention.language or identify(words),
            risk=risk,
            reach=spread,
            top_factors=factors,
            scorer=self.name,
        )
