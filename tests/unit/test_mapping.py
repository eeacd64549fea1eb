"""One mapping module for every door: JMESPath from any tool's JSON to mentions, lenient readings, presets."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sigap.ingest.mapping import lenient
from sigap.ingest.mapping.model import Mapping, MentionIn, UnmappablePayloadError, map_payload, map_record
from sigap.ingest.mapping.presets import PRESETS
from sigap.kernel.kinds import SourceChannel

NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
SIMPLE = Mapping(records="items", fields={"id": "key", "text": "body", "created_at": "at"})  # type: ignore[dict-item]


def mapped(payload: Any, mapping: Mapping = SIMPLE) -> Any:
    return map_payload(payload, mapping, source="tool", channel=SourceChannel.SOCIAL, received_at=NOW)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_presets_sample_payload_maps_to_mentions_without_a_problem(name: str) -> None:
    preset = PRESETS[name]
    result = map_payload(preset.sample, preset.mapping, source=name, channel=preset.channel, received_at=NOW)
    assert result.rejected == []
    assert len(result.mentions) >= 1
    assert all(mention.source == name and mention.text.strip() for mention in result.mentions)


def test_a_record_without_its_text_is_a_problem_naming_the_field_and_its_expression() -> None:
    # Given a payload whose second record has no body
    payload = {"items": [{"key": "a", "body": "ok", "at": "2026-11-22T10:00:00Z"}, {"key": "b", "at": "2026"}]}
    # When it is mapped
    result = mapped(payload)
    # Then the first record is a mention and the second a problem saying where the text was looked for
    assert [mention.id for mention in result.mentions] == ["a"]
    texts = [problem for problem in result.rejected if problem.field == "text"]
    assert texts
    assert texts[0].record == 1
    assert texts[0].expression == "body"
    assert "record 1: text (expression `body`): found nothing" in texts[0].line()


def test_a_payload_without_records_where_the_mapping_looks_is_unmappable_and_says_where() -> None:
    with pytest.raises(UnmappablePayloadError, match=r"records.*`items`.*found nothing"):
        mapped({"documents": []})


def test_a_mapping_with_an_expression_that_does_not_parse_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="text: `body\\[` is not a JMESPath expression"):
        Mapping(fields={"text": "body[", "created_at": "at"})  # type: ignore[dict-item]


def test_a_mapping_must_say_where_the_text_and_the_time_are() -> None:
    with pytest.raises(ValidationError, match="map 'text'"):
        Mapping(fields={"created_at": "at"})  # type: ignore[dict-item]
    with pytest.raises(ValidationError, match="created_at"):
        Mapping(fields={"text": "body"})  # type: ignore[dict-item]


def test_a_record_without_an_id_is_named_by_its_content_so_a_resent_copy_is_the_same_mention() -> None:
    mapping = Mapping(fields={"text": "body", "created_at": "at"})  # type: ignore[dict-item]
    record = {"body": "Teh Segar beracun?", "at": "2026-11-22T10:00:00Z"}
    first, again = mapped(record, mapping), mapped(dict(record), mapping)
    other = mapped(record | {"body": "Teh Segar enak"}, mapping)
    assert first.mentions[0].id == again.mentions[0].id != other.mentions[0].id


def test_the_id_prefix_names_the_tools_id_space_and_an_id_with_odd_characters_is_hashed() -> None:
    mapping = Mapping(fields={"id": "id", "text": "t", "created_at": "at"}, id_prefix="zendesk:")  # type: ignore[dict-item]
    ids = [mapped({"id": key, "t": "x", "at": "2026-11-22T10:00:00Z"}, mapping).mentions[0].id for key in (42, "a b")]
    assert ids[0] == "zendesk:42"
    assert ids[1].startswith("h-")


@pytest.mark.parametrize(
    ("written", "instant"),
    [
        ("2026-11-22T10:00:00+07:00", datetime(2026, 11, 22, 3, 0, tzinfo=UTC)),
        ("2026-11-22T03:00:00Z", datetime(2026, 11, 22, 3, 0, tzinfo=UTC)),
        ("2015-02-24 11:35:52 -0800", datetime(2015, 2, 24, 19, 35, 52, tzinfo=UTC)),
        ("Tue Feb 24 11:35:52 +0000 2015", datetime(2015, 2, 24, 11, 35, 52, tzinfo=UTC)),
        ("Tue, 24 Feb 2015 11:35:52 -0800", datetime(2015, 2, 24, 19, 35, 52, tzinfo=UTC)),
        (1795837200, datetime(2026, 11, 28, 3, 40, tzinfo=UTC)),
        (1795837200000, datetime(2026, 11, 28, 3, 40, tzinfo=UTC)),
        ("1795837200", datetime(2026, 11, 28, 3, 40, tzinfo=UTC)),
    ],
)
def test_times_are_read_in_the_formats_tools_write(written: object, instant: datetime) -> None:
    mapping = Mapping(fields={"text": "t", "created_at": "at"})  # type: ignore[dict-item]
    assert mapped({"t": "x", "at": written}, mapping).mentions[0].created_at == instant


def test_a_time_without_an_offset_is_refused_unless_the_mapping_names_the_tools_zone() -> None:
    record = {"t": "x", "at": "2026-11-22 10:00:00"}
    strict = mapped(record, Mapping(fields={"text": "t", "created_at": "at"}))  # type: ignore[dict-item]
    assert [problem.field for problem in strict.rejected] == ["created_at"]
    jakarta = Mapping(fields={"text": "t", "created_at": "at"}, timezone="+07:00")  # type: ignore[dict-item]
    assert mapped(record, jakarta).mentions[0].created_at == datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def test_a_number_that_is_not_a_plausible_unix_time_is_not_taken_for_one() -> None:
    mapping = Mapping(fields={"text": "t", "created_at": "at"})  # type: ignore[dict-item]
    for value in (0, 2015, -5, 10**20):
        assert mapped({"t": "x", "at": value}, mapping).rejected[0].field == "created_at"


@pytest.mark.parametrize(
    ("written", "channel"),
    [
        ("twitter", SourceChannel.SOCIAL),
        ("X", SourceChannel.SOCIAL),
        ("www.instagram.com", SourceChannel.SOCIAL),
        ("Online News", SourceChannel.NEWS),
        ("Blogs", SourceChannel.BLOG),
        ("FORUMS", SourceChannel.FORUM),
        ("zendesk", SourceChannel.TICKET),
        ("e-mail", SourceChannel.EMAIL),
        ("carrier pigeon", SourceChannel.OTHER),
    ],
)
def test_channels_are_read_by_any_name_tools_give_them(written: str, channel: SourceChannel) -> None:
    assert lenient.channel(written) is channel


def test_an_author_is_read_from_a_handle_or_any_tools_author_object() -> None:
    assert lenient.author("rina") == {"handle": "rina"}
    assert lenient.author({"screen_name": "rina", "followers_count": "1,200"}) == {"handle": "rina", "followers": 1200}
    assert lenient.author({"nickname": "sari.w", "subscribers": 5400.0}) == {"handle": "sari.w", "followers": 5400}


def test_a_title_is_put_before_the_text_once() -> None:
    mapping = Mapping(fields={"title": "s", "text": "t", "created_at": "at"})  # type: ignore[dict-item]
    at = "2026-11-22T10:00:00Z"
    assert (
        mapped({"s": "Bocor", "t": "Botolnya bocor", "at": at}, mapping).mentions[0].text == "Bocor\n\nBotolnya bocor"
    )
    assert mapped({"s": "Bocor", "t": "Bocor lagi", "at": at}, mapping).mentions[0].text == "Bocor lagi"
    assert mapped({"s": "Bocor", "at": at}, mapping).mentions[0].text == "Bocor"


def test_an_expression_that_fails_on_a_records_values_is_that_records_problem() -> None:
    mapping = Mapping(fields={"text": "join(', ', tags)", "created_at": "at"})  # type: ignore[dict-item]
    result = mapped({"tags": 5, "at": "2026-11-22T10:00:00Z"}, mapping)
    assert result.rejected[0].field == "text"
    assert "failed" in result.rejected[0].problem


def test_the_offset_of_a_zone_is_read_and_nonsense_is_refused() -> None:
    assert lenient.zone("+07:00") == timezone(timedelta(hours=7))
    assert lenient.zone("GMT-3") == timezone(timedelta(hours=-3))
    for nonsense in ("Jakarta", "+25:00", ""):
        with pytest.raises(ValueError, match="UTC offset"):
            lenient.zone(nonsense)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=25,
)
TOOL_LIKE = st.dictionaries(
    st.sampled_from(["id", "text", "created_at", "author", "channel", "engagement", "location", "url", "lang"]),
    JSON,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(JSON, TOOL_LIKE, st.lists(TOOL_LIKE, max_size=3)))
def test_any_json_maps_to_mentions_or_named_problems_and_raises_nothing_else(payload: Any) -> None:
    # Given any JSON a tool might send, through the most lenient preset
    preset = PRESETS["sigap"]
    try:
        result = map_payload(payload, preset.mapping, source="fuzz", channel=preset.channel, received_at=NOW)
    except UnmappablePayloadError as unmappable:  # a scalar, or {"mentions": 5}: no records at all
        assert unmappable.problem.field == "records"  # noqa: PT017 - one of the outcomes any JSON may have
        return
    # Then each record is a valid mention or a problem with a field and a reason, and both are JSON-writable
    for mention in result.mentions:
        assert isinstance(mention, MentionIn)
        json.loads(mention.model_dump_json())
    for problem in result.rejected:
        assert problem.field
        assert problem.problem
        json.loads(problem.model_dump_json())


@given(st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2026, 1, 1), timezones=st.just(UTC)))
def test_an_instant_written_in_any_supported_format_reads_back_as_the_same_instant(instant: datetime) -> None:
    instant = instant.replace(microsecond=0)
    for written in (
        instant.isoformat(),
        instant.strftime("%Y-%m-%d %H:%M:%S %z"),
        instant.strftime("%a %b %d %H:%M:%S %z %Y"),
        instant.strftime("%a, %d %b %Y %H:%M:%S %z"),
        int(instant.timestamp()),
    ):
        read = lenient.published(written)
        assert isinstance(read, str), written
        assert datetime.fromisoformat(read) == instant


def test_map_record_refuses_a_record_that_is_not_an_object() -> None:
    outcome = map_record([1, 2], SIMPLE, 3, source="t", channel=SourceChannel.OTHER, received_at=NOW)
    assert not isinstance(outcome, MentionIn)
    assert outcome[0].record == 3
    assert "not a JSON object" in outcome[0].problem


def test_each_presets_sample_payload_in_the_readme_maps_to_mentions() -> None:
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    samples = dict(re.findall(r"^- `([a-z-]+)`:\n\n  ```json\n  (.+)\n  ```$", readme, re.M))
    assert set(samples) == set(PRESETS), "the README shows a sample payload for every preset"
    for name, sample in samples.items():
        preset = PRESETS[name]
        result = map_payload(json.loads(sample), preset.mapping, source=name, channel=preset.channel, received_at=NOW)
        assert result.mentions, (name, result.rejected)
        assert not result.rejected, (name, result.rejected)
