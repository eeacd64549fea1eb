"""What each detection rule is called in the languages Sigap writes in (messages, pages)."""

from __future__ import annotations

from sigap.detection.domain.models import Rule
from sigap.kernel.language import Language

_NAMES = {
    Language.ENGLISH: {
        Rule.NEGATIVE_SPIKE: "Negative spike",
        Rule.SIGNAL_SURGE: "Crisis signal surge",
        Rule.STORY_SPREAD: "Story spreading",
        Rule.HIGH_REACH: "Far-reaching mention",
        Rule.SENTIMENT_SHIFT: "Sentiment shift",
    },
    Language.INDONESIAN: {
        Rule.NEGATIVE_SPIKE: "Lonjakan sentimen negatif",
        Rule.SIGNAL_SURGE: "Lonjakan sinyal krisis",
        Rule.STORY_SPREAD: "Cerita menyebar",
        Rule.HIGH_REACH: "Sebutan berjangkauan luas",
        Rule.SENTIMENT_SHIFT: "Pergeseran sentimen",
    },
}


def rule_name(rule: Rule, language: Language) -> str:
    return _NAMES[language].get(rule, rule.value)
