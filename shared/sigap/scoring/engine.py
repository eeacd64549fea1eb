"""Sigap's scorer: sentiment, language, crisis signals, reach, risk and story for a batch of texts at once.

The scoring function (through `score_batch`, on Mentions) and `sigap score` (through `score_inputs`, on plain
records) run this same code; only the story index differs (DynamoDB or memory).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sigap.models import ChannelKind, Mention, Score, Sentiment
from sigap.scoring.language import identify
from sigap.scoring.reach import reach_of
from sigap.scoring.risk import risk_of
from sigap.scoring.sentiment import SentimentModel
from sigap.scoring.signals import find_signals
from sigap.scoring.stories import BandIndex, assign_stories
from sigap.scoring.text import tokens

_SENTIMENTS = (Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE)


@dataclass(frozen=True, slots=True)
class ScoringInput:
    tenant_id: str
    mention_id: str
    text: str
    channel: ChannelKind = ChannelKind.OTHER
    followers: int | None = None
    verified: bool = False
    likes: int = 0
    shares: int = 0
    comments: int = 0
    language_hint: str | None = None


def input_of(mention: Mention) -> ScoringInput:
    return ScoringInput(
        tenant_id=mention.tenant_id,
        mention_id=mention.id,
        text=mention.text,
        channel=mention.channel,
        followers=mention.author.followers,
        verified=mention.author.verified,
        likes=mention.engagement.likes,
        shares=mention.engagement.shares,
        comments=mention.engagement.comments,
        language_hint=mention.language,
    )


class SigapScorer:
    def __init__(self, model: SentimentModel, stories: BandIndex) -> None:
        if model.classes != tuple(s.value for s in _SENTIMENTS):
            raise ValueError(f"the model's classes {model.classes} are not negative/neutral/positive")
        self._model = model
        self._stories = stories
        self.name = f"sigap-lr-{model.training.get('vocabulary', 0)}"

    def score_batch(self, mentions: Sequence[Mention]) -> list[Score]:
        return self.score_inputs([input_of(mention) for mention in mentions])

    def score_inputs(self, inputs: Sequence[ScoringInput]) -> list[Score]:
        if not inputs:
            return []
        tokenised = [tokens(item.text) for item in inputs]
        probabilities = self._model.probabilities(tokenised).tolist()
        story_ids = assign_stories(
            [item.tenant_id for item in inputs], [item.mention_id for item in inputs], tokenised, self._stories
        )
        scores = []
        for item, words, (negative, neutral, positive), story_id in zip(
            inputs, tokenised, probabilities, story_ids, strict=True
        ):
            language = identify(words)
            if language == "other" and item.language_hint in ("id", "en"):
                language = item.language_hint
            signals = find_signals(words)
            spread = reach_of(item.channel, item.followers, item.verified, item.likes, item.shares, item.comments)
            risk, factors = risk_of(negative, signals, spread)
            best = max(range(3), key=(negative, neutral, positive).__getitem__)
            scores.append(
                Score(
                    sentiment=_SENTIMENTS[best],
                    polarity=round(positive - negative, 4),
                    confidence=round((negative, neutral, positive)[best], 4),
                    lang=language,
                    risk=risk,
                    reach=spread,
                    signals=signals,
                    story_id=story_id,
                    top_factors=factors,
                    scorer=self.name,
                )
            )
        return scores
