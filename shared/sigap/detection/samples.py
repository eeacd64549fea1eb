"""Sample mentions for an alert's evidence, read from the mentions listing (SampleSource port)."""

from __future__ import annotations

from datetime import datetime

from sigap.detection.domain.evaluation import choose_samples
from sigap.detection.domain.models import SampleMention
from sigap.mentions.listing import MentionListing

CANDIDATES = 200  # the newest mentions of the window considered; read only when an alert fires or escalates


class MentionSamples:
    def __init__(self, mentions: MentionListing) -> None:
        self._mentions = mentions

    def samples(
        self, tenant_id: str, since: datetime, until: datetime, story_id: str | None, limit: int
    ) -> list[SampleMention]:
        page = self._mentions.list_newest_first(tenant_id, since=since, until=until, limit=CANDIDATES)
        return choose_samples(page.items, story_id, limit)
