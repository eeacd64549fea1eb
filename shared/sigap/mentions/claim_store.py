"""The mentions table as every door uses it: claims. A claim is an item (`state = accepted`) holding the mention as
ingestion received it, not yet listed, written once with a condition on the key, so the first copy of an id wins
(`sigap.mentions.store` then replaces it with the scored mention). The doors import this module alone: the
reading, scoring and counting side of the table, and its models, are no part of their cold start.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sigap.kernel.models import Mention
from sigap.mentions.claiming import Claims, MentionState
from sigap.platform.attributes import attribute, plain, value_of
from sigap.platform.aws import dynamodb_client
from sigap.platform.aws_errors import conditional_write
from sigap.platform.dynamo_pages import batch_items, every_item
from sigap.platform.keys import mention_pk
from sigap.platform.side_by_side import side_by_side

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

ACCEPTED, SCORED = MentionState.ACCEPTED.value, MentionState.SCORED.value
_CLAIMERS = 8  # claims written side by side: a request's 100 claims in the time of about 13


def packed(document: str) -> AttributeValueTypeDef:
    """A JSON document as stored: deflated (a scored mention's 1.5 KB becomes about 700 bytes, so the mention and
    its listing entry are each one write unit, not two)."""
    return {"B": zlib.compress(document.encode("utf-8"), 6)}


def unpacked(item: dict[str, Any], name: str) -> str | None:
    if f"{name}_z" in item:
        return zlib.decompress(bytes(item[f"{name}_z"]["B"])).decode("utf-8")
    stored: str | None = value_of(item, name)  # stored before documents were deflated
    return stored


def received_document(item: dict[str, Any]) -> str | None:
    """The mention as ingestion received it, in a stored claim; None for a scored mention."""
    return unpacked(item, "received")


class ClaimStore:
    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._client = client or dynamodb_client()

    # -- claiming (ingestion) ------------------------------------------------------------------------------

    def claim(self, tenant_id: str, mentions: Sequence[Mention], expires_at: int) -> Claims:
        """Claims each mention id not claimed before; the first claim of an id wins, whatever its text. Each claim
        is a conditional put of its own (a transaction would bill every claim twice and win nothing: a request
        that fails half-way is retried, and the ids it claimed come back as pending)."""
        earlier = self._states(tenant_id, [mention.id for mention in mentions])
        fresh = list({mention.id: mention for mention in mentions if mention.id not in earlier}.values())
        won = side_by_side(lambda mention: self._claim_one(mention, expires_at), fresh, _CLAIMERS)
        claimed = [mention.id for mention, first in zip(fresh, won, strict=True) if first]
        contested = [mention.id for mention, first in zip(fresh, won, strict=True) if not first]
        if contested:  # another request claimed these between our read and our write
            earlier |= self._states(tenant_id, contested)
        pending = [Mention.model_validate_json(doc) for state, doc in earlier.values() if state == ACCEPTED and doc]
        return Claims(claimed=claimed, pending=pending)

    def known(self, tenant_id: str, mention_ids: Sequence[str]) -> set[str]:
        """The ids the tenant has sent before: claimed, or scored and stored."""
        return set(self._states(tenant_id, mention_ids))

    def _claim_one(self, mention: Mention, expires_at: int) -> bool:
        return conditional_write(
            "PutItem (claim) on mentions",
            lambda: self._client.put_item(
                TableName=self._table,
                Item=self._claim_item(mention, expires_at),
                ConditionExpression="attribute_not_exists(pk)",
            ),
        )

    def _claim_item(self, mention: Mention, expires_at: int) -> dict[str, AttributeValueTypeDef]:
        return {
            "pk": attribute(mention_pk(mention.tenant_id, mention.id)),
            "tenant_id": attribute(mention.tenant_id),
            "mention_id": attribute(mention.id),
            "state": attribute(ACCEPTED),
            "received_z": packed(mention.model_dump_json()),
            "expires_at": attribute(expires_at),
        }

    def _states(self, tenant_id: str, mention_ids: Sequence[str]) -> dict[str, tuple[str, str | None]]:
        """For each id the tenant has an item for: its state and, for a claim, the mention as received."""
        keys = [{"pk": attribute(mention_pk(tenant_id, one))} for one in dict.fromkeys(mention_ids)]
        items = batch_items(
            self._client,
            self._table,
            keys,
            "BatchGetItem on mentions",
            projection="mention_id, #state, received, received_z",
            names={"#state": "state"},
        )
        # items from before claims existed are scored
        return {plain(item["mention_id"]): (value_of(item, "state", SCORED), received_document(item)) for item in items}

    def unscored_claims(self) -> Iterator[Mention]:
        """Every claimed mention not scored yet, in any tenant (a Scan: for recovering a local stack that
        was killed with mentions on its queue, never for a request's path)."""
        query: dict[str, Any] = {
            "TableName": self._table,
            "FilterExpression": "#state = :accepted",
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": {":accepted": attribute(ACCEPTED)},
        }
        for item in every_item(self._client.scan, query, "Scan on mentions"):
            yield Mention.model_validate_json(received_document(item) or "")
