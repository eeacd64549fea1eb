"""Every DynamoDB key in Sigap starts with the tenant id, so one tenant's data can never be read by another's
query and an agency stack can export or delete a tenant by key prefix."""

from __future__ import annotations

import hashlib
from datetime import datetime

SEP = "#"


def tenant_pk(tenant_id: str) -> str:
    return tenant_id


def mention_pk(tenant_id: str, mention_id: str) -> str:
    return f"{tenant_id}{SEP}M{SEP}{mention_id}"


# A tenant's listing of one UTC day is spread over this many index partitions by the mention id's hash: one
# partition takes 1,000 writes a second, and a viral tenant's day must take more. "Newest first" merges them.
LISTING_SHARDS = 4


def listing_shard(mention_id: str) -> int:
    return int(hashlib.blake2b(mention_id.encode("utf-8"), digest_size=4).hexdigest(), 16) % LISTING_SHARDS


def listing_bucket(tenant_id: str, day: datetime, shard: int) -> str:
    # Listing index partition: per tenant, UTC day and shard, so "newest first" is a few bounded queries.
    return f"{tenant_id}{SEP}D{SEP}{day:%Y-%m-%d}{SEP}{shard}"


def mention_time_sort_key(created_at: datetime, mention_id: str) -> str:
    return f"{created_at:%Y-%m-%dT%H:%M:%S.%f}{SEP}{mention_id}"


def aggregate_pk(tenant_id: str, shard: int) -> str:
    return f"{tenant_id}{SEP}A{SEP}{shard:02d}"


def aggregate_late_pk(tenant_id: str) -> str:
    # Markers of partial aggregates that came after their minute may have been rolled up.
    return f"{tenant_id}{SEP}AL"


def aggregate_rollup_pk(tenant_id: str, span: str) -> str:
    # Roll-ups of settled partial aggregates: span 'M' (a minute per item) or 'H' (an hour per item).
    return f"{tenant_id}{SEP}A{span}"


def aggregate_cursor_pk(tenant_id: str) -> str:
    # How far the roll-ups reach: minutes and hours up to it are read from roll-ups, later ones from partials.
    return f"{tenant_id}{SEP}AR"


def story_band_pk(tenant_id: str, band_key: str) -> str:
    return f"{tenant_id}{SEP}B{SEP}{band_key}"
