"""Mentions table: one item per (tenant, mention id); listed newest first from the partial aggregates that count
them (`sigap.mentions.listing`).

An item is first a *claim* (`sigap.mentions.claim_store`: the mention as ingestion received it, not yet listed),
written once by ingestion with a condition on the key, so the first copy of an id wins. Scoring then replaces the claim
with the scored mention (`state = scored`) by a put conditional on the item being
absent or still a claim, and counts it in a partial aggregate of the run's (see `sigap.mentions.scored_writes`),
so a retried or duplicated SQS batch can neither store a mention twice nor count it twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.kernel.aggregates import StoreResult, bucket_time, minute_key
from sigap.kernel.models import Mention, ScoredMention
from sigap.mentions.aggregate_store import ACTIVITY_KEY
from sigap.mentions.claim_store import SCORED, ClaimStore, packed, received_document, unpacked
from sigap.mentions.claiming import MentionState
from sigap.mentions.domain import MentionRead
from sigap.mentions.scored_writes import MentionKey, ScoredWrites
from sigap.platform.attributes import attribute
from sigap.platform.aws_errors import conditional_write, storage_error
from sigap.platform.keys import (
    aggregate_cursor_pk,
    mention_pk,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


def stored_document(item: dict[str, Any]) -> str | None:
    """The scored mention's JSON in a stored item; None for a claim."""
    return unpacked(item, "doc")


class MentionStore(ClaimStore):
    """The claims (`ClaimStore`), and the scoring and reading side: scored mentions and their partial aggregates."""

    def __init__(
        self,
        table_name: str,
        aggregates_table: str | None = None,
        client: DynamoDBClient | None = None,
        *,
        aggregate_shards: int = 8,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(table_name, client)
        self._aggregates_table = aggregates_table
        self._shards = aggregate_shards
        self._clock = clock
        self._marked: dict[str, str] = {}  # tenant -> the wall-clock minute this process last marked it active

    # -- writing -------------------------------------------------------------------------------------------

    def store_scored(self, entries: Sequence[tuple[ScoredMention, int]]) -> dict[MentionKey, StoreResult]:
        """Stores a scoring batch: each mention once, each counted once in a partial aggregate (see
        `sigap.mentions.scored_writes`). Per mention: True if stored now, False if stored before, `CountLater`,
        or the error."""
        if self._aggregates_table is None:
            raise ValueError("MentionStore needs the aggregates table to store scored mentions")
        self._mark_active({(scored.mention.tenant_id, minute_key(bucket_time(scored))) for scored, _ in entries})
        writes = ScoredWrites(
            self._client,
            self._table,
            self._aggregates_table,
            self._shards,
            self._clock,
            item_for=self._to_item,
            document_of=stored_document,
        )
        return writes.store(entries)

    def _mark_active(self, minutes: Iterable[tuple[str, str]]) -> None:
        """Before a tenant's partials are written: the wall-clock minute they are written in (or their own minute,
        if later), once a minute per process and only ever forwards. The roll-up skips a tenant with nothing
        written since it last looked, and a reader skips partials when every one written is rolled up."""
        now = minute_key(self._clock())
        latest: dict[str, str] = {}
        for tenant_id, minute in minutes:  # (tenant, the minute a mention counts in)
            latest[tenant_id] = max(latest.get(tenant_id, now), minute)
        for tenant_id, minute in sorted(latest.items()):
            if self._marked.get(tenant_id, "") >= minute:
                continue
            mark: dict[str, Any] = {
                "TableName": str(self._aggregates_table),
                "Key": {"pk": attribute(aggregate_cursor_pk(tenant_id)), "sk": attribute(ACTIVITY_KEY)},
                "UpdateExpression": "SET written = :minute",
                "ConditionExpression": "attribute_not_exists(written) OR written < :minute",
                "ExpressionAttributeValues": {":minute": attribute(minute)},
            }
            conditional_write("UpdateItem on aggregates (activity mark)", partial(self._client.update_item, **mark))
            self._marked[tenant_id] = minute

    @staticmethod
    def _to_item(scored: ScoredMention, expires_at: int) -> dict[str, AttributeValueTypeDef]:
        mention, score = scored.mention, scored.score
        return {
            "pk": attribute(mention_pk(mention.tenant_id, mention.id)),
            "tenant_id": attribute(mention.tenant_id),
            "mention_id": attribute(mention.id),
            "state": attribute(SCORED),
            "sentiment": attribute(score.sentiment.value),
            "risk": attribute(score.risk),
            # What a listing may filter on, beside the document (a filter cannot read inside its JSON).
            "source": attribute(mention.source),
            "channel": attribute(mention.channel.value),
            "lang": attribute(score.lang),
            **({"story_id": attribute(score.story_id)} if score.story_id else {}),
            **({"signals": {"SS": sorted({signal.category for signal in score.signals})}} if score.signals else {}),
            "doc_z": packed(scored.model_dump_json()),
            "expires_at": attribute(expires_at),
        }

    # -- reading -------------------------------------------------------------------------------------------

    def _item(self, tenant_id: str, mention_id: str) -> dict[str, Any] | None:
        """The mention's item as stored: a claim (`received`) or a scored mention (`doc`)."""
        try:
            item: dict[str, Any] | None = self._client.get_item(
                TableName=self._table, Key={"pk": attribute(mention_pk(tenant_id, mention_id))}, ConsistentRead=True
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("GetItem on mentions", exc) from exc
        return item

    def get(self, tenant_id: str, mention_id: str) -> ScoredMention | None:
        """The scored mention, or None while it is only claimed (accepted, not scored yet) or unknown."""
        item = self._item(tenant_id, mention_id)
        document = stored_document(item) if item else None
        return ScoredMention.model_validate_json(document) if document else None

    def lookup(self, tenant_id: str, mention_id: str) -> MentionRead | None:
        """The mention scored, or as received while it waits to be scored; None if the tenant has no such id."""
        item = self._item(tenant_id, mention_id)
        document = stored_document(item) if item else None
        if document:
            scored = ScoredMention.model_validate_json(document)
            return MentionRead(
                state=MentionState.SCORED, mention=scored.mention, score=scored.score, scored_at=scored.scored_at
            )
        received = received_document(item) if item else None
        if received:
            return MentionRead(state=MentionState.ACCEPTED, mention=Mention.model_validate_json(received))
        return None
