"""Page cursors are signed for one tenant and one listing: anything else is InvalidCursorError, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigap.kernel.errors import InvalidCursorError
from sigap.kernel.models import Tenant
from sigap.kernel.paging import read_parts, sign_parts

CREATED = datetime(2026, 12, 4, tzinfo=UTC)
BRAND_A = Tenant(tenant_id="brand-a", display_name="A", api_key_hash="a" * 64, created_at=CREATED)
BRAND_B = Tenant(tenant_id="brand-b", display_name="B", api_key_hash="b" * 64, created_at=CREATED)


@given(st.lists(st.text(max_size=40), min_size=1, max_size=4))
def test_a_cursor_gives_back_the_parts_it_was_made_with(parts: list[str]) -> None:
    assert read_parts(BRAND_A, "alerts", sign_parts(BRAND_A, "alerts", parts), len(parts)) == parts


def test_a_cursor_of_another_tenant_another_listing_or_another_shape_is_refused() -> None:
    cursor = sign_parts(BRAND_A, "alerts", ["20261204T0000-x"])
    with pytest.raises(InvalidCursorError):
        read_parts(BRAND_B, "alerts", cursor, 1)  # issued to another tenant
    with pytest.raises(InvalidCursorError):
        read_parts(BRAND_A, "incidents", cursor, 1)  # issued for another listing
    with pytest.raises(InvalidCursorError):
        read_parts(BRAND_A, "alerts", cursor, 3)  # not the shape this listing reads


@given(st.text(max_size=300))
def test_any_made_up_text_is_an_invalid_cursor(text: str) -> None:
    with pytest.raises(InvalidCursorError):
        read_parts(BRAND_A, "alerts", text, 1)
