"""Last month's history for the crisis brand, as a brand would bring it in: an export of four weeks of ordinary talk
(the scenario's everyday chatter and delivery posts, more by day than by night) written as the Twitter/X export's
CSV columns and imported through the bulk-import door (`sigap import`'s upload and follow), before the crisis is
replayed, so detection has the brand's own weeks to compare the crisis with."""

from __future__ import annotations

import csv
import random
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sigap_tools.client import SigapClient
from sigap_tools.import_cli import follow, upload

HISTORY_SOURCE = "history"
DAYS = 28
_EVERYDAY = ("chatter", "delivery")
# Ordinary posts an hour, by hour of the brand's day (WIB): quiet at night, busiest in the evening.
_PER_HOUR = (0.3, 0.2, 0.1, 0.1, 0.2, 0.5, 1, 1.5, 2, 2, 2, 2.5, 3, 2.5, 2, 2, 2.5, 3, 3.5, 4, 3.5, 2.5, 1.5, 0.8)
_WIB = timedelta(hours=7)


@dataclass(frozen=True)
class HistoryImport:
    rows: int
    accepted: int
    rejected: int
    duplicates: int


def history_rows(scenario: list[dict[str, Any]], ends_at: datetime, seed: int = 11) -> list[dict[str, str]]:
    """Four weeks of everyday posts ending a day before `ends_at`, as X export rows (deterministic)."""
    rng = random.Random(seed)
    everyday = [m for m in scenario if m["id"].split("-")[1] in _EVERYDAY]
    rows: list[dict[str, str]] = []
    start = (ends_at - timedelta(days=DAYS + 1)).replace(minute=0, second=0, microsecond=0)
    for hour in range(DAYS * 24):
        at = start + timedelta(hours=hour)
        expected = _PER_HOUR[(at + _WIB).hour]
        count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
        for _ in range(count):
            mention = rng.choice(everyday)
            author = mention.get("author") or {}
            rows.append({
                "tweet_id": str(7_000_000_000_000 + len(rows)),
                "text": mention["text"],
                "tweet_created": (at + timedelta(seconds=rng.randrange(3600))).strftime("%Y-%m-%d %H:%M:%S %z"),
                "name": f"{str(author.get('handle') or 'user').lstrip('@')}{rng.randrange(1000)}",
                "retweet_count": str((mention.get("engagement") or {}).get("shares", 0)),
            })  # fmt: skip
    return rows


def import_history(client: SigapClient, tenant_id: str, rows: list[dict[str, str]], progress: bool) -> HistoryImport:
    """Registers an import source with the X export preset and imports the rows' CSV through the API."""
    registered = client.request("POST", f"/v1/tenants/{tenant_id}/sources",
                                body={"name": HISTORY_SOURCE, "kind": "import", "preset": "x-export",
                                      "description": "Last month's export from the listening tool"})  # fmt: skip
    if registered.status != 201:
        raise RuntimeError(f"registering the history source failed: {registered.status} {registered.body}")
    started = client.request(
        "POST", f"/v1/tenants/{tenant_id}/imports", body={"source": HISTORY_SOURCE, "format": "csv"}
    )
    if started.status != 201:
        raise RuntimeError(f"starting the history import failed: {started.status} {started.body}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "last-month.csv"
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        upload(str(started.body["upload_url"]), path)
    job = follow(client, tenant_id, str(started.body["import_id"]), progress)
    counts = job["counts"]
    return HistoryImport(rows=counts["rows"], accepted=counts["accepted"], rejected=counts["rejected"],
                         duplicates=counts["duplicates"])  # fmt: skip
