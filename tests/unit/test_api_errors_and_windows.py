"""How validation problems are named for clients, and how query windows are bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sigap.kernel.errors import InvalidWindowError
from sigap.kernel.windows import resolve_window
from sigap.platform.http.errors import field_path


@pytest.mark.parametrize(
    ("location", "path"),
    [
        (("body", "batch", "mentions", 3, "text"), "mentions[3].text"),
        (("body", "single", "author", "followers"), "author.followers"),
        (("query", "limit"), "limit"),
        (("body",), "body"),
    ],
)
def test_field_paths_read_like_the_clients_json(location: tuple[object, ...], path: str) -> None:
    assert field_path(location) == path


NOW = datetime(2026, 11, 22, tzinfo=UTC)


def test_a_window_defaults_to_the_period_before_now() -> None:
    assert resolve_window(None, None, default=timedelta(hours=24), now=NOW) == (NOW - timedelta(hours=24), NOW)


def test_a_backwards_or_huge_window_is_refused() -> None:
    with pytest.raises(InvalidWindowError, match="before"):
        resolve_window(NOW, NOW - timedelta(hours=1), default=timedelta(hours=1), now=NOW)
    with pytest.raises(InvalidWindowError, match="at most"):
        resolve_window(NOW - timedelta(days=400), NOW, default=timedelta(hours=1), now=NOW)
