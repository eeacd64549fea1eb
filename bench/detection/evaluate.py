"""The detection benchmark: Sigap's detector and four published listening-tool rules replayed on the same
labelled streams in the same run, scored against the streams' ground truth.

Sigap runs through `sigap_tools.backtest.run_backtest` (its own scoring, the deployed detection code). The published
rules are handed the streams' gold sentiment labels, as in the issue's table; each is evaluated every
10 minutes (Socialmetrix-style every hour, as it compares whole days), and an alert is one episode: it fires
when the condition becomes true and ends when it has been false for an hour. Each needs at least
`PUBLISHED_FLOOR` mentions in its window to fire, or it would fire on 1 mention after an empty half-day.

Scoring: a crisis is detected by the first alert of its brand fired between its onset and its end; a false
alarm is an alert fired outside every crisis of its brand (an hour's grace after the end). NAB-style score:
the Numenta Anomaly Benchmark's standard profile (true positive +1 scaled by a sigmoid of how early in a
4-hour window after onset it came, false positive -0.11, missed crisis -1), normalised so 0 is a detector
that never alerts and 100 a perfect one.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

STREAMS = Path(__file__).resolve().parent / "streams"
GRACE = timedelta(hours=1)
NAB_WINDOW = timedelta(hours=4)
NAB_FP, NAB_FN = -0.11, -1.0
PUBLISHED_FLOOR = 5
QUIET_TO_END = 60  # minutes a published rule's condition must be false before its episode ends


@dataclass(frozen=True)
class Fired:
    tenant: str
    at: datetime
    severity: str = ""
    rule: str = ""


@dataclass
class Score:
    name: str
    detected: int = 0
    crises: int = 0
    delays: list[float] = field(default_factory=list)
    false_alarms: int = 0
    brand_weeks: float = 0.0
    rant_alerts: int = 0
    rant_critical: int | None = None
    nab: float = 0.0
    alerts: int = 0
    mentions_per_minute: float | None = None


def load_truth() -> dict[str, Any]:
    truth: dict[str, Any] = json.loads((STREAMS / "truth.json").read_text(encoding="utf-8"))
    return truth


def stream_lines(name: str) -> list[str]:
    with gzip.open(STREAMS / f"{name}.jsonl.gz", "rt", encoding="utf-8") as handle:
        return handle.readlines()


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def sigap_alerts(lines: list[str]) -> tuple[list[Fired], float]:
    from sigap_tools.backtest.replay import run_backtest

    output = io.StringIO()
    started = time.perf_counter()
    report = run_backtest(lines, output, progress=False)
    seconds = time.perf_counter() - started
    fired = []
    for line in output.getvalue().splitlines():
        record = json.loads(line)
        if record["transition"] == "fired":
            fired.append(Fired(record["tenant"], _time(record["fired_at"]), record["severity"], record["rule"]))
    return fired, report.mentions / seconds * 60


# --------------------------------------------------------------------------- the published rules


def _per_minute(lines: list[str], start: datetime, minutes: int) -> dict[str, dict[str, np.ndarray]]:
    counts: dict[str, dict[str, np.ndarray]] = {}
    for line in lines:
        record = json.loads(line)
        offset = int((_time(record["created_at"]) - start).total_seconds() // 60)
        if not 0 <= offset < minutes:
            continue
        series = counts.setdefault(
            record["tenant"], {"all": np.zeros(minutes, dtype=np.int64), "negative": np.zeros(minutes, dtype=np.int64)}
        )
        series["all"][offset] += 1
        if record.get("label") == "negative":
            series["negative"][offset] += 1
    return counts


def _window_sum(cumulative: np.ndarray, end: int, length: int) -> int:
    """Mentions in minutes (end - length, end], from a cumulative sum with a leading zero."""
    return int(cumulative[end + 1] - cumulative[max(0, end + 1 - length)])


def meltwater(cumulative: np.ndarray, t: int) -> bool:
    if t < 13 * 60:
        return False
    last_hour = _window_sum(cumulative, t, 60)
    before = _window_sum(cumulative, t - 60, 12 * 60) / 12
    return last_hour >= PUBLISHED_FLOOR and last_hour > 2 * before


def huginn(cumulative: np.ndarray, t: int) -> bool:
    if t < 8 * 24 * 60:
        return False
    last_hour = _window_sum(cumulative, t, 60)
    history = [_window_sum(cumulative, t - 60 * k, 60) for k in range(1, 169)]
    return last_hour >= PUBLISHED_FLOOR and last_hour > statistics.fmean(history) + 3 * statistics.pstdev(history)


def socialmetrix(cumulative: np.ndarray, t: int) -> bool:
    if t < 8 * 24 * 60 or t % 60:
        return False
    day = _window_sum(cumulative, t, 24 * 60)
    history = [_window_sum(cumulative, t - 24 * 60 * k, 24 * 60) for k in range(1, 15) if t - 24 * 60 * k >= 0]
    return day >= PUBLISHED_FLOOR and day > statistics.fmean(history) + 2 * statistics.pstdev(history)


PUBLISHED: dict[str, tuple[str, Callable[[np.ndarray, int], bool]]] = {
    "Meltwater-style, all mentions (1 h vs 2 x mean of 12 h)": ("all", meltwater),
    "Meltwater-style, negatives only": ("negative", meltwater),
    "Huginn-style (hour > mean + 3 sigma)": ("all", huginn),
    "Socialmetrix-style (24 h vs same-hour history + 2 sigma)": ("all", socialmetrix),
}


def published_alerts(
    counts: dict[str, dict[str, np.ndarray]], start: datetime, minutes: int, series: str, rule: Callable[..., bool]
) -> list[Fired]:
    fired = []
    for tenant, by_series in counts.items():
        cumulative = np.concatenate(([0], np.cumsum(by_series[series])))
        open_since: int | None = None
        last_true = -(10**9)
        for t in range(0, minutes, 10):
            if rule(cumulative, t):
                if open_since is None:
                    open_since = t
                    fired.append(Fired(tenant, start + timedelta(minutes=t)))
                last_true = t
            elif open_since is not None and t - last_true >= QUIET_TO_END:
                open_since = None
    return fired


# --------------------------------------------------------------------------- scoring against the truth


def score(name: str, fired: list[Fired], truth: dict[str, Any]) -> Score:
    result = Score(name=name, alerts=len(fired))
    events = truth["events"]
    crises = [event for event in events if event["crisis"]]
    rants = [event for event in events if event["kind"] == "rant"]
    result.crises = len(crises)
    result.brand_weeks = sum(len(s["tenants"]) * s["days"] / 7 for s in truth["streams"].values())
    by_tenant: dict[str, list[Fired]] = {}
    for alert in fired:
        by_tenant.setdefault(alert.tenant, []).append(alert)
    nab = 0.0
    for crisis in crises:
        onset, end = _time(crisis["onset"]), _time(crisis["end"])
        hits = sorted(a.at for a in by_tenant.get(crisis["tenant"], []) if onset <= a.at <= end)
        if hits:
            result.detected += 1
            delay = (hits[0] - onset).total_seconds() / 60
            result.delays.append(delay)
            position = (hits[0] - (onset + NAB_WINDOW)) / NAB_WINDOW  # -1 at onset, 0 at the window's end
            nab += 2 / (1 + math.exp(5 * position)) - 1 if position <= 0 else 0.0
        else:
            nab += NAB_FN
    for alert in fired:
        covered = any(
            crisis["tenant"] == alert.tenant and _time(crisis["onset"]) <= alert.at <= _time(crisis["end"]) + GRACE
            for crisis in crises
        )
        if not covered:
            result.false_alarms += 1
            nab += NAB_FP
        if any(
            rant["tenant"] == alert.tenant and _time(rant["onset"]) <= alert.at <= _time(rant["end"]) + GRACE
            for rant in rants
        ):
            result.rant_alerts += 1
            if alert.severity == "critical":
                result.rant_critical = (result.rant_critical or 0) + 1
    if any(alert.severity for alert in fired):
        result.rant_critical = result.rant_critical or 0
    perfect, null = float(len(crises)), NAB_FN * len(crises)
    result.nab = 100 * (nab - null) / (perfect - null)
    return result


SHARP = ("fmcg", "services", "airlines")  # the first streams: sharp synthetic shapes
REALISTIC = ("realistic",)  # real brands' hourly volume, slow and modest crises, a cold start, a neutral backlash


def subset(truth: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return truth | {
        "streams": {name: stream for name, stream in truth["streams"].items() if name in names},
        "events": [event for event in truth["events"] if event["stream"] in names],
    }


def run(published: bool = True, streams: tuple[str, ...] = SHARP) -> list[Score]:
    truth = subset(load_truth(), streams)
    sigap: list[Fired] = []
    others: dict[str, list[Fired]] = {name: [] for name in PUBLISHED}
    rates = []
    for name, stream in truth["streams"].items():
        lines = stream_lines(name)
        fired, rate = sigap_alerts(lines)
        sigap.extend(fired)
        rates.append(rate)
        if published:
            start = _time(stream["start"])
            minutes = stream["days"] * 24 * 60 + 24 * 60
            counts = _per_minute(lines, start, minutes)
            for rule_name, (series, rule) in PUBLISHED.items():
                others[rule_name].extend(published_alerts(counts, start, minutes, series, rule))
    ours = score("Sigap (its own scoring)", sigap, truth)
    ours.mentions_per_minute = min(rates)
    return [ours] + [score(name, fired, truth) for name, fired in others.items()]


def table(scores: list[Score]) -> str:
    rows = [
        "| detector | crises detected | median min from onset | worst min | false alarms per brand-week "
        "| critical alerts from single-author rants | NAB-style score |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scores:
        median = f"{statistics.median(s.delays):.0f}" if s.delays else "-"
        worst = f"{max(s.delays):.0f}" if s.delays else "-"
        rant = str(s.rant_critical) if s.rant_critical is not None else f"n/a ({s.rant_alerts} alerts)"
        rows.append(
            f"| {s.name} | {s.detected}/{s.crises} | {median} | {worst} | {s.false_alarms / s.brand_weeks:.2f} "
            f"| {rant} | {s.nab:.1f} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    import sys

    results = run(streams=REALISTIC if "--realistic" in sys.argv else SHARP)
    print(table(results))
    print(f"\nSigap backtest throughput (slowest stream): {results[0].mentions_per_minute:,.0f} mentions/minute")
