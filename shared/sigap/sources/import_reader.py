"""Reading an export a row at a time from a stream of byte chunks, in constant memory, with the byte offset after
each row so an import can stop and resume exactly there.

CSV rows may span lines (a quoted field with a line break): lines are joined until their quotes balance, as the
CSV format quotes (a doubled quote inside a field keeps the count even). A line or row longer than
MAX_LINE_BYTES is skipped to its end and reported, never held. Bytes are UTF-8 (a byte-order mark at the start is
ignored); a row that is not is reported with its line number.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sigap.sources.imports import MAX_LINE_BYTES, Checkpoint, ImportFormat

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Row:
    line: int  # the row's first line in the file (1-based)
    value: Any  # the parsed payload (a CSV row as a nested dict, a JSON line's value), or None with `problem`
    after: Checkpoint  # where the file stands once this row is done
    problem: str | None = None


@dataclass(frozen=True)
class _Line:
    number: int
    data: bytes | None  # None: longer than MAX_LINE_BYTES, skipped
    end: int  # byte offset just after the line


def _lines(chunks: Iterable[bytes], offset: int, first_line: int) -> Iterator[_Line]:
    """The stream's lines with their ends (line breaks kept), each at most MAX_LINE_BYTES."""
    pending = bytearray()
    too_long = False
    number, position = first_line, offset
    for chunk in chunks:
        start = 0
        while True:
            newline = chunk.find(b"\n", start)
            piece = chunk[start:] if newline < 0 else chunk[start : newline + 1]
            position += len(piece)
            if not too_long:
                pending += piece
                if len(pending) > MAX_LINE_BYTES:
                    too_long, pending = True, bytearray()
            if newline < 0:
                break
            number += 1
            yield _Line(number, None if too_long else bytes(pending), position)
            pending, too_long = bytearray(), False
            start = newline + 1
    if pending or too_long:
        yield _Line(number + 1, None if too_long else bytes(pending), position)


def _text(data: bytes, at_start: bool) -> str:
    return (data[len(_BOM) :] if at_start and data.startswith(_BOM) else data).decode("utf-8")


def rows(chunks: Iterable[bytes], file_format: ImportFormat, checkpoint: Checkpoint) -> Iterator[Row]:
    """The file's rows from `checkpoint` on (the chunks start at its offset)."""
    if file_format is ImportFormat.JSONL:
        yield from _json_lines(chunks, checkpoint)
    else:
        yield from _csv_rows(chunks, checkpoint)


def _json_lines(chunks: Iterable[bytes], checkpoint: Checkpoint) -> Iterator[Row]:
    for line in _lines(chunks, checkpoint.offset, checkpoint.line):
        after = Checkpoint(offset=line.end, line=line.number)
        if line.data is None:
            yield Row(line.number, None, after, f"the line is longer than {MAX_LINE_BYTES} bytes")
            continue
        try:
            text = _text(line.data, line.end - len(line.data) == 0)
        except UnicodeDecodeError as exc:
            yield Row(line.number, None, after, f"not UTF-8 text (byte {exc.start} of the line)")
            continue
        if not text.strip():
            continue
        try:
            yield Row(line.number, json.loads(text), after)
        except (json.JSONDecodeError, RecursionError, ValueError) as exc:
            yield Row(line.number, None, after, f"not JSON ({getattr(exc, 'msg', str(exc))})")


def _csv_rows(chunks: Iterable[bytes], checkpoint: Checkpoint) -> Iterator[Row]:
    header = checkpoint.header
    pending: list[bytes] = []
    first_line = 0
    size = 0
    skipping = False
    for line in _lines(chunks, checkpoint.offset, checkpoint.line):
        if not pending and not skipping:
            first_line = line.number
        if line.data is None or skipping or size + len(line.data or b"") > MAX_LINE_BYTES:
            # A row too long to hold: skipped to where its quotes balance again (or to a too-long line's end).
            skipping = line.data is not None and _open_quote(b"".join(pending) + line.data)
            if not skipping:
                pending, size = [], 0
                yield Row(first_line, None, Checkpoint(offset=line.end, line=line.number, header=header),
                          f"the row is longer than {MAX_LINE_BYTES} bytes")  # fmt: skip
            else:
                pending, size = [b'"'], 1  # only the quote parity matters while skipping
            continue
        pending.append(line.data)
        size += len(line.data)
        data = b"".join(pending)
        if _open_quote(data):
            continue
        pending, size = [], 0
        after = Checkpoint(offset=line.end, line=line.number, header=header)
        try:
            text = _text(data, line.end - len(data) == 0)
        except UnicodeDecodeError as exc:
            yield Row(first_line, None, after, f"not UTF-8 text (byte {exc.start} of the row)")
            continue
        if not text.strip():
            continue
        values = next(csv.reader(io.StringIO(text, newline="")), [])
        if header is None:
            header = [name.strip() for name in values]
            if not any(header):
                yield Row(first_line, None, after, "the header row names no column")
                return
            continue
        after = Checkpoint(offset=line.end, line=line.number, header=header)
        if len(values) > len(header):
            yield Row(first_line, None, after, f"the row has {len(values)} fields; the header names {len(header)}")
            continue
        yield Row(first_line, nested(dict(zip(header, values, strict=False))), after)
    if pending and not skipping:
        yield Row(first_line, None, Checkpoint(offset=checkpoint.offset, line=checkpoint.line, header=header),
                  "the file ends inside a quoted field")  # fmt: skip


def _open_quote(data: bytes) -> bool:
    return data.count(b'"') % 2 == 1


def nested(columns: dict[str, str]) -> dict[str, Any]:
    """A CSV row as the JSON a tool would send: "user.screen_name" becomes {"user": {"screen_name": ...}}, and an
    empty cell is no value. A column that cannot nest (both "a" and "a.b") keeps its dotted name."""
    row: dict[str, Any] = {}
    for name, value in columns.items():
        if value == "" or not name:
            continue
        parts = name.split(".")
        place = row
        for part in parts[:-1]:
            child = place.setdefault(part, {})
            if not isinstance(child, dict):
                place = row
                parts = [name]
                break
            place = child
        place[parts[-1]] = value
    return row
