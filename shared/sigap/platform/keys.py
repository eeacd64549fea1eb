"""Every DynamoDB key in Sigap starts with the tenant id, so one tenant's data can never be read by another's
query and an agency stack can export or delete a tenant by key prefix."""

from __future__ import annotations

SEP = "#"


def tenant_pk(tenant_id: str) -> str:
    return tenant_id


def mention_pk(tenant_id: str, mention_id: str) -> str:
    return f"{tenant_id}{SEP}M{SEP}{mention_id}"


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
