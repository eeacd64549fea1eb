"""`sigap backtest`: a JSONL mention stream replayed in simulated time through the deployed scoring and detection
code, on in-memory adapters (no AWS, no network), every simulated minute evaluated for every tenant seen so far.

Each input line is a mention plus `tenant` (a slug; a name such as "US Airways" is read as "us-airways" and output
lines name it as it was given), read by the same mapping as a webhook source with the `sigap` preset
(sigap.ingest.mapping): `author` as a plain handle or an object with `screen_name`/`followers_count`, a time as
'2015-02-24 11:35:52 -0800' or Twitter's 'Wed Feb 24 11:35:52 +0000 2015' (`published_at`, `timestamp`, `time` or
`date` also name it), a channel such as "twitter" (social), a location as a string, and fields Sigap does not know
(ignored, gold labels included). Only here: `reach` as a number (an audience size, or a 0..1 reach score), a missing
id (the line number stands in) and a missing `source` ("backtest"). A repeated id is dropped as the API drops it.
A line that is still not a mention is counted and reported, never fatal.
"""

from __future__ import annotations

import json
import math
import re
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from sigap.detection.domain.evaluation import DetectorPorts, evaluate_tenant
from sigap.detection.domain.models import AlertTransition, DetectionSettings
from sigap.ingest.mapping import lenient
from sigap.ingest.mapping.model import map_record
from sigap.ingest.mapping.presets import PRESETS
from sigap.kernel.aggregates import minute_start, stable_hash
from sigap.kernel.kinds import TENANT_ID_PATTERN, SourceChannel
from sigap.kernel.models import Mention, MentionIn, Score, ScoredMention
from sigap.scoring.domain.engine import SigapScorer
from sigap.scoring.domain.reach import CHANNEL_WEIGHT, SATURATION
from sigap.scoring.domain.sentiment import shipped_model
from sigap.scoring.domain.stories import MemoryBandIndex
from sigap_tools.backtest.memory import (
    MemoryAggregates,
    MemoryAlerts,
    MemoryEvents,
    MemoryHistory,
    MemorySamples,
    MemoryState,
)

MINUTE = timedelta(minutes=1)
# The lines are read as the `sigap` preset reads a webhook's records: one mapping module for every door.
_LINES = PRESETS["sigap"]


class BadLineError(ValueError):
    pass


def _followers_for_reach(reach: float, channel: str) -> int:
    """A reach score in 0..1 as the audience that gives it (the inverse of sigap.scoring.domain.reach.reach_of)."""
    weight = math.sqrt(
        CHANNEL_WEIGHT.get(SourceChannel(channel) if channel in SourceChannel else SourceChannel.OTHER, 0.5)
    )
    exponent = min(1.0, max(0.0, reach) / weight) * SATURATION
    return max(0, round(10**exponent) - 1)


def _with_reach_as_followers(payload: dict[str, Any]) -> dict[str, Any]:
    """`reach` (an audience size, or a 0..1 reach score) as the author's followers, when the author has none."""
    reach = payload.get("reach")
    if not isinstance(reach, int | float) or isinstance(reach, bool) or reach < 0:
        return payload
    author = lenient.author(payload.get("author") or {})
    if not isinstance(author, dict) or author.get("followers") is not None or "followers_count" in payload:
        return payload
    channel = lenient.channel(payload.get("channel") or "other")
    channel_name = channel.value if isinstance(channel, SourceChannel) else "other"
    followers = _followers_for_reach(reach, channel_name) if reach <= 1 else min(int(reach), 10**10)
    return payload | {"author": author | {"followers": followers}}


def mention_of(line: str, number: int, now: datetime) -> Mention:
    return _read_line(line, number, now)[0]


def _read_line(line: str, number: int, now: datetime) -> tuple[Mention, str]:
    """The line's mention, and its tenant as the line names it."""
    try:
        payload = json.loads(line.lstrip("\ufeff"))  # a byte-order mark some editors put on the first line
    except json.JSONDecodeError as exc:
        raise BadLineError(f"not JSON ({exc.msg})") from exc
    if not isinstance(payload, dict):
        raise BadLineError("not a JSON object")
    given = payload.get("tenant") or payload.get("tenant_id")
    tenant = tenant_slug(given)
    source = payload.get("source")
    outcome = map_record(
        _with_reach_as_followers(payload),
        _LINES.mapping,
        number,
        source=source if isinstance(source, str) and source.strip() else "backtest",
        channel=_LINES.channel,
        received_at=now,
        fallback_id=f"line-{number}",
    )
    if not isinstance(outcome, MentionIn):
        first = outcome[0]
        raise BadLineError(f"{first.field}: {first.problem}")
    mention = Mention.model_validate(
        outcome.model_dump() | {"tenant_id": tenant, "received_at": min(outcome.created_at, now)}
    )
    return mention, str(given)


def tenant_slug(value: object) -> str:
    """The tenant as a slug: a slug as is; 'US Airways' → 'us-airways' (output lines name it as it was given)."""
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise BadLineError("'tenant' is missing: every line names its tenant (brand), e.g. \"teh-segar\"")
    if re.match(TENANT_ID_PATTERN, value):
        return value
    slug = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:40].strip("-")
    if not slug:
        slug = "t-" + stable_hash(value, 12)
    while len(slug) < 3:
        slug += "0"
    return slug


@dataclass
class BacktestReport:
    lines: int = 0
    mentions: int = 0
    rejected: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)
    tenants: int = 0
    minutes: int = 0
    evaluations: int = 0
    transitions: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def describe(self) -> str:
        rate = self.mentions / self.seconds * 60 if self.seconds else 0.0
        fired = ", ".join(f"{count} {name}" for name, count in sorted(self.by_severity.items())) or "none"
        rules = ", ".join(f"{name} {count}" for name, count in sorted(self.by_rule.items())) or "none"
        lines = [
            f"{self.mentions} mentions for {self.tenants} tenant(s) over {self.minutes} simulated minutes "
            f"({self.evaluations} tenant-minute evaluations) in {self.seconds:.1f} s: {rate:,.0f} mentions/minute",
            f"{self.transitions} alert transitions; alerts fired by severity: {fired}; by rule: {rules}",
        ]
        if self.duplicates:
            lines.append(f"{self.duplicates} lines repeated an id already seen for their tenant (first copy kept)")
        if self.rejected:
            lines.append(f"{self.rejected} of {self.lines} lines rejected, e.g. " + "; ".join(self.problems[:3]))
        return "\n".join(lines)


def read_stream(
    lines: Iterable[str], report: BacktestReport, now: datetime, names: dict[str, str] | None = None
) -> list[Mention]:
    """The stream's mentions, oldest first; `names` is filled with each tenant slug's name as given."""
    mentions = []
    seen: set[tuple[str, str]] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        report.lines += 1
        try:
            mention, given = _read_line(line, number, now)
            if names is not None:
                names.setdefault(mention.tenant_id, given)
            if (mention.tenant_id, mention.id) in seen:
                report.duplicates += 1  # as the API does: the first copy of an id is the one kept
                continue
            seen.add((mention.tenant_id, mention.id))
            mentions.append(mention)
        except BadLineError as problem:
            report.rejected += 1
            if len(report.problems) < 10:
                report.problems.append(f"line {number}: {problem}")
    mentions.sort(key=lambda mention: mention.created_at)
    return mentions


def transition_line(
    transition: AlertTransition, *, with_evidence: bool, names: dict[str, str] | None = None
) -> dict[str, Any]:
    alert = transition.alert
    line: dict[str, Any] = {
        "tenant": (names or {}).get(alert.tenant_id, alert.tenant_id),
        "fired_at": alert.fired_at.isoformat(),
        "at": transition.at.isoformat(),
        "transition": transition.kind.value,
        "status": alert.status.value,
        "severity": alert.severity.value,
        "scope": alert.scope.value,
        "rule": alert.rule.value,
        "subject": alert.subject,
        "fingerprint": alert.fingerprint,
        "alert_id": alert.alert_id,
        "started_at": alert.started_at.isoformat(),
        "summary": alert.summary,
        "scope_reason": alert.evidence.scope_reason,
        "observed": alert.evidence.observed,
        "expected": alert.evidence.expected,
        "window_minutes": alert.evidence.window_minutes,
    }
    if with_evidence:
        line["evidence"] = alert.evidence.model_dump(mode="json")
    return line


def _minutes(mentions: list[Mention]) -> Iterator[tuple[datetime, list[Mention]]]:
    position = 0
    moment = minute_start(mentions[0].created_at)
    end = mentions[-1].created_at
    while moment <= end:
        batch = []
        limit = moment + MINUTE
        while position < len(mentions) and mentions[position].created_at < limit:
            batch.append(mentions[position])
            position += 1
        yield moment, batch
        moment = limit


def run_backtest(
    lines: Iterable[str],
    output: IO[str],
    *,
    settings: DetectionSettings | None = None,
    tail_minutes: int = 120,
    with_evidence: bool = False,
    progress: bool = True,
) -> BacktestReport:
    """Replays the stream; writes one JSON line per alert transition to `output`; returns what happened."""
    started = time.monotonic()
    report = BacktestReport()
    now = datetime.now(UTC)
    names: dict[str, str] = {}
    mentions = read_stream(lines, report, now, names)
    report.mentions = len(mentions)
    if not mentions:
        report.seconds = time.monotonic() - started
        return report
    settings = settings or DetectionSettings()
    aggregates, samples = MemoryAggregates(), MemorySamples()
    ports = DetectorPorts(
        aggregates=aggregates,
        history=MemoryHistory(),
        state=MemoryState(),
        alerts=MemoryAlerts(),
        events=MemoryEvents(),
        samples=samples,
    )
    scorer = SigapScorer(shipped_model(), MemoryBandIndex())
    tenants: list[str] = []
    known: set[str] = set()
    timeline = list(_minutes(mentions))
    last = timeline[-1][0]
    timeline.extend((last + MINUTE * (step + 1), []) for step in range(tail_minutes))
    bar = _progress(len(timeline), progress)
    scores = _scores_ahead(scorer, mentions)
    for moment, batch in timeline:
        if batch:
            for mention in batch:
                scored = ScoredMention(mention=mention, score=next(scores), scored_at=mention.received_at)
                aggregates.add(scored)
                samples.add(scored)
                if mention.tenant_id not in known:
                    known.add(mention.tenant_id)
                    tenants.append(mention.tenant_id)
        for tenant_id in tenants:
            evaluation = evaluate_tenant(tenant_id, moment, settings, ports)
            report.evaluations += 1
            for transition in evaluation.transitions:
                line = transition_line(transition, with_evidence=with_evidence, names=names)
                output.write(json.dumps(line) + "\n")
                report.transitions += 1
                if transition.kind.value == "fired":
                    alert = transition.alert
                    report.by_rule[alert.rule.value] = report.by_rule.get(alert.rule.value, 0) + 1
                    report.by_severity[alert.severity.value] = report.by_severity.get(alert.severity.value, 0) + 1
        if moment.minute == 0:
            horizon = moment - timedelta(hours=3)
            for tenant_id in tenants:
                aggregates.forget_before(tenant_id, horizon)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    report.tenants = len(tenants)
    report.minutes = len(timeline)
    report.seconds = time.monotonic() - started
    return report


SCORING_CHUNK = 2000


def _scores_ahead(scorer: SigapScorer, mentions: list[Mention]) -> Iterator[Score]:
    """Scores in chunks of thousands, oldest first: the same scores as minute by minute (stories are assigned
    in order within a batch, each text seeing the bands of those before it), without the scorer's per-batch
    overhead on every sparse minute."""
    for start in range(0, len(mentions), SCORING_CHUNK):
        yield from scorer.score_batch(mentions[start : start + SCORING_CHUNK])


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # the progress bar is a nicety; the backtest runs without it
        return None
    return tqdm(total=total, unit="min", desc="simulated minutes", file=sys.stderr, mininterval=0.5)
