"""Feed sources against the local stack: a tenant registers a blog's feed over HTTP, the stack's scheduler has it
read, its posts come back through the API as scored mentions; a new post read on demand is the only new mention;
a feed that breaks shows as failing in the source's health."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sigap_tools.client import SigapClient
from sigap_tools.local.feed_site import FeedSite, Misbehaviour
from sigap_tools.local.stack import LocalStack
from tests.e2e.conftest import create_tenant_with_cli, wait_for
from tests.integration.test_feed_sources import rss

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture
def site() -> Iterator[FeedSite]:
    with FeedSite() as running:
        yield running


def test_a_blog_feed_is_read_by_the_schedule_and_its_posts_are_scored_mentions(
    stack: LocalStack, site: FeedSite
) -> None:
    tenant, key = create_tenant_with_cli(stack, "feed-brand")
    client = SigapClient(stack.api_url, key)
    now = datetime.now(UTC).replace(microsecond=0)
    site.publish("/blog.xml", rss(
        ("Teh Segar beracun? Cek faktanya", "https://blog.example/cek-fakta", now - timedelta(minutes=20)),
        ("Resep es teh manis", "https://blog.example/resep", now - timedelta(minutes=50)),
    ))  # fmt: skip
    # When the tenant registers the blog's feed
    created = client.request("POST", f"/v1/tenants/{tenant}/sources",
                             body={"name": "blogs", "kind": "feed", "channel": "blog",
                                   "feed": {"url": site.url("/blog.xml"), "poll_minutes": 5}})  # fmt: skip
    assert created.status == 201, created.body
    since = (now - timedelta(hours=2)).isoformat()

    def scored(count: int) -> list[dict[str, Any]] | None:
        page = client.request("GET", f"/v1/tenants/{tenant}/mentions", query={"since": since, "source": "blogs"})
        items = page.body.get("items", []) if page.status == 200 else []
        return items if len(items) >= count else None

    # Then the stack's scheduler has it read, and both posts are scored mentions of the blog channel
    items = wait_for(lambda: scored(2), timeout=120)
    assert {item["mention"]["url"] for item in items} == {
        "https://blog.example/cek-fakta",
        "https://blog.example/resep",
    }
    assert {item["mention"]["channel"] for item in items} == {"blog"}
    source = client.request("GET", f"/v1/tenants/{tenant}/sources/blogs").body
    assert (source["feed"]["status"], source["health"]["accepted"]) == ("ok", 2)
    # When a post is added and the feed is read on demand: it alone is new
    site.publish("/blog.xml", rss(
        ("Klarifikasi resmi Teh Segar", "https://blog.example/klarifikasi", now),
        ("Teh Segar beracun? Cek faktanya", "https://blog.example/cek-fakta", now - timedelta(minutes=20)),
        ("Resep es teh manis", "https://blog.example/resep", now - timedelta(minutes=50)),
    ))  # fmt: skip
    assert client.request("POST", f"/v1/tenants/{tenant}/sources/blogs/read").status == 202
    items = wait_for(lambda: scored(3), timeout=120)
    assert len(items) == 3
    health = client.request("GET", f"/v1/tenants/{tenant}/sources/blogs").body["health"]
    assert (health["accepted"], health["duplicates"]) == (3, 0)
    # When the blog breaks: the source is failing, with the reason
    site.misbehave("/blog.xml", Misbehaviour(status=500))
    assert client.request("POST", f"/v1/tenants/{tenant}/sources/blogs/read").status == 202

    def failing() -> dict[str, Any] | None:
        read = client.request("GET", f"/v1/tenants/{tenant}/sources/blogs").body
        return read if read["feed"]["status"] == "failing" else None

    broken = wait_for(failing, timeout=60)
    assert "500 Internal Server Error" in broken["health"]["last_error"]["reason"]
