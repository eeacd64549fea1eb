"""Independent AWS calls made side by side (claims of many items, one conditional write each), so a run's calls do
not add their latencies. One pool per width per sandbox, kept between invocations like the AWS clients (boto3's
clients are thread-safe)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache


@lru_cache(maxsize=4)
def _pool(width: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=width, thread_name_prefix=f"side-by-side-{width}")


def side_by_side[T, R](function: Callable[[T], R], items: Iterable[T], width: int) -> list[R]:
    """`function` of each item, in the items' order, at most `width` at a time; the first error is raised."""
    work = list(items)
    if len(work) <= 1:
        return [function(item) for item in work]
    return list(_pool(width).map(function, work))
