"""Reading an export a row at a time: whatever the chunking, the rows are the rows a CSV writer wrote (quoted
commas, quotes and line breaks included), and resuming from any row's checkpoint gives exactly the rows after."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sigap.sources.import_reader import nested, rows
from sigap.sources.imports import MAX_LINE_BYTES, Checkpoint, ImportFormat

cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\r"), max_size=12)
tables = st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=8)


def _csv(header: list[str], table: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(table)
    return out.getvalue().encode()


def _chunked(data: bytes, size: int) -> list[bytes]:
    return [data[start : start + size] for start in range(0, len(data), size)]


@settings(max_examples=200, deadline=None)
@given(table=tables, size=st.integers(min_value=1, max_value=64))
def test_any_csv_reads_back_row_for_row_whatever_the_chunking_and_resumes_from_any_row(
    table: list[list[str]], size: int
) -> None:
    header = ["a", "b.c", "d"]
    data = _csv(header, table)
    read = list(rows(_chunked(data, size), ImportFormat.CSV, Checkpoint()))
    assert all(row.problem is None for row in read)
    assert [row.value for row in read] == [nested(dict(zip(header, row, strict=True))) for row in table]
    for index, row in enumerate(read):
        rest = list(rows(_chunked(data[row.after.offset :], size), ImportFormat.CSV, row.after))
        assert [later.value for later in rest] == [later.value for later in read[index + 1 :]]


def test_a_dotted_column_nests_and_an_empty_cell_is_no_value() -> None:
    assert nested({"user.screen_name": "rina", "user.followers_count": "12", "text": "x", "lang": ""}) == {
        "user": {"screen_name": "rina", "followers_count": "12"},
        "text": "x",
    }
    assert nested({"a": "1", "a.b": "2"}) == {"a": "1", "a.b": "2"}


def test_a_row_longer_than_the_limit_is_reported_and_skipped_and_the_next_row_read() -> None:
    data = b'id,text\n1,"' + b"x" * (MAX_LINE_BYTES + 10) + b'"\n2,ok\n'
    read = list(rows(_chunked(data, 4096), ImportFormat.CSV, Checkpoint()))
    assert [(row.line, row.problem is not None) for row in read] == [(2, True), (3, False)]
    assert read[1].value == {"id": "2", "text": "ok"}


def test_json_lines_with_a_byte_order_mark_blank_lines_and_broken_lines_are_read_line_by_line() -> None:
    data = b'\xef\xbb\xbf{"id": 1}\n\n{"id": \n\xff\n[1, 2]\n{"id": 3}'
    read = list(rows([data], ImportFormat.JSONL, Checkpoint()))
    assert [(row.line, row.value, row.problem is not None) for row in read] == [
        (1, {"id": 1}, False),
        (3, None, True),
        (4, None, True),
        (5, [1, 2], False),
        (6, {"id": 3}, False),
    ]
    assert read[-1].after.offset == len(data)
    assert json.loads(json.dumps([row.value for row in read]))  # plain JSON values, nothing else


def test_a_file_that_ends_inside_a_quoted_field_says_so() -> None:
    read = list(rows([b'id,text\n1,"never closed\n'], ImportFormat.CSV, Checkpoint()))
    assert read[-1].problem == "the file ends inside a quoted field"
