"""Replaying the bundled scenario: a bottled-tea poisoning hoax spreading through mailing lists, blogs, forums,
news and social posts, among ordinary brand chatter, each through the door it would use (`doors`) and followed
to storage."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

from tqdm import tqdm

from sigap_tools.client import SigapClient
from sigap_tools.demo.doors import FEEDS, INBOUND_EMAIL, Doors
from sigap_tools.local.feed_site import FeedSite

POST_CHUNK = 100


def load_scenario() -> list[dict[str, Any]]:
    text = resources.files("sigap_tools.demo").joinpath("scenario.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def place_in_time(mentions: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """The scenario stores minutes-before-now offsets; the replay dates them so the crisis is happening now."""
    placed = []
    for mention in mentions:
        copy = {key: value for key, value in mention.items() if key != "minutes_ago"}
        copy["created_at"] = (now - timedelta(minutes=mention["minutes_ago"])).isoformat()
        placed.append(copy)
    return placed


@dataclass
class ReplayReport:
    ingested: int
    duplicates: int
    rejected: int
    scored: int
    dead_lettered: int
    seconds: float
    summary: dict[str, Any]
    examples: dict[str, str]
    doors: dict[str, int]  # mentions accepted by each door: a webhook source's name, or "api"
    health: dict[str, dict[str, Any]]  # each webhook source's health, as the sources API reports it


def replay(
    client: SigapClient,
    tenant_id: str,
    mentions: list[dict[str, Any]],
    *,
    queue_depth: Callable[[], int],
    dead_letters: Callable[[], int],
    drain_timeout: float = 600,
    progress: bool = True,
    smtp_port: int | None = None,
    site: FeedSite | None = None,
) -> ReplayReport:
    started = time.monotonic()
    ingested = duplicates = rejected = 0
    doors = Doors(client, tenant_id, smtp_port=smtp_port, site=site)
    feed_doors = {name for name, _ in FEEDS.values()}
    doors.register()
    with (
        tqdm(total=len(mentions), unit="mention", disable=not progress, desc="Posting") as bar,
        ThreadPoolExecutor(max_workers=4) as pool,
    ):
        for start in range(0, len(mentions), POST_CHUNK):
            chunk = mentions[start : start + POST_CHUNK]
            hooked: list[dict[str, Any]] = []
            direct: list[dict[str, Any]] = []
            mailed: list[dict[str, Any]] = []
            for mention in chunk:
                door = doors.door_of(mention)
                if door in feed_doors:
                    doors.publish(mention)  # read by Sigap once the feeds are published, below
                    continue
                (direct if door == "api" else mailed if door == INBOUND_EMAIL else hooked).append(mention)
            if mailed:  # mail has no answer to read ids from: each message the server accepted is one mention
                delivered = doors.mail(mailed)
                ingested += delivered
                rejected += len(mailed) - delivered
            answers = list(pool.map(doors.post, hooked))
            sizes = [1] * len(hooked)
            if direct:
                answers.append(client.post_mentions(tenant_id, direct))
                sizes.append(len(direct))
                doors.counts["api"] += len(answers[-1].body.get("accepted", [])) if answers[-1].status == 202 else 0
            for answer, sent in zip(answers, sizes, strict=True):
                if answer.status == 202:
                    ingested += len(answer.body["accepted"])
                    duplicates += len(answer.body["duplicates"])
                else:
                    rejected += sent
                    tqdm.write(f"  refused: {answer.status} {answer.body}")
            bar.update(len(chunk))
    if doors.published:
        published = sum(len(items) for items in doors.published.values())
        read = doors.read_feeds()
        ingested += read
        rejected += published - read
    since = min(datetime.fromisoformat(m["created_at"]) for m in mentions) - timedelta(minutes=1)
    deadline = time.monotonic() + drain_timeout
    summary: dict[str, Any] = {}
    with tqdm(total=ingested, unit="mention", disable=not progress, desc="Scoring") as bar:
        while True:
            summary = client.summary(tenant_id, since=since.isoformat()).body
            scored = int(summary.get("total", 0))
            bar.update(scored - bar.n)
            drained = queue_depth() == 0
            if (drained and scored + dead_letters() >= ingested) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    return ReplayReport(
        doors=dict(doors.counts),
        health=doors.health(),
        examples=story_examples(client, tenant_id, since),
        ingested=ingested,
        duplicates=duplicates,
        rejected=rejected,
        scored=int(summary.get("total", 0)),
        dead_lettered=dead_letters(),
        seconds=time.monotonic() - started,
        summary=summary,
    )


def story_examples(client: SigapClient, tenant_id: str, since: datetime) -> dict[str, str]:
    """One text per story, from the stored mentions (the most recent with that story)."""
    examples: dict[str, str] = {}
    cursor = None
    while True:
        page = client.mentions(tenant_id, since=since.isoformat(), limit=200, cursor=cursor).body
        for item in page.get("items", []):
            examples.setdefault(item["score"].get("story_id") or "", item["mention"]["text"])
        cursor = page.get("next_cursor")
        if not cursor:
            return examples


def now_utc() -> datetime:
    return datetime.now(UTC)
