"""`sigap statements check`: JSONL in (`id`, `text`, optional `lang`), each line written back with its
tone-check `findings`. A line that cannot be read stops the run with its line number, before anything after it
is written, so a partial output is never mistaken for a whole one."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from typing import IO, Any

from sigap.kernel.language import Language
from sigap.statements.domain.tone.check import check

_LANGUAGES = {language.value: language for language in Language}


class CheckInputError(ValueError):
    pass


def parse_line(raw: str, line: int) -> tuple[dict[str, Any], str, Language | None]:
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CheckInputError(f"line {line}: not JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(record, dict):
        raise CheckInputError(f"line {line}: expected a JSON object with 'id' and 'text'")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise CheckInputError(f"line {line}: 'text' must be a non-empty string")
    lang = record.get("lang")
    if lang is not None and lang not in _LANGUAGES:
        raise CheckInputError(f"line {line}: 'lang' must be 'id' or 'en', not {lang!r}")
    return record, text, None if lang is None else _LANGUAGES[lang]


def check_stream(source: IO[str], sink: IO[str]) -> int:
    written = 0
    for number, raw in enumerate(source, start=1):
        if not raw.strip():
            continue
        record, text, language = parse_line(raw, number)
        record["findings"] = [finding.model_dump(mode="json") for finding in check(text, language)]
        sink.write(json.dumps(record, ensure_ascii=False) + "\n")
        written += 1
    return written


def run_check(args: argparse.Namespace) -> int:
    with ExitStack() as files:
        try:
            source = files.enter_context(args.input.open(encoding="utf-8")) if args.input else sys.stdin
            sink = files.enter_context(args.output.open("w", encoding="utf-8")) if args.output else sys.stdout
        except OSError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        try:
            check_stream(source, sink)
        except CheckInputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return 0
