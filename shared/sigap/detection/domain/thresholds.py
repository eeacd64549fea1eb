"""Detection's thresholds: windows, significance per sensitivity, minimum authors, ratios and margins, and a
rule's limits as a tenant's settings adjust them."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sigap.detection.domain.models import (
    DetectionSettings,
    Rule,
    RuleSettings,
    Sensitivity,
)

WINDOW_MINUTES = 60
WARMUP_HOURS = 3
LONG_HOURS = 2  # completed hours a slow-building surge is also judged over, with the current hour so far
LONG_RATIO = 2.0
SPIKE_WINDOWS = (10, 30, 60)
SIGNAL_WINDOW = 30
GROWTH_WINDOW = 15
# How unlikely a count must be on a normal day to fire, and how much the volume floors scale, per sensitivity.
ALPHA = {Sensitivity.LOW: 1e-7, Sensitivity.NORMAL: 1e-5, Sensitivity.HIGH: 1e-3}
FLOOR_SCALE = {Sensitivity.LOW: 1.5, Sensitivity.NORMAL: 1.0, Sensitivity.HIGH: 0.6}
MIN_AUTHORS = {
    Rule.NEGATIVE_SPIKE: 6,
    Rule.SIGNAL_SURGE: 4,
    Rule.STORY_SPREAD: 8,
    Rule.HIGH_REACH: 1,
    Rule.SENTIMENT_SHIFT: 12,
}
# Dispersion of counts around the baseline: wide while a brand is on priors, narrower once history backs it.
DISPERSION_HISTORY = 8.0
DISPERSION_PRIORS = 3.0
MIN_RATIO = 2.0  # a count must also be this many times the baseline: significance alone fires on busy brands
SHARE_MARGIN = 0.08  # a negative spike must also raise the negative share (a campaign's volume lowers it)
SHIFT_MARGIN = 0.25
SHIFT_SCREEN_SLACK = 0.15
DESIGN_EFFECT = 3
SEVERE_CATEGORIES = frozenset(
    {"safety_health", "hoax_misinformation", "data_privacy", "fraud", "legal", "discrimination"}
)
HIGH_REACH_MIN_REACH = 0.8  # ~2 million followers on social, a national outlet's account on news
HIGH_REACH_MIN_RISK = 0.6
HIGH_REACH_MIN_SEVERITY = 0.8
STORY_MIN_RISK = 0.2  # a negative story's copies with no signal score about 0.25
STORY_SIGNAL_RISK = 0.4  # a neutral-toned story carrying a crisis signal (a recall notice) scores above this
STORY_MIN_NEGATIVE_SHARE = 0.5
TOP = 5


_DEFAULT_RULE = RuleSettings()


@dataclass(frozen=True)
class Limits:
    alpha: float
    min_authors: int
    enabled: bool


def limits(settings: DetectionSettings, rule: Rule) -> Limits:
    own = settings.rules.get(rule) or _DEFAULT_RULE
    floor = own.min_authors or max(1, math.ceil(MIN_AUTHORS[rule] * FLOOR_SCALE[settings.sensitivity]))
    return Limits(alpha=own.max_p_value or ALPHA[settings.sensitivity], min_authors=floor, enabled=own.enabled)
