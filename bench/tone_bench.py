"""The tone check on Sigap's hand-written statements (data/statements): precision and recall per rule, micro-F1
per file, findings on the good statements, and statements checked per second."""

from __future__ import annotations

import json
import time
from pathlib import Path

from sigap.statements.domain.tone.check import check
from sigap.statements.domain.tone.models import ToneRule

ROOT = Path(__file__).resolve().parents[1]
EIGHT = list(ToneRule)[:8]
FILES = (
    "tone_cases.jsonl",
    "tone_holdout.jsonl",
    "tone_fresh.jsonl",
    "tone_other.jsonl",
    "tone_blind.jsonl",
    "tone_third.jsonl",
    "tone_fourth.jsonl",
    "tone_fifth.jsonl",
)
# Each later file's micro-F1 when first measured, before any rule was changed for it (data/statements/README.md):
# the honest estimate for statements nobody tuned the rules on. tone_blind.jsonl was scored once, after the changes
# made on tone_other.jsonl.
FIRST_MEASURED = {
    "tone_holdout.jsonl": "0.847",
    "tone_fresh.jsonl": "0.867",
    "tone_other.jsonl": "0.606",
    "tone_blind.jsonl": "0.839 (scored once)",
    "tone_third.jsonl": "0.375",
    "tone_fourth.jsonl": "0.400",
    "tone_fifth.jsonl": "0.364",
}


def _load(name: str) -> list[dict[str, object]]:
    with (ROOT / "data" / "statements" / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def tone() -> None:
    per_file: dict[str, dict[ToneRule, list[int]]] = {}
    print("\n## Tone check (data/statements, hand-written; see its README for how each file was used)\n")
    print("| file | statements | good ones with any finding | micro-F1 over the eight rules | first measured |")
    print("|---|---:|---:|---:|---:|")
    every: list[dict[str, object]] = []
    for name in FILES:
        cases = _load(name)
        every.extend(cases)
        counts = per_file[name] = {rule: [0, 0, 0] for rule in EIGHT}
        good_flagged = 0
        for case in cases:
            findings = check(str(case["text"]))
            gold = {ToneRule(rule) for rule in case["rules"]}  # type: ignore[attr-defined]
            predicted = {finding.rule for finding in findings if finding.rule in EIGHT}
            if not gold and findings:
                good_flagged += 1
            for rule in EIGHT:
                counts[rule][0] += rule in gold and rule in predicted
                counts[rule][1] += rule not in gold and rule in predicted
                counts[rule][2] += rule in gold and rule not in predicted
        tp, fp, fn = (sum(values[i] for values in counts.values()) for i in range(3))
        goods = sum(1 for case in cases if not case["rules"])
        print(
            f"| {name} | {len(cases)} | {good_flagged} of {goods} | {_f1(tp, fp, fn)[2]:.3f} "
            f"| {FIRST_MEASURED.get(name, 'rules written on it')} |"
        )
    print(
        "\nF1 per rule and file (statements with the rule in brackets; - : no statement has it and none was flagged)\n"
    )
    print("| rule | " + " | ".join(name.removesuffix(".jsonl") for name in FILES) + " |")
    print("|---|" + "---:|" * len(FILES))
    for rule in EIGHT:
        cells = []
        for name in FILES:
            tp, fp, fn = per_file[name][rule]
            cells.append("-" if tp + fp + fn == 0 else f"{_f1(tp, fp, fn)[2]:.2f} ({tp + fn})")
        print(f"| {rule.value} | " + " | ".join(cells) + " |")
    texts = [str(case["text"]) for case in every] * 20
    started = time.perf_counter()
    for text in texts:
        check(text)
    elapsed = time.perf_counter() - started
    print(f"\nSpeed: {len(texts) / elapsed:,.0f} statements/s on one core ({len(texts)} checks).")
