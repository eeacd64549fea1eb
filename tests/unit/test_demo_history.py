"""The demo's month of history: deterministic, before the crisis, shaped like a day (more by day than by night),
and every row one the X export preset maps, so the bulk-import door takes them all."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sigap.ingest.mapping.model import MentionIn, map_record
from sigap.ingest.mapping.presets import PRESETS
from sigap_tools.demo.history import DAYS, history_rows
from sigap_tools.demo.replay import load_scenario

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def test_a_month_of_everyday_posts_ends_a_day_before_the_crisis_and_every_row_maps() -> None:
    rows = history_rows(load_scenario(), NOW)
    assert rows == history_rows(load_scenario(), NOW)  # the same export on every run
    preset = PRESETS["x-export"]
    mapped = [map_record(row, preset.mapping, 0, source="history", channel=preset.channel, received_at=NOW)
              for row in rows]  # fmt: skip
    assert all(isinstance(mention, MentionIn) for mention in mapped)
    times = [mention.created_at for mention in mapped if isinstance(mention, MentionIn)]
    assert NOW - timedelta(days=DAYS + 1, hours=1) <= min(times)
    assert max(times) < NOW - timedelta(days=1)
    assert len({mention.id for mention in mapped if isinstance(mention, MentionIn)}) == len(rows)
    by_hour_wib = Counter((time + timedelta(hours=7)).hour for time in times)
    assert by_hour_wib[19] > 3 * by_hour_wib[3]  # evenings are busier than nights
    assert "Teh Segar beracun" not in " ".join(row["text"] for row in rows)  # no crisis in the weeks before
