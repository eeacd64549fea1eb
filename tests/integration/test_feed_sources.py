"""Feed sources under moto, reading feeds a local site publishes: a tenant registers a feed, the scheduler queues
its read when due, the feed function reads it (conditionally, safely) and ingests each item once; a broken feed
shows as failing in the source's health and is read less often, never hammered."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from sigap.sources.feed_fetch import FeedFetcher, FeedFetchError
from sigap_tools.local.feed_site import FeedSite, Misbehaviour
from tests.conftest import http_event, load_handler, sqs_event
from tests.integration.conftest import AwsStack

SOURCES = "/v1/tenants/{tenant}/sources"
SOURCE = "/v1/tenants/{tenant}/sources/{source}"
READ_NOW = "/v1/tenants/{tenant}/sources/{source}/read"
ROTATE = "/v1/tenants/{tenant}/sources/{source}/rotate"
HOOK = "/v1/hooks/{tenant}/{source}"


class LongContext:
    """A Lambda context with a minute left: the scheduler stops claiming when little time remains."""

    function_name = "test-function"
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id = "request-1"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def rss(*items: tuple[str, str, datetime], title: str = "Blog Ibu Sehat") -> str:
    entries = "".join(
        f"<item><title>{headline}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{format_datetime(published)}</pubDate><description>&lt;p&gt;Isi lengkap: {headline}&lt;/p&gt;"
        "</description></item>"
        for headline, link, published in items
    )
    channel = f"<channel><title>{title}</title><language>id</language>{entries}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'


@pytest.fixture
def site() -> Any:
    with FeedSite() as running:
        yield running


@pytest.fixture
def tenant(aws: AwsStack) -> tuple[str, str]:
    created, key = aws.new_tenant("teh-segar")
    aws.monkeypatch.setenv("SIGAP_LOCAL_ALLOW_LOOPBACK", "true")  # the local site is on 127.0.0.1
    return created.tenant_id, key


def _api(aws: AwsStack, context: Any, tenant: tuple[str, str], method: str, route: str, body: Any = None,
         function: str = "SourcesFunction", **ids: str) -> tuple[int, Any]:  # fmt: skip
    path = route.replace("{tenant}", tenant[0])
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    aws.use_function_environment(function)
    aws.monkeypatch.setenv("SIGAP_LOCAL_ALLOW_LOOPBACK", "true")
    handler = load_handler("sources" if function == "SourcesFunction" else "hooks")
    event = http_event(method, path, route_path=route, body=body, headers={"authorization": f"Bearer {tenant[1]}"})
    result = handler.lambda_handler(event, context)
    return result["statusCode"], json.loads(result["body"]) if result["body"] else None


def _register_feed(aws: AwsStack, context: Any, tenant: tuple[str, str], name: str, url: str,
                   **feed: Any) -> tuple[int, Any]:  # fmt: skip
    """Registers a feed source of `url` (with any other feed settings) through the sources API."""
    body = {"name": name, "kind": "feed", "feed": {"url": url, **feed}}
    return _api(aws, context, tenant, "POST", SOURCES, body)


def _schedule(aws: AwsStack) -> dict[str, Any]:
    aws.use_function_environment("FeedSchedulerFunction")
    outcome: dict[str, Any] = load_handler("feed_scheduler").lambda_handler(
        {"time": datetime.now(UTC).isoformat()}, LongContext()
    )
    return outcome


def _read_queued(aws: AwsStack, context: Any) -> list[dict[str, Any]]:
    """Runs the feed function on every queued read; the mentions it queued for scoring."""
    bodies = aws.queued_bodies("FeedQueue")
    aws.use_function_environment("FeedFunction")
    aws.monkeypatch.setenv("SIGAP_LOCAL_ALLOW_LOOPBACK", "true")
    if bodies:
        assert load_handler("feeds").lambda_handler(sqs_event(bodies), context) == {"batchItemFailures": []}
    return [json.loads(body) for body in aws.queued_bodies()]


def _score(aws: AwsStack, context: Any, mentions: list[dict[str, Any]]) -> None:
    aws.use_function_environment("ScoringFunction")
    bodies = [json.dumps(mention) for mention in mentions]
    assert load_handler("scoring").lambda_handler(sqs_event(bodies), context) == {"batchItemFailures": []}


def _source(aws: AwsStack, context: Any, tenant: tuple[str, str], name: str) -> dict[str, Any]:
    status, body = _api(aws, context, tenant, "GET", SOURCE, source=name)
    assert status == 200, body
    return dict(body)


def _read_now(aws: AwsStack, context: Any, tenant: tuple[str, str], name: str) -> list[dict[str, Any]]:
    status, body = _api(aws, context, tenant, "POST", READ_NOW, source=name)
    assert status == 202, body
    return _read_queued(aws, context)


NOW = datetime.now(UTC).replace(microsecond=0)


def test_a_feed_is_read_when_due_and_each_item_becomes_one_mention_of_its_channel(
    aws: AwsStack, tenant: tuple[str, str], site: FeedSite, lambda_context: Any
) -> None:
    # Given a blog whose feed holds two fresh posts and one from last year
    site.publish("/blog/feed.xml", rss(
        ("Teh Segar beracun? Hoaks!", "https://blog.example/teh-segar-hoaks", NOW - timedelta(hours=1)),
        ("Resep es teh", "https://blog.example/resep", NOW - timedelta(hours=3)),
        ("Tahun lalu", "https://blog.example/lama", NOW - timedelta(days=400)),
    ))  # fmt: skip
    # When the tenant registers it as a feed source
    status, created = _register_feed(aws, lambda_context, tenant, "blogs", site.url("/blog/feed.xml"))  # fmt: skip
    assert status == 201, created
    assert (created["secret"], created["url"], created["verification"], created["channel"]) == (
        None,
        None,
        None,
        "news",
    )
    assert created["feed"]["status"] == "pending"
    assert created["feed"]["poll_minutes"] == 15
    # And the scheduler runs
    assert _schedule(aws)["queued"] == 1
    queued = _read_queued(aws, lambda_context)
    # Then the two fresh posts are queued for scoring, the old one counted as filtered
    assert sorted(mention["url"] for mention in queued) == [
        "https://blog.example/resep",
        "https://blog.example/teh-segar-hoaks",
    ]
    first = next(mention for mention in queued if "hoaks" in mention["url"])
    assert first["id"].startswith("feed:")
    assert (first["source"], first["channel"], first["language"]) == ("blogs", "news", "id")
    assert first["text"] == "Teh Segar beracun? Hoaks!\n\nIsi lengkap: Teh Segar beracun? Hoaks!"
    assert first["author"]["handle"] == "Blog Ibu Sehat"
    assert first["created_at"] == (NOW - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    source = _source(aws, lambda_context, tenant, "blogs")
    assert source["health"]["accepted"] == 2
    assert source["health"]["filtered"] == 1
    assert source["health"]["last_error"] is None
    assert source["feed"]["status"] == "ok"
    assert source["feed"]["last_status"] == 200
    next_read = datetime.fromisoformat(source["feed"]["next_read_at"])
    assert timedelta(minutes=14) < next_read - datetime.now(UTC) <= timedelta(minutes=15)
    # And a scheduler run before then queues nothing
    assert _schedule(aws)["queued"] == 0


def test_an_unchanged_feed_is_a_304_and_a_new_item_is_the_only_mention_of_the_next_read(
    aws: AwsStack, tenant: tuple[str, str], site: FeedSite, lambda_context: Any
) -> None:
    posts = [("Pertama", "https://news.example/1", NOW - timedelta(minutes=30))]
    site.publish("/news.xml", rss(*posts))
    _register_feed(aws, lambda_context, tenant, "news", site.url("/news.xml"))
    assert len(_read_now(aws, lambda_context, tenant, "news")) == 1
    # When the feed is read again unchanged: a conditional GET answered 304, nothing queued
    assert _read_now(aws, lambda_context, tenant, "news") == []
    conditional = site.requests("/news.xml")[-1]
    assert conditional.status == 304
    assert conditional.headers.get("If-None-Match", "").startswith('"')
    # When a post is added: only it is queued, and nothing is counted as a duplicate
    site.publish("/news.xml", rss(("Kedua", "https://news.example/2", NOW), *posts))
    (fresh,) = _read_now(aws, lambda_context, tenant, "news")
    assert fresh["url"] == "https://news.example/2"
    health = _source(aws, lambda_context, tenant, "news")["health"]
    assert (health["accepted"], health["duplicates"]) == (2, 0)


def test_one_article_reached_through_two_feeds_is_one_mention(
    aws: AwsStack, tenant: tuple[str, str], site: FeedSite, lambda_context: Any
) -> None:
    article = ("Teh Segar klarifikasi", "https://portal.example/berita/123", NOW - timedelta(minutes=5))
    site.publish("/portal.xml", rss(article, title="Portal"))
    site.publish("/search.json", json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Search: teh segar",
        "items": [{"id": "x1", "url": "https://PORTAL.example/berita/123#comments", "title": article[0],
                   "content_text": "Klarifikasi resmi", "date_published": article[2].isoformat()}],
    }), "application/feed+json")  # fmt: skip
    for name, path in (("portal", "/portal.xml"), ("search", "/search.json")):
        _register_feed(aws, lambda_context, tenant, name, site.url(path))
    first = _read_now(aws, lambda_context, tenant, "portal")
    assert len(first) == 1
    _score(aws, lambda_context, first)
    assert _read_now(aws, lambda_context, tenant, "search") == []
    assert _source(aws, lambda_context, tenant, "search")["health"]["duplicates"] == 1


def test_a_feed_answering_503_is_failing_with_its_reason_and_read_again_only_after_its_retry_after(
    aws: AwsStack, tenant: tuple[str, str], site: FeedSite, lambda_context: Any
) -> None:
    site.misbehave("/down.xml", Misbehaviour(status=503, retry_after="7200"))
    _register_feed(aws, lambda_context, tenant, "down", site.url("/down.xml"), poll_minutes=5)
    assert _read_now(aws, lambda_context, tenant, "down") == []
    source = _source(aws, lambda_context, tenant, "down")
    assert source["feed"]["status"] == "failing"
    assert source["feed"]["failures"] == 1
    assert "503 Service Unavailable" in source["health"]["last_error"]["reason"]
    wait = datetime.fromisoformat(source["feed"]["next_read_at"]) - datetime.now(UTC)
    assert timedelta(hours=1, minutes=59) < wait <= timedelta(hours=2)
    # When it recovers and is read: ok again, failures back to zero
    site.misbehave("/down.xml", None)
    site.publish("/down.xml", rss(("Kembali", "https://down.example/1", NOW)))
    assert len(_read_now(aws, lambda_context, tenant, "down")) == 1
    recovered = _source(aws, lambda_context, tenant, "down")["feed"]
    assert (recovered["status"], recovered["failures"]) == ("ok", 0)


@pytest.mark.parametrize(
    ("publish", "misbehaviour", "reason"),
    [
        (("<html><body>Welcome</body></html>", "text/html"), None, "HTML page, not a feed"),
        (None, None, "404 Not Found: check the feed's address"),
        (None, Misbehaviour(redirect_to="https://10.0.0.7/feed.xml"), "not a public internet address"),
        (None, Misbehaviour(redirect_to="http://169.254.169.254/latest/meta-data/"), "must use https"),
        (None, Misbehaviour(endless=True), "larger than 5242880 bytes"),
    ],
    ids=["html-page", "missing", "redirect-to-private", "redirect-to-metadata", "endless-body"],
)
def test_a_feed_that_cannot_be_read_is_a_failed_read_naming_why_never_a_failed_message(
    aws: AwsStack, tenant: tuple[str, str], site: FeedSite, lambda_context: Any,
    publish: tuple[str, str] | None, misbehaviour: Misbehaviour | None, reason: str,
) -> None:  # fmt: skip
    if publish:
        site.publish("/f", publish[0], publish[1])
    site.misbehave("/f", misbehaviour)
    _register_feed(aws, lambda_context, tenant, "f", site.url("/f"))
    assert _read_now(aws, lambda_context, tenant, "f") == []
    source = _source(aws, lambda_context, tenant, "f")
    assert source["feed"]["status"] == "failing"
    assert reason in source["health"]["last_error"]["reason"]


def test_a_feed_source_keeps_only_items_matching_its_brand_query(
    aws: AwsStack, tenant: tuple[str, str], site: FeedSite, lambda_context: Any
) -> None:
    site.publish("/all.xml", rss(
        ("Teh Segar ditarik dari pasar?", "https://n.example/a", NOW),
        ("Harga cabai naik", "https://n.example/b", NOW),
    ))  # fmt: skip
    body = {"name": "all", "kind": "feed", "query": '"teh segar"', "feed": {"url": site.url("/all.xml")}}
    assert _api(aws, lambda_context, tenant, "POST", SOURCES, body)[0] == 201
    (kept,) = _read_now(aws, lambda_context, tenant, "all")
    assert kept["url"] == "https://n.example/a"
    assert _source(aws, lambda_context, tenant, "all")["health"]["filtered"] == 1


def test_a_read_asked_for_now_takes_the_scheduled_read_so_the_feed_is_not_read_twice(
    aws: AwsStack, tenant: tuple[str, str], site: FeedSite, lambda_context: Any
) -> None:
    site.publish("/now.xml", rss(("Satu", "https://now.example/1", NOW)))
    _register_feed(aws, lambda_context, tenant, "now", site.url("/now.xml"))
    assert _api(aws, lambda_context, tenant, "POST", READ_NOW, source="now")[0] == 202
    assert _schedule(aws)["queued"] == 0
    assert len(_read_queued(aws, lambda_context)) == 1
    assert len(site.requests("/now.xml")) == 1


def test_two_scheduler_runs_at_once_queue_each_due_read_once(
    aws: AwsStack, tenant: tuple[str, str], site: FeedSite, lambda_context: Any
) -> None:
    for index in range(12):
        _register_feed(aws, lambda_context, tenant, f"feed-{index}", site.url(f"/{index}.xml"))
    assert _schedule(aws)["queued"] == 12
    assert _schedule(aws) == {"queued": 0, "taken_elsewhere": 0, "stopped_early": False}
    assert len(aws.queued_bodies("FeedQueue")) == 12


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"name": "x", "kind": "feed"}, "a feed source needs its feed"),
        (
            {"name": "x", "kind": "feed", "preset": "meltwater", "feed": {"url": "https://a.example/f"}},
            "takes no preset",
        ),
        ({"name": "x", "feed": {"url": "https://a.example/f"}}, "only a feed source (kind feed) reads a feed"),
        ({"name": "x", "kind": "feed", "feed": {"url": "ftp://a.example/f"}}, "https://"),
        ({"name": "x", "kind": "feed", "feed": {"url": "http://news.example/f"}}, "must use https"),
        ({"name": "x", "kind": "feed", "feed": {"url": "https://a.example/f", "poll_minutes": 1}}, "poll_minutes"),
    ],
    ids=["no-feed", "webhook-field", "webhook-with-feed", "ftp", "plain-http", "too-often"],
)
def test_a_feed_source_that_cannot_work_is_a_422_naming_the_problem(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any, body: dict[str, Any], problem: str
) -> None:
    status, answer = _api(aws, lambda_context, tenant, "POST", SOURCES, body)
    assert status == 422, answer
    assert problem in json.dumps(answer)


def test_a_feed_source_takes_no_webhook_rotation_or_import_and_a_webhook_is_not_read(
    aws: AwsStack, tenant: tuple[str, str], lambda_context: Any
) -> None:
    _register_feed(aws, lambda_context, tenant, "feed", "https://a.example/f")
    _api(aws, lambda_context, tenant, "POST", SOURCES, {"name": "hook"})
    assert _api(aws, lambda_context, tenant, "POST", ROTATE, source="feed")[0] == 409
    assert _api(aws, lambda_context, tenant, "POST", READ_NOW, source="hook")[0] == 409
    imported = _api(
        aws, lambda_context, tenant, "POST", "/v1/tenants/{tenant}/imports", {"source": "feed", "format": "csv"}
    )
    assert imported[0] == 422
    status, answer = _api(
        aws, lambda_context, tenant, "POST", HOOK, {"id": "1"}, function="HooksFunction", source="feed"
    )
    assert status == 404, answer
    assert "no webhook source named 'feed'" in answer["error"]["message"]


def test_a_removed_feed_source_is_no_longer_scheduled_and_its_queued_read_is_dropped(
    aws: AwsStack, tenant: tuple[str, str], site: FeedSite, lambda_context: Any
) -> None:
    site.publish("/gone.xml", rss(("Satu", "https://g.example/1", NOW)))
    _register_feed(aws, lambda_context, tenant, "gone", site.url("/gone.xml"))
    assert _schedule(aws)["queued"] == 1
    assert _api(aws, lambda_context, tenant, "DELETE", SOURCE, source="gone")[0] == 200
    assert _read_queued(aws, lambda_context) == []
    assert site.requests("/gone.xml") == []


def test_a_site_dripping_its_feed_a_byte_at_a_time_is_given_up_on_at_the_reads_deadline(site: FeedSite) -> None:
    # The read timeout is per byte: without a deadline for the whole answer this read would never end.
    site.misbehave("/slow.xml", Misbehaviour(drip_seconds=0.02))
    with pytest.raises(FeedFetchError, match="took longer than"):
        FeedFetcher(allow_loopback=True, total_seconds=1.0).get(site.url("/slow.xml"))


def test_a_feed_on_a_private_or_metadata_address_is_refused_before_any_connection() -> None:
    for url in ("https://169.254.169.254/latest/meta-data/", "https://10.1.2.3/feed", "https://[::1]/feed",
                "https://[64:ff9b::a9fe:a9fe]/feed", "https://[2002:a9fe:a9fe::]/feed"):  # fmt: skip
        with pytest.raises(FeedFetchError, match="not a public internet address"):
            FeedFetcher().get(url)


def test_two_tenants_following_one_feed_each_get_its_items_once_and_their_own_health(
    aws: AwsStack, tenant: tuple[str, str], site: FeedSite, lambda_context: Any
) -> None:
    other = aws.new_tenant("kopi-senja")
    site.publish("/shared.xml", rss(("Berita bersama", "https://shared.example/1", NOW)))
    for who in (tenant, (other[0].tenant_id, other[1])):
        assert _register_feed(aws, lambda_context, who, "shared", site.url("/shared.xml"))[0] == 201
    assert _schedule(aws)["queued"] == 2
    queued = _read_queued(aws, lambda_context)
    assert sorted(mention["tenant_id"] for mention in queued) == ["kopi-senja", "teh-segar"]
    assert len({mention["id"] for mention in queued}) == 1  # the same item id, kept apart by tenant
    for who in (tenant, (other[0].tenant_id, other[1])):
        assert _source(aws, lambda_context, who, "shared")["health"]["accepted"] == 1


def test_a_suspended_clients_feeds_are_not_read_until_it_is_resumed(
    aws: AwsStack, tenant: tuple[str, str], site: FeedSite, lambda_context: Any
) -> None:
    from sigap.kernel.models import TenantStatus
    from sigap.tenants.store import TenantStore

    site.publish("/paused.xml", rss(("Satu", "https://p.example/1", NOW)))
    _register_feed(aws, lambda_context, tenant, "paused", site.url("/paused.xml"))
    tenants = TenantStore(aws.table("TenantsTable"))
    tenants.update(tenant[0], status=TenantStatus.SUSPENDED)
    assert _schedule(aws)["queued"] == 1
    assert _read_queued(aws, lambda_context) == []
    assert site.requests("/paused.xml") == []  # nothing fetched for a suspended client
