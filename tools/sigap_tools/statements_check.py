"""`sigap statements check`: JSONL in (`id`, `text`, optional `lang`), each line written back with its
tone-check `findings`. A line that cannot be read stops the run with its line number, before anything after it
is written, so a partial output is never mistaken for a whole one."""

from __future__ import annotations

import argparse
import json
from typing import IO, Any

from sigap.kernel.language import Language
from sigap.statements.domain.tone.check import check
from sigap_tools.jsonl import InputError, run_filter, text_record

_LANGUAGES = {language.value: language for language in Language}


def parse_line(raw: str, line: int) -> tuple[dict[str, Any], str, Language | None]:
    record, text = text_record(raw, line, "'id' and 'text'")
    lang = record.get("lang")
    if lang is not None and lang not in _LANGUAGES:
        raise InputError(f"line {line}: 'lang' must be 'id' or 'en', not {lang!r}")
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
    return run_filter(args.input, args.output, check_stream)
