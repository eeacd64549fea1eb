"""`sigap score`: JSONL in, JSONL out, offline. Each output line is the input object with the score added."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import IO, Any

from sigap.kernel.kinds import SourceChannel
from sigap.scoring.domain.engine import ScoringInput, SigapScorer
from sigap_tools.jsonl import InputError, run_filter, text_record
from sigap_tools.offline_scorer import offline_scorer

TENANT = "cli"
_CHANNELS = {kind.value: kind for kind in SourceChannel}


def _count(value: Any, field: str, line: int) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"line {line}: {field} must be a whole number >= 0")
    return value


def parse_record(raw: str, line: int) -> tuple[dict[str, Any], ScoringInput]:
    record, text = text_record(raw, line, "a 'text' field")
    author: dict[str, Any] = record["author"] if isinstance(record.get("author"), dict) else {}
    engagement: dict[str, Any] = record["engagement"] if isinstance(record.get("engagement"), dict) else {}
    channel = _CHANNELS.get(str(record.get("channel", "other")), SourceChannel.OTHER)
    followers = author.get("followers", record.get("followers"))
    return record, ScoringInput(
        tenant_id=TENANT,
        mention_id=str(record.get("id", line)),
        text=text,
        channel=channel,
        followers=None if followers is None else _count(followers, "followers", line),
        verified=bool(author.get("verified", False)),
        likes=_count(engagement.get("likes"), "engagement.likes", line),
        shares=_count(engagement.get("shares"), "engagement.shares", line),
        comments=_count(engagement.get("comments"), "engagement.comments", line),
        language_hint=record.get("language") if isinstance(record.get("language"), str) else None,
    )


def _batches(stream: IO[str], size: int) -> Iterator[list[tuple[dict[str, Any], ScoringInput]]]:
    batch: list[tuple[dict[str, Any], ScoringInput]] = []
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        batch.append(parse_record(raw, number))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def score_stream(source: IO[str], sink: IO[str], scorer: SigapScorer, batch_size: int) -> int:
    written = 0
    for batch in _batches(source, batch_size):
        scores = scorer.score_inputs([item for _, item in batch])
        lines = []
        for (record, _), score in zip(batch, scores, strict=True):
            record.update(
                sentiment=score.sentiment.value,
                polarity=score.polarity,
                confidence=score.confidence,
                lang=score.lang,
                risk=score.risk,
                reach=score.reach,
                signals=[
                    {"category": s.category, "severity": s.severity, "evidence": s.evidence} for s in score.signals
                ],
                story_id=score.story_id,
                top_factors=score.top_factors,
            )
            lines.append(json.dumps(record, ensure_ascii=False))
        sink.write("\n".join(lines) + "\n")
        written += len(lines)
    return written


def run_score(args: argparse.Namespace) -> int:
    if args.batch_size < 1:
        print("error: --batch-size must be at least 1", file=sys.stderr)
        return 2
    return run_filter(
        args.input, args.output, lambda source, sink: score_stream(source, sink, offline_scorer(), args.batch_size)
    )
