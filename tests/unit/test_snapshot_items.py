"""A local stack's snapshot keeps every item as it was, binary values too (author sketches, deflated documents):
JSON has no bytes, so they are written as base64 and read back as bytes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sigap_tools.local.snapshot import _portable, _restored

_values = st.recursive(
    st.one_of(
        st.builds(lambda text: {"S": text}, st.text(max_size=20)),
        st.builds(lambda data: {"B": data}, st.binary(max_size=40)),
        st.builds(lambda number: {"N": str(number)}, st.integers()),
        st.builds(lambda members: {"BS": members}, st.lists(st.binary(min_size=1, max_size=8), max_size=3)),
    ),
    lambda inner: st.one_of(
        st.builds(lambda members: {"L": members}, st.lists(inner, max_size=3)),
        st.builds(lambda fields: {"M": fields}, st.dictionaries(st.text(min_size=1, max_size=5), inner, max_size=3)),
    ),
    max_leaves=8,
)


@given(st.dictionaries(st.text(min_size=1, max_size=8), _values, max_size=5))
def test_any_item_survives_a_snapshot_line(item: dict[str, Any]) -> None:
    line = json.dumps(_portable(item))
    assert _restored(json.loads(line)) == item
