"""The console's small rules: which language a page is in, where a sign-in may lead, and how the local gateway
carries cookies as HTTP APIs do."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigap.console.api.wiring import cookie_value, safe_next
from sigap.console.pages import preferred_language
from sigap.kernel.language import Language
from sigap_tools.local.http_gateway import Route, build_event, cookies_to_set


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("id-ID,id;q=0.9,en-US;q=0.8", Language.INDONESIAN),
        ("en-GB,en;q=0.9,id;q=0.8", Language.ENGLISH),
        ("en;q=0.5,id;q=0.9", Language.INDONESIAN),
        ("fr-FR,de;q=0.9", Language.ENGLISH),
        ("", Language.ENGLISH),
        (None, Language.ENGLISH),
        ("id;q=abc,en", Language.ENGLISH),
    ],
)
def test_a_page_is_in_indonesian_when_the_browser_ranks_it_above_english(
    header: str | None, language: Language
) -> None:
    assert preferred_language(header) is language


@pytest.mark.parametrize("target", ["/console", "/console/tenants/a/alerts/b", "/console/tenants/a?x=1"])
def test_a_sign_in_returns_to_the_console_page_it_was_asked_for(target: str) -> None:
    assert safe_next(target) == target


@given(st.text(max_size=80))
def test_a_sign_in_never_leads_off_the_consoles_own_pages(target: str) -> None:
    landed = safe_next(target)
    assert landed == "/console" or landed.startswith("/console/")
    assert "//" not in landed
    assert "\\" not in landed
    assert ".." not in landed


def test_a_cookie_is_read_by_its_exact_name() -> None:
    cookies = ["sigap_session_old=a", "sigap_session=b=c", "other=d"]
    assert cookie_value(cookies, "sigap_session") == "b=c"
    assert cookie_value(cookies, "missing") == ""


def test_the_local_gateway_carries_cookies_as_http_apis_do() -> None:
    # Given a browser's Cookie header
    route = Route(method="GET", path="/console", pool=None)  # type: ignore[arg-type]
    event = build_event(route, "GET", "/console", {"cookie": "a=1; b=2", "accept": "text/html"}, b"", "127.0.0.1")
    # Then the function sees each cookie in `cookies` and no Cookie header (payload 2.0)
    assert event["cookies"] == ["a=1", "b=2"]
    assert "cookie" not in event["headers"]
    # And each cookie a function sets becomes its own Set-Cookie header
    assert cookies_to_set({"statusCode": 303, "cookies": ["a=1; Path=/", "b=; Max-Age=0"]}) == [
        "a=1; Path=/",
        "b=; Max-Age=0",
    ]
    assert cookies_to_set({"statusCode": 200}) == []


def test_every_word_of_the_console_is_said_in_both_languages() -> None:
    from sigap.console.words import WORDS

    english, indonesian = WORDS[Language.ENGLISH], WORDS[Language.INDONESIAN]
    assert set(english) == set(indonesian)
    assert all(indonesian[key] and indonesian[key] != english[key] for key in ("sign_in", "acknowledge", "approve"))


def test_the_vendored_htmx_is_the_copy_its_record_names() -> None:
    import hashlib
    import re
    from pathlib import Path

    import sigap.console

    folder = Path(sigap.console.__file__).parent / "static"
    recorded = re.search(r"\| htmx\.min\.js \|.*\| ([0-9a-f]{64}) \|", (folder / "VENDORED.md").read_text())
    assert recorded
    assert hashlib.sha256((folder / "htmx.min.js").read_bytes()).hexdigest() == recorded.group(1)


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_the_charts_scale_ends_on_a_round_number_at_or_above_every_value(value: float) -> None:
    from sigap.console.chart import nice_ceiling

    top = nice_ceiling(value)
    assert top >= value
    assert str(top).rstrip("0") in ("1", "2", "5")


def test_the_chart_draws_a_bar_per_hour_the_usual_where_known_and_hours_in_the_brands_time_zone() -> None:
    from zoneinfo import ZoneInfo

    from sigap.console.chart import HEIGHT, volume_chart

    hours = [
        {"hour": f"2026-12-04T{hour:02d}", "total": 10 * hour, "negative": hour, "usual_total": 5.0 if hour else None}
        for hour in range(6)
    ]
    chart = volume_chart(hours, ZoneInfo("Asia/Jakarta"))
    assert len(chart.bars) == 6
    assert chart.x_ticks[0].text == "07:00"  # 00 UTC is 07 WIB
    assert len(chart.usual_points.split()) == 5
    assert chart.bars[0].total_height == 0
    assert all(0 <= bar.total_y <= HEIGHT for bar in chart.bars)
    assert chart.bars[-1].total_y < chart.bars[1].total_y  # more mentions, a taller bar
    assert [tick.text for tick in chart.y_ticks] == ["0", "25", "50"]


def test_the_usual_for_an_hour_is_the_median_of_that_hour_on_earlier_days_leaving_out_alerted_hours() -> None:
    from datetime import UTC, datetime, timedelta

    from sigap.detection.domain.baseline import HourRecord, hour_key
    from sigap.detection.domain.volume import volume_series

    last = datetime(2026, 12, 4, 10, tzinfo=UTC)
    records = [HourRecord(hour=hour_key(last), total=90, negative=50)]
    for day, total in zip(range(1, 8), (10, 12, 8, 11, 9, 500, 10), strict=True):
        records.append(HourRecord(hour=hour_key(last - timedelta(days=day)), total=total, alerted=total == 500))
    series = volume_series(records, last, hours=2)
    assert [item.hour for item in series.items] == ["2026-12-04T09", "2026-12-04T10"]
    assert series.items[1].total == 90
    assert series.items[1].usual_total == 10.0  # median of 10, 12, 8, 11, 9, 10: the alerted 500 left out
    assert series.items[0].usual_total is None  # no history for 09:00
    assert series.items[0].total == 0


def test_a_storys_spread_counts_its_posts_per_channel_each_hour_and_the_people_who_had_posted_it_by_then() -> None:
    from zoneinfo import ZoneInfo

    from sigap.console.api.mentions import story_spread

    def post(at: str, channel: str, handle: str) -> dict[str, object]:
        return {"mention": {"id": at + handle, "created_at": at, "channel": channel, "author": {"handle": handle}}}

    posts = [
        post("2026-12-04T01:10:00+00:00", "email", "@a"),
        post("2026-12-04T01:40:00+00:00", "social", "@b"),
        post("2026-12-04T02:05:00+00:00", "social", "@a"),
        post("2026-12-04T02:15:00+00:00", "news", "@c"),
    ]
    rows = story_spread(list(reversed(posts)), ZoneInfo("Asia/Jakarta"))
    assert [row["hour"] for row in rows] == ["2026-12-04 08:00 WIB", "2026-12-04 09:00 WIB"]
    assert rows[0]["channels"] == {"email": 1, "social": 1}
    assert [(row["new"], row["people"]) for row in rows] == [(2, 2), (2, 3)]
