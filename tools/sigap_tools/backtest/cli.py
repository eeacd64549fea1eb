"""`sigap backtest` on the command line: files or stdin/stdout, a progress bar and a summary on stderr."""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import IO

from sigap.detection.domain.models import DetectionSettings, Sensitivity
from sigap_tools.backtest.replay import run_backtest


def run_backtest_command(args: argparse.Namespace) -> int:
    settings = DetectionSettings(
        sensitivity=Sensitivity(args.sensitivity),
        home_country=args.home_country.upper() if args.home_country else None,
    )
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
