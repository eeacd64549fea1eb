"""Storing a scoring batch: each mention once, each counted once in its tenant-minute's partial aggregate, without
a transaction (one would bill every write twice).

1. Each mention replaces its claim with a conditional put (absent, or still a claim), side by side. The put
   records which partial aggregate counts it (`partial`: that item's key, new for each run).
2. The run writes one partial aggregate per tenant-minute, counting the mentions whose put won (after a late
   marker, where the minute may be rolled up already).

A put that loses found the mention stored already, by an earlier or a concurrent run, and gets the stored item
back in the same call. Its `partial` says which aggregate counts it. If that aggregate exists, the mention is
counted. If it does not, the run that stored the mention stopped between its puts and its partial (a crash, a
timeout, a failed write): once that run can no longer be alive (`RECOVER_AFTER`, longer than any scoring run
may take), the mention is counted in a partial of its own, keyed by the mention so two recoveries write the same
item. Before that, the answer is `CountLater`: the scoring function queues the message again, delayed until then.
Every message of a run that stopped comes back, so every mention it stored is counted once; a mention stored
before partials were recorded this way was counted in its transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.kernel.aggregates import (
    AggregateContribution,
    CountLater,
    StoreResult,
    contribution_for,
    is_late,
    merge_contributions,
    pack_entries,
    shard_for,
    stable_hash,
)
from sigap.kernel.errors import StorageError
from sigap.kernel.models import ScoredMention
from sigap.kernel.sketch import AuthorSketch
from sigap.mentions.claiming import MentionState
from sigap.platform.attributes import attribute, plain
from sigap.platform.aws_errors import error_code, storage_error
from sigap.platform.keys import aggregate_late_pk, aggregate_pk
from sigap.platform.side_by_side import side_by_side

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

# Longer than the scoring function may run (its timeout is 30 s): a run that stored a mention this long ago and
# has not written its partial never will.
RECOVER_AFTER = timedelta(minutes=2)
_WRITERS = 8  # puts side by side: a batch of 10 in the time of about 2

MentionKey = tuple[str, str]  # (tenant id, mention id)
ItemMaker = Callable[[ScoredMention, int], dict[str, "AttributeValueTypeDef"]]
StoredDocument = Callable[[dict[str, Any]], str | None]


class ScoredWrites:
    def __init__(
        self,
        client: DynamoDBClient,
        mentions_table: str,
        aggregates_table: str,
        shards: int,
        clock: Callable[[], datetime],
        *,
        item_for: ItemMaker,
        document_of: StoredDocument,
    ) -> None:
        self._client = client
        self._mentions = mentions_table
        self._aggregates = aggregates_table
        self._shards = shards
        self._clock = clock
        self._item_for = item_for
        self._document_of = document_of

    def store(self, entries: Sequence[tuple[ScoredMention, int]]) -> dict[MentionKey, StoreResult]:
        """For each mention of the batch (the first copy of a repeated id): True if this run stored and counted
        it, False if it was stored before (and is counted), `CountLater` if it was stored moments ago by a run
        that may still count it, or the error that kept it from being stored."""
        unique: dict[MentionKey, tuple[ScoredMention, int]] = {}
        for scored, expires_at in entries:
            unique.setdefault((scored.mention.tenant_id, scored.mention.id), (scored, expires_at))
        counts = {key: contribution_for(scored) for key, (scored, _) in unique.items()}  # each mention's, once
        run = uuid.uuid4().hex  # this run's partials are new items: a concurrent run never overwrites them
        pointers = {
            (contribution.tenant_id, contribution.minute): self._partial_key(contribution, run)
            for contribution in merge_contributions(counts.values())
        }
        work = [
            (key, scored, expires_at, pointers[(key[0], counts[key].minute)])
            for key, (scored, expires_at) in unique.items()
        ]
        outcomes = side_by_side(self._put, work, _WRITERS)
        results: dict[MentionKey, StoreResult] = {}
        won: list[MentionKey] = []
        for (key, _, _, _), outcome in zip(work, outcomes, strict=True):
            if outcome is None:
                won.append(key)
            elif isinstance(outcome, StorageError):
                results[key] = outcome
            else:
                results[key] = self._counted_before(outcome)
        for contribution in merge_contributions(counts[key] for key in won):
            members = [(contribution.tenant_id, mention_id) for mention_id in contribution.mention_ids]
            expires_at = max(unique[member][1] for member in members)
            pk, sk = pointers[(contribution.tenant_id, contribution.minute)]
            try:
                self._write_partial(contribution, pk, sk, expires_at)
            except StorageError as exc:  # stored but not counted yet: the retries count them (see above)
                results.update(dict.fromkeys(members, exc))
                continue
            results.update(dict.fromkeys(members, True))
        return results

    def _partial_key(self, contribution: AggregateContribution, run: str) -> tuple[str, str]:
        partial_id = stable_hash(f"{run}\n{contribution.partial_id}")
        shard = shard_for(partial_id, self._shards)
        # begun by the latest time among the mentions it may count: a listing reads partials newest bound first
        return aggregate_pk(contribution.tenant_id, shard), f"{contribution.latest}#{partial_id}"

    # -- the mention -----------------------------------------------------------------------------------------

    def _put(
        self, work: tuple[MentionKey, ScoredMention, int, tuple[str, str]]
    ) -> dict[str, Any] | StorageError | None:
        """None if the put won; the stored item if the mention was stored before; or the error."""
        _, scored, expires_at, (pk, sk) = work
        item = self._item_for(scored, expires_at) | {"partial": {"M": {"pk": attribute(pk), "sk": attribute(sk)}}}
        try:
            self._client.put_item(
                TableName=self._mentions,
                Item=item,
                ConditionExpression="attribute_not_exists(pk) OR #state = :accepted",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":accepted": attribute(MentionState.ACCEPTED.value)},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                stored: dict[str, Any] = exc.response.get("Item") or {}  # type: ignore[assignment]
                return stored
            return storage_error("PutItem (scored) on mentions", exc)
        except BotoCoreError as exc:
            return storage_error("PutItem (scored) on mentions", exc)
        return None

    def _counted_before(self, stored: dict[str, Any]) -> StoreResult:
        """False once the mention stored before is counted (recovering its count if its run stopped short)."""
        pointer = stored.get("partial", {}).get("M")
        if not pointer:
            return False  # stored in a transaction with its partial aggregate, before pointers existed
        pk, sk = plain(pointer["pk"]), plain(pointer["sk"])
        try:
            if self._exists(pk, sk):
                return False
            document = self._document_of(stored)
            if not document:
                return StorageError("a mention stored without its document: cannot count it")
            scored = ScoredMention.model_validate_json(document)
            age = self._clock() - scored.scored_at
            if age < RECOVER_AFTER:
                return CountLater(after=RECOVER_AFTER - age + timedelta(seconds=1))
            contribution = contribution_for(scored)
            recovered = stable_hash(f"recovered\n{scored.mention.tenant_id}\n{scored.mention.id}")
            shard = shard_for(recovered, self._shards)
            expires_at = int(plain(stored.get("expires_at", {"N": "0"})))
            self._write_partial(
                contribution,
                aggregate_pk(contribution.tenant_id, shard),
                f"{contribution.latest}#{recovered}",
                expires_at,
            )
        except StorageError as exc:
            return exc
        return False

    # -- the partial aggregate -------------------------------------------------------------------------------

    def _exists(self, pk: str, sk: str) -> bool:
        try:
            answer = self._client.get_item(
                TableName=self._aggregates,
                Key={"pk": attribute(pk), "sk": attribute(sk)},
                ProjectionExpression="pk",
                ConsistentRead=True,
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("GetItem on aggregates (partial)", exc) from exc
        return "Item" in answer

    def _write_partial(self, contribution: AggregateContribution, pk: str, sk: str, expires_at: int) -> None:
        """The partial (rewritten whole if written again), after a marker where its minute may be rolled up."""
        item: dict[str, AttributeValueTypeDef] = {
            "pk": attribute(pk),
            "sk": attribute(sk),
            "expires_at": attribute(expires_at),
        }
        if contribution.listed:  # what the listing reads instead of an index (see sigap.mentions.listing)
            item["entries"] = {"B": pack_entries(contribution.listed)}
        item.update({name: attribute(round(amount, 6)) for name, amount in contribution.counters.items()})
        for name, members in contribution.sets.items():
            # author sets are hex author keys, written as sketches; the high-reach entries ('hr') are text
            item[name] = (
                attribute(frozenset(members)) if name == "hr" else {"B": AuthorSketch.of_hex(members).to_bytes()}
            )
        writes: list[tuple[str, dict[str, AttributeValueTypeDef]]] = []
        if is_late(contribution.minute, self._clock()):
            marker = {"pk": attribute(aggregate_late_pk(contribution.tenant_id)), "sk": attribute(sk)}
            writes.append(("late marker", marker | {"expires_at": attribute(expires_at)}))
        writes.append(("partial aggregate", item))
        for what, written in writes:
            try:
                self._client.put_item(TableName=self._aggregates, Item=written)
            except (ClientError, BotoCoreError) as exc:
                raise storage_error(f"PutItem on aggregates ({what})", exc) from exc
