"""`sigap score` as a user runs it: JSONL in, JSONL out, offline, with clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

COMMAND = [sys.executable, "-m", "sigap_tools.cli.main", "score"]


def run(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], input=stdin, capture_output=True, text=True, timeout=120, check=False)


def test_each_line_keeps_its_fields_and_gains_the_score() -> None:
    lines = [
        {"id": "a", "text": "Teh Segar beracun?? anak gw keracunan", "channel": "social", "extra": [1, 2]},
        {"id": "b", "text": "FW: Teh Segar beracun?? anak gw keracunan"},
        {"id": "c", "text": "Pelayanannya ramah, mantap!"},
    ]
    answer = run("".join(json.dumps(line) + "\n" for line in lines))
    assert answer.returncode == 0, answer.stderr
    output = [json.loads(line) for line in answer.stdout.splitlines()]
    assert [row["id"] for row in output] == ["a", "b", "c"]
    assert output[0]["extra"] == [1, 2]
    for row in output:
        assert row["sentiment"] in {"negative", "neutral", "positive"}
        assert -1 <= row["polarity"] <= 1
        assert row["lang"] in {"id", "en", "other"}
        assert 0 <= row["risk"] <= 1
        assert isinstance(row["signals"], list)
        assert row["story_id"].startswith("s-")
    assert output[0]["sentiment"] == "negative"
    assert output[0]["signals"][0]["category"] == "safety_health"
    assert output[0]["story_id"] == output[1]["story_id"] != output[2]["story_id"]
    assert output[0]["risk"] > output[2]["risk"]


def test_files_can_be_named_instead_of_pipes(tmp_path: Path) -> None:
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text('{"id": 1, "text": "bagus"}\n\n{"id": 2, "text": "jelek"}\n', encoding="utf-8")
    answer = run("", "--input", str(source), "--output", str(target), "--batch-size", "1")
    assert answer.returncode == 0, answer.stderr
    assert len(target.read_text(encoding="utf-8").splitlines()) == 2


def test_a_bad_line_is_named_with_its_number() -> None:
    answer = run('{"text": "ok"}\n{"text": ""}\n')
    assert answer.returncode == 2
    assert "line 2: 'text' must be a non-empty string" in answer.stderr
    answer = run("{not json\n")
    assert answer.returncode == 2
    assert "line 1: not JSON" in answer.stderr


def test_a_backtest_writes_the_same_lines_in_the_same_order_on_every_run(tmp_path: Path) -> None:
    # Given two stories, each forwarded by a dozen people in the same minutes, and a far-reaching article
    start = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    texts = [
        "Teh Segar beracun, anak saya keracunan setelah minum, tolong sebarkan ke semua grup",
        "Teh Segar penipuan, saldo saya hilang setelah ikut promo palsu mereka, hati-hati semua",
        "Teh Segar digugat konsumen, kuasa hukum siapkan gugatan class action, banyak yang sakit",
    ]
    lines = [
        {
            "tenant": "brand-a",
            "id": f"m{i}",
            "author": {"handle": f"@p{i}", "followers": 5_000_000 if i % 12 == 0 else 300},
            "channel": "news" if i % 12 == 0 else "social",
            "text": texts[i % 3],
            "created_at": (start + timedelta(seconds=10 * i)).isoformat(),
        }
        for i in range(48)
    ]
    stream = tmp_path / "stream.jsonl"
    stream.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    outputs = set()
    # When it is replayed under several hash seeds (Python orders sets of strings differently in each)
    for seed in ("1", "2", "3", "4"):
        answer = subprocess.run(
            [sys.executable, "-m", "sigap_tools.cli.main", "backtest", "--input", str(stream), "--no-progress"],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=120,
        )
        outputs.add(answer.stdout)
    # Then every run wrote the same alert transitions, line for line, and more than one story fired at once
    [output] = outputs
    fired = [json.loads(line) for line in output.splitlines() if '"fired"' in line]
    assert len({line["subject"] for line in fired if line["rule"] == "story_spread"}) >= 2
