"""A brand query as listening tools let users write one: terms, phrases, AND/OR/NOT, parentheses, case- and
accent-insensitive whole-word matching; a query that cannot parse is refused naming where."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigap.ingest.mapping.query import parse_query

QUERY = '"teh segar" AND (racun OR beracun) NOT promo'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Teh Segar beracun!! jangan diminum", True),
        ("TEH SEGAR ada racunnya? racun beneran", True),
        ("teh segar racun, tapi ini promo", False),  # NOT promo
        ("teh segar enak banget", False),  # neither racun nor beracun
        ("segar teh racun", False),  # the phrase is in order
        ("tehnik segar racun", False),  # whole words only
    ],
)
def test_a_listening_tools_query_keeps_what_it_says(text: str, expected: bool) -> None:
    assert parse_query(QUERY).matches(text) is expected


def test_terms_side_by_side_mean_and_a_star_is_a_prefix_and_accents_and_case_do_not_matter() -> None:
    assert parse_query("teh racun*").matches("Teh itu beracun? racunnya apa")
    assert not parse_query("teh racun*").matches("teh beracun")
    assert parse_query("café").matches("CAFE Senja")
    assert parse_query("cafe").matches("Café Senja")
    assert parse_query("NOT promo").matches("kabar biasa")


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ('"teh segar', "unclosed quote"),
        ("(racun OR beracun", "never closed"),
        ("racun OR", "ends where a term was expected"),
        ("AND racun", "unexpected 'AND' at character 1"),
        ("racun ) teh", "unexpected ')' at character 7"),
        ("", "empty"),
        ("***", "no word"),
    ],
)
def test_a_query_that_cannot_parse_is_refused_naming_where(query: str, named: str) -> None:
    with pytest.raises(ValueError, match=named.replace("(", r"\(").replace(")", r"\)")):
        parse_query(query)


@given(st.text(max_size=60), st.text(max_size=80))
def test_any_query_either_parses_and_answers_or_is_refused_with_a_value_error(query: str, text: str) -> None:
    try:
        parsed = parse_query(query)
    except ValueError:
        return
    assert parsed.matches(text) in (True, False)
