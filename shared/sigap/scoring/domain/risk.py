"""Risk in 0..1: how much a mention threatens the brand, from negativity, crisis signals and reach, with the
factors that made it so (a crisis team must see why a mention is ranked high, not just that it is)."""

from __future__ import annotations

from collections.abc import Sequence

from sigap.scoring.domain.signals import SignalHit

NEGATIVITY_WEIGHT = 0.5
SIGNAL_WEIGHT = 0.9
EXTRA_CATEGORY_BONUS = 0.05  # a post that is both a safety scare and a hoax is worse than either
REACH_FLOOR = 0.4  # even an unseen post carries some risk: it can be screenshotted


def risk_of(negativity: float, signals: Sequence[SignalHit], reach: float) -> tuple[float, list[str]]:
    severity = max((signal.severity for signal in signals), default=0.0)
    if signals:
        severity = min(1.0, severity + EXTRA_CATEGORY_BONUS * (len(signals) - 1))
    tone = NEGATIVITY_WEIGHT * negativity
    crisis = SIGNAL_WEIGHT * severity
    base = 1 - (1 - tone) * (1 - crisis)
    value = round(min(1.0, base * (REACH_FLOOR + (1 - REACH_FLOOR) * reach)), 4)
    contributions: list[tuple[float, str]] = [
        (SIGNAL_WEIGHT * signal.severity, f"{signal.category} '{signal.evidence}' ({signal.severity:.2f})")
        for signal in signals
    ]
    if tone >= 0.1:
        contributions.append((tone, f"negative tone ({negativity:.2f})"))
    contributions.append((reach * 0.5, f"reach {reach:.2f}"))
    factors = [text for _, text in sorted(contributions, key=lambda item: -item[0])[:3]]
    return value, factors
