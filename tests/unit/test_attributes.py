"""Stores write and read DynamoDB values through boto3's serializer: what goes in comes back the same."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from sigap.platform.attributes import attribute, attributes, plain, value_of


@given(st.one_of(st.text(), st.integers(min_value=-(10**30), max_value=10**30), st.booleans()))
def test_a_text_number_or_flag_comes_back_as_it_went(value: str | int | bool) -> None:
    assert plain(attribute(value)) == value


# DynamoDB numbers reach from 1E-130 to 1E+126 in magnitude: what Sigap stores (risks, counts, rates) is inside.
IN_DYNAMODB_RANGE = st.floats(allow_nan=False, min_value=-1e100, max_value=1e100).filter(
    lambda value: value == 0 or abs(value) >= 1e-120
)


@given(IN_DYNAMODB_RANGE)
def test_a_float_is_stored_as_the_decimal_of_its_shortest_form_and_reads_back_equal(value: float) -> None:
    stored = attribute(value)
    assert Decimal(stored["N"]) == Decimal(repr(value))  # 0.1 as 0.1, not 0.1000000000000000055511151231257827
    assert float(plain(stored)) == value


def test_sets_names_and_absent_attributes() -> None:
    assert plain(attribute(frozenset({"a", "b"}))) == {"a", "b"}
    assert attributes({":expected": 3}, doc="{}") == {":expected": {"N": "3"}, "doc": {"S": "{}"}}
    item = attributes(sent=4)
    assert value_of(item, "sent", 0) == 4
    assert value_of(item, "failed", 0) == 0  # written by an older version, before the counter existed
