"""`sigap backtest` on the command line: files or stdin/stdout, a progress bar and a summary on stderr."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from typing import IO

from sigap.detection.domain.models import DetectionSettings, Sensitivity
from sigap_tools.backtest.counts import BadSeriesError, read_series, replay_counts
from sigap_tools.backtest.replay import run_backtest


def run_backtest_command(args: argparse.Namespace) -> int:
    settings = DetectionSettings(
        sensitivity=Sensitivity(args.sensitivity),
        home_country=args.home_country.upper() if args.home_country else None,
    )
    if args.counts:
        return _counts(args, settings)
    with contextlib.ExitStack() as files:
        source: IO[str] = files.enter_context(args.input.open(encoding="utf-8")) if args.input else sys.stdin
        sink: IO[str] = files.enter_context(args.output.open("w", encoding="utf-8")) if args.output else sys.stdout
        report = run_backtest(
            source,
            sink,
            settings=settings,
            with_evidence=args.evidence,
            progress=not args.no_progress,
        )
    print(report.describe(), file=sys.stderr)
    return 0 if report.mentions or not report.lines else 1


def _counts(args: argparse.Namespace, settings: DetectionSettings) -> int:
    """A volume series (CSV: time, count) through the volume test: one JSON line per alert."""
    try:
        with args.counts.open(encoding="utf-8") as handle:
            points = read_series(handle)
    except (OSError, BadSeriesError) as error:
        print(f"sigap backtest --counts: {error}", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"sigap backtest --counts: {args.counts} is not UTF-8 text (a CSV of time,count)", file=sys.stderr)
        return 2
    alerts = 0
    with contextlib.ExitStack() as files:
        sink: IO[str] = files.enter_context(args.output.open("w", encoding="utf-8")) if args.output else sys.stdout
        for alert in replay_counts(points, settings):
            alerts += 1
            sink.write(json.dumps(alert.as_line()) + "\n")
    span = f"{points[0].at:%Y-%m-%d %H:%M} to {points[-1].at:%Y-%m-%d %H:%M} UTC" if points else "no points"
    print(f"{len(points)} points ({span}): {alerts} alert(s)", file=sys.stderr)
    return 0
