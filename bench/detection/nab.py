"""Detection on real brand-mention volumes: the Numenta Anomaly Benchmark's realTweets series (10 brands' Twitter
mentions every 5 minutes, Feb-Apr 2015, 33 hand-labelled anomaly windows; data/nab_realtweets, MIT, Lavin and
Ahmad 2015), scored with NAB's own standard profile beside the published detectors' scores on the same series.

Sigap runs through `sigap backtest --counts`' replay (the deployed volume test and baseline, each mention a person)
and the four published listening-tool rules of bench/detection/evaluate.py run on the same counts. An alert is
one NAB detection, at the row it fired on. Scoring follows NAB's sweeper: the first 15% of a series (at most 750
rows) is probation and not scored; inside a window the earliest detection counts, scaled by a sigmoid of its
place in the window (1 at its left edge, 0 at its right); a window with none costs 1; a detection outside every
window costs 0.11 scaled the same way by its distance after the last window. Normalised over all ten series: 0
is a detector that never fires, 100 a perfect one.
"""

from __future__ import annotations

import bisect
import csv
import json
import math
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from sigap.detection.domain.models import DetectionSettings
from sigap_tools.backtest.counts import CountPoint, replay_counts

DATA = Path(__file__).resolve().parents[2] / "data" / "nab_realtweets"
TP_WEIGHT, FP_WEIGHT, FN_WEIGHT = 1.0, 0.11, 1.0
PROBATION_SHARE, PROBATION_MAX = 0.15, 750
# Published NAB detectors' own results re-scored on these 10 series alone (standard profile, NAB's thresholds):
# data/nab_realtweets' README.
ANCHORS = {
    "contextOSE (NAB's best)": 75,
    "earthgecko Skyline": 69,
    "Numenta HTM": 68,
    "KNN-CAD": 64,
    "relative entropy": 60,
    "Twitter ADVec": 60,
    "windowed Gaussian": 51,
    "random": 21,
    "never fires": 0,
}


@dataclass(frozen=True)
class Series:
    name: str
    times: list[datetime]
    counts: list[int]
    windows: list[tuple[int, int]]  # row indexes, inclusive
    anomalies: list[int]  # the labelled points (a window holds one or more)

    @property
    def probation(self) -> int:
        return int(min(math.floor(PROBATION_SHARE * len(self.times)), PROBATION_SHARE * 5000))


@dataclass
class NabScore:
    name: str
    raw: float = 0.0
    windows: int = 0
    detected: int = 0
    false_alarms: int = 0
    weeks: float = 0.0
    latencies: list[float] = field(default_factory=list)  # minutes from the labelled point, negative: before it
    leads: list[float] = field(default_factory=list)  # minutes from the window's start

    @property
    def normalised(self) -> float:
        return 100 * (self.raw + FN_WEIGHT * self.windows) / (TP_WEIGHT * self.windows + FN_WEIGHT * self.windows)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.split(".")[0]).replace(tzinfo=UTC)


def load(data: Path = DATA) -> list[Series]:
    windows = json.loads((data / "windows.json").read_text(encoding="utf-8"))
    anomalies = json.loads((data / "anomalies.json").read_text(encoding="utf-8"))
    series = []
    for path in sorted(data.glob("Twitter_volume_*.csv")):
        with path.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        times = [_time(row["timestamp"]) for row in rows]
        index = {moment: number for number, moment in enumerate(times)}
        series.append(
            Series(
                name=path.stem.removeprefix("Twitter_volume_"),
                times=times,
                counts=[int(float(row["value"])) for row in rows],
                windows=[(index[_time(start)], index[_time(end)]) for start, end in windows[path.name]],
                anomalies=[index[_time(moment)] for moment in anomalies[path.name]],
            )
        )
    return series


def _scaled_sigmoid(position: float) -> float:
    return -1.0 if position >= 3.0 else 2 / (1 + math.exp(5 * position)) - 1


def score(name: str, detections: dict[str, list[int]], corpus: list[Series]) -> NabScore:
    """NAB's standard profile for detections given as row indexes per series."""
    result = NabScore(name=name)
    best_tp = _scaled_sigmoid(-1.0)
    for series in corpus:
        rows = sorted({row for row in detections.get(series.name, []) if row >= series.probation})
        result.windows += len(series.windows)
        result.weeks += (len(series.times) - series.probation) * 5 / 60 / 24 / 7
        for left, right in series.windows:
            inside = [row for row in rows if left <= row <= right]
            if not inside:
                result.raw -= FN_WEIGHT
                continue
            first = inside[0]
            result.detected += 1
            result.raw += TP_WEIGHT * _scaled_sigmoid(-(right - first + 1) / (right - left + 1)) / best_tp
            labelled = min(row for row in series.anomalies if left <= row <= right)
            result.latencies.append((first - labelled) * 5.0)
            result.leads.append((first - left) * 5.0)
        for row in rows:
            if any(left <= row <= right for left, right in series.windows):
                continue
            result.false_alarms += 1
            before = [(left, right) for left, right in series.windows if right < row]
            if not before:
                position = 3.0
            else:
                left, right = before[-1]
                position = abs(right - row) / (right - left)  # NAB: / (width - 1), width = right - left + 1
            result.raw += FP_WEIGHT * _scaled_sigmoid(position)
    return result


def sigap_detections(corpus: list[Series], settings: DetectionSettings | None = None) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for series in corpus:
        minutes = [moment.replace(second=0) for moment in series.times]
        points = [CountPoint(moment, count) for moment, count in zip(minutes, series.counts, strict=True)]
        rows = []
        for alert in replay_counts(points, settings):
            evaluated = alert.fired_at - timedelta(minutes=1)
            rows.append(bisect.bisect_left(minutes, evaluated))
        found[series.name] = rows
    return found


def published_detections(corpus: list[Series]) -> dict[str, dict[str, list[int]]]:
    """The four published rules of evaluate.py on the same counts, one count per minute of the series."""
    from evaluate import PUBLISHED, published_alerts

    found: dict[str, dict[str, list[int]]] = {name: {} for name in PUBLISHED}
    for series in corpus:
        start = series.times[0].replace(second=0)
        offsets = [int((moment.replace(second=0) - start).total_seconds() // 60) for moment in series.times]
        per_minute = np.zeros(offsets[-1] + 1, dtype=np.int64)
        per_minute[offsets] = series.counts
        counts = {series.name: {"all": per_minute, "negative": per_minute}}
        for name, (kind, rule) in PUBLISHED.items():
            alerts = published_alerts(counts, start, len(per_minute), kind, rule)
            found[name][series.name] = [
                bisect.bisect_right(offsets, int((alert.at - start).total_seconds() // 60)) - 1 for alert in alerts
            ]
    return found


def table(scores: list[NabScore]) -> str:
    rows = [
        "| detector | NAB score (standard) | windows detected | median min from the labelled point "
        "| median min after the window opens | false alarms per brand-week |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for s in scores:
        latency = f"{statistics.median(s.latencies):+.0f}" if s.latencies else "-"
        lead = f"{statistics.median(s.leads):.0f}" if s.leads else "-"
        rows.append(
            f"| {s.name} | {s.normalised:.1f} | {s.detected}/{s.windows} | {latency} | {lead} "
            f"| {s.false_alarms / s.weeks:.2f} |"
        )
    for name, value in ANCHORS.items():
        rows.append(f"| {name} (published) | {value} | | | | |")
    return "\n".join(rows)


def run() -> list[NabScore]:
    corpus = load()
    scores = [score("Sigap (volume test, counts replay)", sigap_detections(corpus), corpus)]
    for name, detections in published_detections(corpus).items():
        if "negatives only" in name:
            continue  # the counts carry no sentiment: the same series as the all-mentions rule
        scores.append(score(name, detections, corpus))
    return scores


if __name__ == "__main__":
    print(table(run()))
