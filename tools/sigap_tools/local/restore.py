"""A local stack's restart from its snapshot (`.sigap/state/`): every table, queue, parameter, secret and object
put back, then what the snapshot cannot say put right: the mentions a killed stack had on its queue queued
again from their claims, and tenants saved by a Sigap from before detection listed in the detector's directory."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sigap_tools.local.provision import Provisioned
from sigap_tools.local.snapshot import SnapshotCounts, import_state, saved_manifest

log = logging.getLogger("sigap_tools.local")


@dataclass(frozen=True)
class Restored:
    counts: SnapshotCounts
    requeued: int  # accepted, unscored mentions queued again after an unclean stop


def restore(provisioned: Provisioned, snapshot: Path, *, dynamodb: Any, sqs: Any, ssm: Any, secrets: Any,
            s3: Any) -> Restored | None:  # fmt: skip
    """The snapshot put back into the freshly provisioned stack; None if there is no snapshot."""
    manifest = saved_manifest(snapshot)
    if manifest is None:
        return None
    counts = import_state(provisioned, dynamodb, sqs, snapshot, ssm=ssm, secrets=secrets, s3=s3)
    log.info("restored %d items and %d messages from %s", counts.items, counts.messages, snapshot)
    requeued = 0 if manifest.get("complete", True) else _requeue_unscored_claims(provisioned, dynamodb, sqs)
    _list_older_tenants(provisioned, dynamodb)
    return Restored(counts, requeued)


def _list_older_tenants(provisioned: Provisioned, dynamodb: Any) -> None:
    """Tenants saved by a Sigap from before detection are put in the tenant directory the detector walks
    (a local-stack migration: a Scan, which no deployed function is allowed)."""
    from sigap.tenants.store import DIRECTORY

    table = provisioned.tables["TenantsTable"]
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="sk = :sk AND attribute_not_exists(directory)",
        ExpressionAttributeValues={":sk": {"S": "TENANT"}},
    )
    for item in (item for page in pages for item in page.get("Items", [])):
        dynamodb.update_item(
            TableName=table,
            Key={"pk": item["pk"], "sk": item["sk"]},
            UpdateExpression="SET directory = :directory",
            ExpressionAttributeValues={":directory": {"S": DIRECTORY}},
        )
        log.info("listed tenant %s in the detection directory", item["pk"]["S"])


def _requeue_unscored_claims(provisioned: Provisioned, dynamodb: Any, sqs: Any) -> int:
    """After a snapshot taken while running (the stack was killed), the mentions that were on the queue are lost
    with it, but each left its claim: queue every unscored claim again (scoring is idempotent)."""
    from sigap.ingest.queue import ScoringQueue
    from sigap.mentions.claim_store import ClaimStore

    claims = list(ClaimStore(provisioned.tables["MentionsTable"], client=dynamodb).unscored_claims())
    ScoringQueue(provisioned.queues["ScoringQueue"]["url"], client=sqs).send(claims)
    log.info("queued %d accepted, unscored mentions again after an unclean stop", len(claims))
    return len(claims)
