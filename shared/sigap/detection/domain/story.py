"""Which story an alert is about, and what makes two alerts one crisis."""

from __future__ import annotations

from sigap.detection.domain.models import Alert
from sigap.kernel.models import is_story_id


def dominant_story(alert: Alert) -> str:
    """The story an alert is about: its subject for the story rules, else the story carrying at least half of
    its evidence (so a brand-wide spike driven by one hoax groups with that hoax's story alert)."""
    if alert.rule.value == "story_spread" or (alert.rule.value == "high_reach" and is_story_id(alert.subject)):
        return alert.subject
    stories = alert.evidence.top_stories
    if stories and alert.evidence.mentions and stories[0].mentions * 2 >= alert.evidence.mentions:
        return stories[0].name
    return ""


def story_key(alert: Alert) -> str:
    """What makes two alerts one crisis: the same story, or else the same subject (a signal, the brand)."""
    story = dominant_story(alert)
    return f"story:{story}" if story else "brand"
