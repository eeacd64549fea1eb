"""Sigap's scorer: sentiment, language, crisis signals, reach, risk and story for a batch of texts at once.

The scoring function (through `score_batch`, on Mentions) and `sigap score` (through `score_inputs`, on plain
records) run this same code; only the story index differs (DynamoDB or memory). `score_inputs` returns plain
ScoreResult objects, so `sigap score` never imports pydantic (~170 ms at start); `score_batch` turns them into
the stored `sigap.kernel.models.Score`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sigap.kernel.kinds import Sentiment, SourceChannel
from sigap.kernel.language import LANGUAGES, identify
from sigap.scoring.domain.reach import reach_of
from sigap.scoring.domain.risk import risk_of
from sigap.scoring.domain.sentiment import SentimentModel
from sigap.scoring.domain.signals import SignalHit, find_signals
from sigap.scoring.domain.stories import BandIndex, assign_stories
from sigap.scoring.domain.text import tokens

if TYPE_CHECKING:
    from sigap.kernel.models import Author, Engagement, Mention, Score

_SENTIMENTS = (Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE)


@dataclass(frozen=True, slots=True)
class ScoringInput:
    tenant_id: str
    mention_id: str
    text: str
    channel: SourceChannel = SourceChannel.OTHER
    followers: int | None = None
    verified: bool = False
    likes: int = 0
    shares: int = 0
    comments: int = 0
    language_hint: str | None = None


@dataclass(frozen=True, slots=True)
class ScoreResult:
    sentiment: Sentiment
    polarity: float
    confidence: float
    lang: str
    risk: float
    reach: float
    signals: list[SignalHit]
    story_id: str
    top_factors: list[str]


class Scorable(Protocol):
    """What scoring reads of a mention, or of a text sent to be scored now."""

    @property
    def text(self) -> str: ...
    @property
    def channel(self) -> SourceChannel: ...
    @property
    def author(self) -> Author: ...
    @property
    def engagement(self) -> Engagement: ...
    @property
    def language(self) -> str | None: ...


def input_for(tenant_id: str, mention_id: str, item: Scorable) -> ScoringInput:
    return ScoringInput(
        tenant_id=tenant_id,
        mention_id=mention_id,
        text=item.text,
        channel=item.channel,
        followers=item.author.followers,
        verified=item.author.verified,
        likes=item.engagement.likes,
        shares=item.engagement.shares,
        comments=item.engagement.comments,
        language_hint=item.language,
    )


def input_of(mention: Mention) -> ScoringInput:
    return input_for(mention.tenant_id, mention.id, mention)


class SigapScorer:
    def __init__(self, model: SentimentModel, stories: BandIndex) -> None:
        if model.classes != tuple(s.value for s in _SENTIMENTS):
            raise ValueError(f"the model's classes {model.classes} are not negative/neutral/positive")
        self._model = model
        self._stories = stories
        self.name = f"sigap-lr-{model.training.get('vocabulary', 0)}"

    def score_batch(self, mentions: Sequence[Mention]) -> list[Score]:
        return self.scores([input_of(mention) for mention in mentions])

    def scores(self, inputs: Sequence[ScoringInput]) -> list[Score]:
        """Each input's score as stored and answered (the engine's result with this scorer's name)."""
        from sigap.kernel.models import Score, Signal

        return [
            Score(
                sentiment=result.sentiment,
                polarity=result.polarity,
                confidence=result.confidence,
                lang=result.lang,
                risk=result.risk,
                reach=result.reach,
                signals=[Signal(category=s.category, severity=s.severity, evidence=s.evidence) for s in result.signals],
                story_id=result.story_id,
                top_factors=result.top_factors,
                scorer=self.name,
            )
            for result in self.score_inputs(inputs)
        ]

    def score_inputs(self, inputs: Sequence[ScoringInput]) -> list[ScoreResult]:
        if not inputs:
            return []
        tokenised = [tokens(item.text) for item in inputs]
        identified = [identify(words) for words in tokenised]
        probabilities = self._model.probabilities(tokenised, identified).tolist()
        story_ids = assign_stories(
            [item.tenant_id for item in inputs], [item.mention_id for item in inputs], tokenised, self._stories
        )
        scores = []
        for item, words, language, (negative, neutral, positive), story_id in zip(
            inputs, tokenised, identified, probabilities, story_ids, strict=True
        ):
            if language == "other" and item.language_hint in LANGUAGES:
                language = item.language_hint
            signals = find_signals(words)
            spread = reach_of(item.channel, item.followers, item.verified, item.likes, item.shares, item.comments)
            risk, factors = risk_of(negative, signals, spread)
            best = max(range(3), key=(negative, neutral, positive).__getitem__)
            scores.append(
                ScoreResult(
                    sentiment=_SENTIMENTS[best],
                    polarity=round(positive - negative, 4),
                    confidence=round((negative, neutral, positive)[best], 4),
                    lang=language,
                    risk=risk,
                    reach=spread,
                    signals=signals,
                    story_id=story_id,
                    top_factors=factors,
                )
            )
        return scores
