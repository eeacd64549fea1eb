"""The volume test on counts alone (`sigap backtest --counts`): slow surges on steady brands, bursts that are a
bursty brand's normal, the spread over windows of different lengths, and reading a volume series."""

from __future__ import annotations

import io
import json
import random
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigap.detection.domain.baseline import Expectation
from sigap.detection.domain.models import DetectionSettings, Sensitivity
from sigap.detection.domain.view import DetectionView
from sigap_tools.backtest.counts import BadSeriesError, CountPoint, read_series, replay_counts

START = datetime(2026, 3, 2, tzinfo=UTC)
STEP = timedelta(minutes=5)


def _daily(moment: datetime) -> float:
    """A brand's day: quiet at night, busy in the evening (UTC+7)."""
    local = (moment.hour + 7) % 24
    return 0.3 if local < 7 else 1.4 if 18 <= local <= 22 else 1.0


def _series(days: int, level: float, seed: int, extra: dict[datetime, float] | None = None) -> list[CountPoint]:
    """Counts every 5 minutes around `level` with a daily rhythm; `extra` multiplies a point's rate."""
    rng = random.Random(seed)
    points = []
    moment = START
    while moment < START + timedelta(days=days):
        rate = level * _daily(moment) * (extra or {}).get(moment, 1.0)
        points.append(CountPoint(moment, sum(1 for _ in range(int(rate * 4)) if rng.random() < 0.25)))
        moment += STEP
    return points


def _fired_between(points: list[CountPoint], low: datetime, high: datetime) -> list[datetime]:
    return [alert.fired_at for alert in replay_counts(points) if low <= alert.fired_at <= high]


def test_negative_talk_doubling_for_three_hours_on_a_steady_brand_fires_within_them() -> None:
    # Given two weeks of a steady brand, then three hours at twice its usual volume
    surge_start = START + timedelta(days=13, hours=5)
    extra = {surge_start + STEP * step: 2.0 for step in range(36)}
    points = _series(14, 6.0, seed=1, extra=extra)
    # When the series is replayed
    fired = _fired_between(points, surge_start, surge_start + timedelta(hours=3))
    # Then an alert fires during the surge, and none in the quiet week before it
    assert fired, "a sustained doubling went unnoticed"
    assert not _fired_between(points, START + timedelta(days=6), surge_start - timedelta(hours=1))


def test_a_ten_minute_burst_that_is_this_brands_normal_is_not_a_spike() -> None:
    # Given a brand whose volume jumps fivefold for ten minutes a few times every day (retweet waves)
    rng = random.Random(7)
    bursts: dict[datetime, float] = {}
    moment = START
    while moment < START + timedelta(days=15):
        if rng.random() < 0.02:
            bursts[moment] = bursts[moment + STEP] = 5.0
        moment += STEP
    last_day = START + timedelta(days=14, hours=12)
    bursts[last_day] = bursts[last_day + STEP] = 5.0
    points = _series(15, 6.0, seed=2, extra=bursts)
    # When the series is replayed
    # Then the last day's wave, like the earlier ones once the baseline knows them, fires nothing
    assert not _fired_between(points, last_day - timedelta(minutes=30), last_day + timedelta(hours=1))


def test_a_burst_far_beyond_a_bursty_brands_normal_still_fires_at_once() -> None:
    # Given the same kind of brand, then ten minutes at thirty times its usual volume
    last_day = START + timedelta(days=14, hours=12)
    points = _series(15, 6.0, seed=3, extra={last_day: 30.0, last_day + STEP: 30.0})
    # When the series is replayed
    fired = _fired_between(points, last_day, last_day + timedelta(minutes=15))
    # Then it fires within the burst's ten minutes
    assert fired


def test_a_lower_sensitivity_never_fires_more_alerts() -> None:
    extra = {START + timedelta(days=10, hours=4) + STEP * step: 2.2 for step in range(48)}
    points = _series(12, 5.0, seed=4, extra=extra)
    low = list(replay_counts(points, DetectionSettings(sensitivity=Sensitivity.LOW)))
    normal = list(replay_counts(points))
    high = list(replay_counts(points, DetectionSettings(sensitivity=Sensitivity.HIGH)))
    assert len(low) <= len(normal) <= len(high)


@given(st.floats(min_value=2, max_value=50), st.sampled_from([10, 15, 30, 60, 120, 180]))
def test_a_windows_spread_grows_with_its_length_as_summed_hours_do(dispersion: float, window: int) -> None:
    # Given a brand whose hours have negative-binomial k = dispersion
    expectation = Expectation(
        hour="2026-03-02T10",
        per_hour={},
        negative_share=0.2,
        history_hours=24 * 28,
        source="test",
        dispersion=dispersion,
    )
    view = DetectionView(START, [], expectation)
    # Then a window of n hours is as spread as n independent hours summed (k times n): an hour keeps k, ten
    # minutes get a sixth of it (much wider, relative to their count)
    assert view.dispersion_over(60) == pytest.approx(dispersion)
    assert view.dispersion_over(window) == pytest.approx(dispersion * window / 60)


def test_a_volume_series_is_read_as_nab_writes_it_and_bad_lines_are_named() -> None:
    text = "timestamp,value\n2015-03-02 10:05:53,4\n2015-03-02 10:00:53,3\n2015-03-02 10:00:53,2\n\n"
    points = read_series(io.StringIO(text))
    assert [(point.at.isoformat(), point.count) for point in points] == [
        ("2015-03-02T10:00:53+00:00", 5),  # a repeated time adds up; points come out in order
        ("2015-03-02T10:05:53+00:00", 4),
    ]
    zoned = read_series(io.StringIO("time,count\n2015-03-02T17:00:00+07:00,1\n"))
    assert zoned[0].at == datetime(2015, 3, 2, 10, tzinfo=UTC)
    for bad, named in (
        ("timestamp,value\nyesterday,3\n", "line 2"),
        ("timestamp,value\n2015-03-02 10:00:00,-1\n", "whole number"),
        ("timestamp,value\n2015-03-02 10:00:00,2.5\n", "whole number"),
        ("timestamp,value\n2015-03-02 10:00:00,nan\n", "whole number"),
        ("timestamp,value\n2015-03-02T10:00:00Z,inf\n", "whole number"),
        ("timestamp,value\n2015-03-02T10:00:00Z,1e400\n", "whole number"),
        ("timestamp,value\n2015-03-02 10:00:00\n", "a time and a count"),
        ("", "empty"),
    ):
        with pytest.raises(BadSeriesError, match=named):
            read_series(io.StringIO(bad))


def test_backtest_counts_writes_one_line_per_alert_and_a_bad_file_is_a_clear_error(tmp_path: Path) -> None:
    # Given a series with a sharp surge after two weeks
    surge_start = START + timedelta(days=13, hours=10)
    points = _series(14, 6.0, seed=5, extra={surge_start + STEP * step: 8.0 for step in range(12)})
    series = tmp_path / "volume.csv"
    series.write_text(
        "timestamp,value\n" + "".join(f"{p.at:%Y-%m-%d %H:%M:%S},{p.count}\n" for p in points), encoding="utf-8"
    )
    # When the CLI replays it
    command = [sys.executable, "-m", "sigap_tools.cli.main", "backtest", "--counts", str(series)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    # Then each alert is a JSON line with when and why, and stderr sums it up
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert any(surge_start.isoformat() <= line["fired_at"] for line in lines)
    assert {"fired_at", "resolved_at", "severity", "window_minutes", "observed", "expected", "p_value"} <= set(lines[0])
    assert f"{len(points)} points" in result.stderr
    # And a file that is not a series is exit 2 with the line named, no traceback
    broken = tmp_path / "broken.csv"
    broken.write_text("timestamp,value\n2015-03-02 10:00:00,many\n", encoding="utf-8")
    failed = subprocess.run([*command[:-1], str(broken)], capture_output=True, text=True, check=False, timeout=60)
    assert failed.returncode == 2
    assert "line 2" in failed.stderr
    assert "Traceback" not in failed.stderr
    # And so is a file that is not text at all
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"timestamp,value\n\xd0\x80\xff\xfe,3\n")
    garbled = subprocess.run([*command[:-1], str(binary)], capture_output=True, text=True, check=False, timeout=60)
    assert garbled.returncode == 2
    assert "not UTF-8 text" in garbled.stderr


def test_the_readme_counts_example_prints_what_it_shows() -> None:
    # Given the README's `sigap backtest --counts` example, with the stderr and first line it promises
    root = Path(__file__).resolve().parents[2]
    readme = root / "README.md"
    block = next(
        block
        for block in re.findall(r"```bash\n(.*?)```", readme.read_text(encoding="utf-8"), re.S)
        if "sigap backtest --counts" in block
    )
    lines = block.splitlines()
    series = lines[0].split("--counts ", 1)[1].split(" >", 1)[0]
    promised_stderr = lines[1].removeprefix("# stderr: ")
    promised_first = json.loads(lines[3].removeprefix("# "))
    # When it is run
    command = [sys.executable, "-m", "sigap_tools.cli.main", "backtest", "--counts", series]
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=root, timeout=300)
    # Then it prints exactly that
    assert result.stderr.strip() == promised_stderr
    assert json.loads(result.stdout.splitlines()[0]) == promised_first
