"""Reading the JSON Lines the command-line tools take: one object a line, each with a non-empty 'text'."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any


class InputError(ValueError):
    """A line that cannot be read, named by its number so the user can find it."""


def text_record(raw: str, line: int, expected: str) -> tuple[dict[str, Any], str]:
    """The line's object and its text; InputError saying what is wrong (`expected` describes the object)."""
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(f"line {line}: not JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(record, dict):
        raise InputError(f"line {line}: expected a JSON object with {expected}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"line {line}: 'text' must be a non-empty string")
    return record, text


def run_filter(input_path: Path | None, output_path: Path | None, work: Callable[[IO[str], IO[str]], object]) -> int:
    """Runs `work` from the input file (or stdin) to the output file (or stdout): 0, or 2 with the problem on
    stderr when a file cannot be opened or a line cannot be read."""
    with ExitStack() as files:
        try:
            source = files.enter_context(input_path.open(encoding="utf-8")) if input_path else sys.stdin
            sink = files.enter_context(output_path.open("w", encoding="utf-8")) if output_path else sys.stdout
            work(source, sink)
        except (OSError, InputError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return 0
