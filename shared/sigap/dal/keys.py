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


def mention_day_bucket(tenant_id: str, created_at: datetime) -> str:
    # Listing index partition: one per tenant per UTC day, so "newest first" is a few bounded queries.
    return f"{tenant_id}{SEP}D{SEP}{created_at:%Y-%m-%d}"


def mention_time_sort_key(created_at: datetime, mention_id: str) -> str:
    return f"{created_at:%Y-%m-%dT%H:%M:%S.%f}{SEP}{mention_id}"


def aggregate_pk(tenant_id: str, shard: int) -> str:
    return f"{tenant_id}{SEP}A{SEP}{shard:02d}"


def minute_key(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M}"


def stable_hash(value: str, length: int = 16) -> str:
    return hashlib.blake2b(value.encode("utf-8"), digest_size=16).hexdigest()[:length]


def shard_for(value: str, shards: int) -> int:
    return int(stable_hash(value, 8), 16) % shards


def story_band_pk(tenant_id: str, band_key: str) -> str:
    return f"{tenant_id}{SEP}B{SEP}{band_key}"
