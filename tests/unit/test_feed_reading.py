"""Reading feeds and scheduling their reads, without the network: every feed format real sites serve becomes
mentions the same way; whatever bytes a site answers, the reader either reads a feed or says why not; a failing
feed is read less and less often, never more often than its period."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigap.kernel.kinds import SourceChannel
from sigap.sources.feed_reader import NotAFeedError, feed_mentions, item_id, read_feed
from sigap.sources.feeds import MAX_BACKOFF, FeedIn, FeedState, FeedStatus, ReadResult, after_read

NOW = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
URL = "https://news.example/feed"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Portal Berita</title><language>id-ID</language>
<item><title>Teh Segar &amp; isu racun</title><link>https://news.example/a?x=1#top</link>
<pubDate>Fri, 04 Dec 2026 13:00:00 +0700</pubDate>
<description>&lt;p&gt;BPOM: &lt;b&gt;aman&lt;/b&gt;&lt;/p&gt;&lt;script&gt;steal()&lt;/script&gt;</description></item>
<item><title>Relative link</title><link>/b</link><pubDate>Fri, 04 Dec 2026 05:00:00 GMT</pubDate></item>
</channel></rss>"""

ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>
<entry><id>tag:blog.example,2026:1</id><title type="html">Awas &lt;em&gt;hoaks&lt;/em&gt;</title>
<updated>2026-12-04T06:00:00Z</updated><author><name>Rina</name></author>
<content type="html">&lt;p&gt;Jangan percaya pesan berantai.&lt;/p&gt;</content></entry></feed>"""

RDF = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://forum.example/"><title>Forum</title></channel>
<item rdf:about="https://forum.example/t/9"><title>Thread teh segar</title><link>https://forum.example/t/9</link>
<dc:date>2026-12-04T06:30:00+07:00</dc:date></item></rdf:RDF>"""

JSON_FEED = json.dumps({
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Newsletter",
    "authors": [{"name": "Redaksi"}],
    "items": [
        {"id": "n1", "content_html": "<p>Isi <b>penting</b></p>", "title": "Edisi 1",
         "date_published": "2026-12-04T10:00:00+07:00", "url": "https://letter.example/1"},
        {"id": "n2", "content_text": "Tanpa tanggal"},
        "not an item",
    ],
}).encode()  # fmt: skip


def _mentions(body: bytes, content_type: str = "application/xml") -> list[dict[str, object]]:
    read = read_feed(body, content_type=content_type, url=URL)
    found = feed_mentions(read, source="news", channel=SourceChannel.NEWS, feed_url=URL, fetched_at=NOW,
                          not_before=NOW - timedelta(days=1))  # fmt: skip
    assert not found.problems
    return [mention.model_dump(mode="json") for mention in found.mentions]


def test_an_rss_item_is_its_title_and_plain_text_with_its_absolute_link_time_and_language() -> None:
    first, second = _mentions(RSS, "application/rss+xml")
    assert first["text"] == "Teh Segar & isu racun\n\nBPOM: aman"  # markup and scripts gone
    assert first["url"] == "https://news.example/a?x=1#top"
    assert first["created_at"] == "2026-12-04T06:00:00Z"
    assert (first["language"], first["channel"]) == ("id", "news")
    assert first["author"] == {"handle": "Portal Berita", "followers": None, "verified": False}
    assert second["url"] == "https://news.example/b"  # resolved against the feed's address


def test_atom_rdf_and_json_feed_items_are_read_the_same_way() -> None:
    (atom,) = _mentions(ATOM, "application/atom+xml")
    assert atom["text"] == "Awas hoaks\n\nJangan percaya pesan berantai."
    assert atom["author"]["handle"] == "Rina"  # type: ignore[index]
    (rdf,) = _mentions(RDF)
    assert (rdf["url"], rdf["created_at"]) == ("https://forum.example/t/9", "2026-12-03T23:30:00Z")
    dated, undated = _mentions(JSON_FEED, "application/feed+json")
    assert (dated["text"], dated["created_at"]) == ("Edisi 1\n\nIsi penting", "2026-12-04T03:00:00Z")
    assert dated["author"]["handle"] == "Redaksi"  # type: ignore[index]
    assert undated["created_at"] == "2026-12-04T07:00:00Z"  # no date: when it was read


def test_an_item_id_is_its_link_without_fragment_or_host_case_else_its_guid_within_the_feed() -> None:
    first = read_feed(RSS, content_type="application/rss+xml", url=URL).items[0]
    again = read_feed(RSS.replace(b"https://news.example/a?x=1#top", b"https://NEWS.example/a?x=1"),
                      content_type="application/rss+xml", url=URL).items[0]  # fmt: skip
    assert item_id(first) == item_id(again)
    atom = read_feed(ATOM, content_type="application/atom+xml", url=URL).items[0]
    elsewhere = read_feed(ATOM, content_type="application/atom+xml", url="https://other.example/feed").items[0]
    assert item_id(atom) != item_id(elsewhere)  # a guid is only unique within its feed


def test_items_older_than_the_backfill_window_are_counted_not_kept_and_future_dates_are_clamped() -> None:
    read = read_feed(RSS, content_type="application/rss+xml", url=URL)
    found = feed_mentions(read, source="news", channel=SourceChannel.NEWS, feed_url=URL,
                          fetched_at=datetime(2026, 12, 4, 5, 30, tzinfo=UTC),
                          not_before=datetime(2026, 12, 4, 5, 30, tzinfo=UTC))  # fmt: skip
    assert len(found.too_old) == 1  # the 05:00 item
    (kept,) = found.mentions
    assert kept.created_at == datetime(2026, 12, 4, 5, 30, tzinfo=UTC)  # published 06:00, read at 05:30


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"<!doctype html><html><head><title>x</title></head><body>Home</body></html>", "HTML page"),
        (b'{"items": []}', "JSON Feed version"),
        (b"{not json", "not JSON"),
        (b"/etc/passwd", "not RSS, Atom or JSON Feed"),
        (b"https://169.254.169.254/latest/meta-data/", "not RSS, Atom or JSON Feed"),
    ],
)
def test_an_answer_that_is_not_a_feed_says_why_and_is_never_opened_as_a_path_or_url(body: bytes, reason: str) -> None:
    with pytest.raises(NotAFeedError, match=reason):
        read_feed(body, content_type="text/plain", url=URL)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000) | st.text(max_size=500).map(str.encode))
def test_whatever_bytes_a_site_answers_the_reader_reads_a_feed_or_says_why_not(body: bytes) -> None:
    try:
        read = read_feed(body, content_type="application/xml", url=URL)
    except NotAFeedError as exc:
        assert str(exc), "a refusal names its reason"  # noqa: PT017 - either outcome is fine; a crash is not
    else:
        feed_mentions(read, source="s", channel=SourceChannel.NEWS, feed_url=URL, fetched_at=NOW, not_before=NOW)


FEED = FeedIn(url=URL, poll_minutes=10)


def test_a_failing_feed_waits_twice_as_long_after_each_failure_up_to_a_day_and_recovers_at_once() -> None:
    state = FeedState()
    waits = []
    for _ in range(10):
        state = after_read(FEED, state, ReadResult(at=NOW, status=500, succeeded=False))
        assert state.next_read_at is not None
        waits.append(state.next_read_at - NOW)
    assert waits[:4] == [timedelta(minutes=minutes) for minutes in (10, 20, 40, 80)]
    assert waits[-1] == MAX_BACKOFF
    assert state.status is FeedStatus.FAILING
    state = after_read(FEED, state, ReadResult(at=NOW, status=200, succeeded=True, etag='"v2"'))
    assert (state.status, state.failures, state.next_read_at, state.etag) == (
        FeedStatus.OK,
        0,
        NOW + timedelta(minutes=10),
        '"v2"',
    )


def test_a_304_keeps_the_validators_and_a_full_answer_without_them_drops_them() -> None:
    state = FeedState(etag='"v1"', last_modified="Fri, 04 Dec 2026 06:00:00 GMT", seen=["feed:1"])
    kept = after_read(FEED, state, ReadResult(at=NOW, status=304, succeeded=True))
    assert (kept.etag, kept.last_modified, kept.seen) == (state.etag, state.last_modified, ["feed:1"])
    dropped = after_read(FEED, state, ReadResult(at=NOW, status=200, succeeded=True))
    assert (dropped.etag, dropped.last_modified) == (None, None)


@given(
    failures=st.integers(min_value=0, max_value=60),
    poll=st.integers(min_value=5, max_value=1440),
    retry_after=st.none() | st.integers(min_value=0, max_value=10**7).map(lambda s: timedelta(seconds=s)),
)
def test_a_failed_read_is_never_retried_sooner_than_the_period_nor_later_than_a_day(
    failures: int, poll: int, retry_after: timedelta | None
) -> None:
    feed = FeedIn(url=URL, poll_minutes=poll)
    state = after_read(feed, FeedState(failures=failures),
                       ReadResult(at=NOW, status=429, succeeded=False, retry_after=retry_after))  # fmt: skip
    assert state.next_read_at is not None
    assert timedelta(minutes=poll) <= state.next_read_at - NOW <= MAX_BACKOFF


def test_an_outlets_audience_given_with_its_source_is_each_items_reach() -> None:
    read = read_feed(ATOM, content_type="application/atom+xml", url=URL)
    found = feed_mentions(read, source="news", channel=SourceChannel.NEWS, feed_url=URL, fetched_at=NOW,
                          not_before=NOW - timedelta(days=1), audience=1_200_000, verified=True)  # fmt: skip
    (mention,) = found.mentions
    assert (mention.author.handle, mention.author.followers, mention.author.verified) == ("Rina", 1_200_000, True)
