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
FILES = ("tone_cases.jsonl", "tone_holdout.jsonl", "tone_fresh.jsonl")


def _load(name: str) -> list[dict[str, object]]:
    with (ROOT / "data" / "statements" / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def tone() -> None:
    per_rule = {rule: [0, 0, 0] for rule in EIGHT}
    print("\n## Tone check (data/statements, hand-written; see its README for how each file was used)\n")
    print("| file | statements | good ones with any finding | micro-F1 over the eight rules |")
    print("|---|---:|---:|---:|")
    every: list[dict[str, object]] = []
    for name in FILES:
        cases = _load(name)
        every.extend(cases)
        tp = fp = fn = 0
        good_flagged = 0
        for case in cases:
            findings = check(str(case["text"]))
            gold = {ToneRule(rule) for rule in case["rules"]}  # type: ignore[attr-defined]
            predicted = {finding.rule for finding in findings if finding.rule in EIGHT}
            if not gold and findings:
                good_flagged += 1
            for rule in EIGHT:
                counts = per_rule[rule]
                counts[0] += rule in gold and rule in predicted
                counts[1] += rule not in gold and rule in predicted
                counts[2] += rule in gold and rule not in predicted
            tp += len(gold & predicted)
            fp += len(predicted - gold)
            fn += len(gold - predicted)
        goods = sum(1 for case in cases if not case["rules"])
        print(f"| {name} | {len(cases)} | {good_flagged} of {goods} | {_f1(tp, fp, fn)[2]:.3f} |")
    print("\n| rule | statements with it | precision | recall | F1 |")
    print("|---|---:|---:|---:|---:|")
    for rule, (tp, fp, fn) in per_rule.items():
        precision, recall, f1 = _f1(tp, fp, fn)
        print(f"| {rule.value} | {tp + fn} | {precision:.2f} | {recall:.2f} | {f1:.2f} |")
    texts = [str(case["text"]) for case in every] * 20
    started = time.perf_counter()
    for text in texts:
        check(text)
    elapsed = time.perf_counter() - started
    print(f"\nSpeed: {len(texts) / elapsed:,.0f} statements/s on one core ({len(texts)} checks).")
