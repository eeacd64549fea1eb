"""Mentions table: one item per (tenant, mention id), listed newest first by day buckets.

An item is first a *claim* (`state = accepted`: the mention as ingestion received it, not yet listed), written
once by ingestion with a condition on the key, so the first copy of an id wins. Scoring then replaces the claim
with the scored mention (`state = scored`, listed by the ByTime index) in one transaction with its partial
aggregate (a new item of its own, see `sigap.kernel.aggregates`), conditional on the item being absent or still a
claim, so a retried SQS batch can neither store a mention twice nor count it twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.kernel.aggregates import AggregateContribution, is_late
from sigap.kernel.errors import InvalidCursorError, StorageError
from sigap.kernel.models import Mention, ScoredMention
from sigap.kernel.sketch import AuthorSketch
from sigap.mentions.domain import Claims, ListPosition, MentionFilter, MentionPage, MentionRead, MentionState
from sigap.platform.attributes import attribute, plain, value_of
from sigap.platform.aws import dynamodb_client
from sigap.platform.aws_errors import error_code, storage_error
from sigap.platform.keys import (
    aggregate_late_pk,
    aggregate_pk,
    day_bucket,
    mention_day_bucket,
    mention_pk,
    mention_time_sort_key,
)
from sigap.platform.retry import backoff, drain

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

BY_TIME_INDEX = "ByTime"
MAX_TRANSACTION_ITEMS = 100
_BATCH_GET_LIMIT = 100
ACCEPTED, SCORED = "accepted", "scored"
_CLAIM_ATTEMPTS = 6


def _days_newest_first(since: datetime, until: datetime) -> Iterator[datetime]:
    day = until
    while day.date() >= since.date():
        yield day
        day -= timedelta(days=1)


class MentionStore:
    def __init__(
        self,
        table_name: str,
        aggregates_table: str | None = None,
        client: DynamoDBClient | None = None,
        *,
        aggregate_shards: int = 8,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._table = table_name
        self._aggregates_table = aggregates_table
        self._client = client or dynamodb_client()
        self._shards = aggregate_shards
        self._clock = clock

    # -- claiming (ingestion) ------------------------------------------------------------------------------

    def claim(self, tenant_id: str, mentions: Sequence[Mention], expires_at: int) -> Claims:
        """Claims each mention id not claimed before; the first claim of an id wins, whatever its text."""
        earlier = self._states(tenant_id, [mention.id for mention in mentions])
        claimed: list[str] = []
        contested: list[str] = []
        fresh = [mention for mention in mentions if mention.id not in earlier]
        for start in range(0, len(fresh), MAX_TRANSACTION_ITEMS):
            won, lost = self._claim_chunk(fresh[start : start + MAX_TRANSACTION_ITEMS], expires_at)
            claimed.extend(won)
            contested.extend(lost)
        if contested:  # another request claimed these between our read and our write
            earlier |= self._states(tenant_id, contested)
        pending = [Mention.model_validate_json(doc) for state, doc in earlier.values() if state == ACCEPTED and doc]
        return Claims(claimed=claimed, pending=pending)

    def _claim_chunk(self, chunk: Sequence[Mention], expires_at: int) -> tuple[list[str], list[str]]:
        """Claims a chunk in one transaction; ids whose condition failed are dropped and the rest retried."""
        pending = list(chunk)
        lost: list[str] = []
        for attempt in range(1, _CLAIM_ATTEMPTS + 1):
            if not pending:
                return [], lost
            items: list[TransactWriteItemTypeDef] = [
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": self._claim_item(mention, expires_at),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
                for mention in pending
            ]
            try:
                self._client.transact_write_items(TransactItems=items)
                return [mention.id for mention in pending], lost
            except ClientError as exc:
                if error_code(exc) != "TransactionCanceledException":
                    raise storage_error("TransactWriteItems (claims) on mentions", exc) from exc
                codes = [reason.get("Code") for reason in exc.response.get("CancellationReasons") or []]
                taken = {index for index, code in enumerate(codes) if code == "ConditionalCheckFailed"}
                lost.extend(pending[index].id for index in sorted(taken))
                pending = [mention for index, mention in enumerate(pending) if index not in taken]
                if not taken:  # a conflict or throttle, not a taken id: wait, then try the same claims again
                    time.sleep(backoff(attempt))
            except BotoCoreError as exc:
                raise storage_error("TransactWriteItems (claims) on mentions", exc) from exc
        raise StorageError(f"DynamoDB kept cancelling the claim of {len(pending)} mention(s); retry")

    def _claim_item(self, mention: Mention, expires_at: int) -> dict[str, AttributeValueTypeDef]:
        return {
            "pk": attribute(mention_pk(mention.tenant_id, mention.id)),
            "tenant_id": attribute(mention.tenant_id),
            "mention_id": attribute(mention.id),
            "state": attribute(ACCEPTED),
            "received": attribute(mention.model_dump_json()),
            "expires_at": attribute(expires_at),
        }

    def _states(self, tenant_id: str, mention_ids: Sequence[str]) -> dict[str, tuple[str, str | None]]:
        """For each id the tenant has an item for: its state and, for a claim, the mention as received."""
        found: dict[str, tuple[str, str | None]] = {}
        table = self._table

        def get(request: Any) -> Any:
            try:
                answer = self._client.batch_get_item(RequestItems=request)
            except (ClientError, BotoCoreError) as exc:
                raise storage_error("BatchGetItem on mentions", exc) from exc
            for item in answer["Responses"].get(table, []):
                state = value_of(item, "state", SCORED)  # items from before claims existed are scored
                found[plain(item["mention_id"])] = (state, value_of(item, "received"))
            return answer.get("UnprocessedKeys") or None

        unique = list(dict.fromkeys(mention_ids))
        for start in range(0, len(unique), _BATCH_GET_LIMIT):
            keys = [
                {"pk": attribute(mention_pk(tenant_id, mention_id))}
                for mention_id in unique[start : start + _BATCH_GET_LIMIT]
            ]
            request = {
                table: {
                    "Keys": keys,
                    "ProjectionExpression": "mention_id, #state, received",
                    "ExpressionAttributeNames": {"#state": "state"},
                }
            }
            drain(get, request, failure=lambda left: StorageError("BatchGetItem on mentions left keys unprocessed"))
        return found

    # -- writing -------------------------------------------------------------------------------------------

    def put_once(self, scored: ScoredMention, contribution: AggregateContribution, expires_at: int) -> bool:
        """Stores the mention and its partial aggregate atomically; False if it was stored before."""
        items: list[TransactWriteItemTypeDef] = [self._put_new(scored, expires_at)]
        items.extend(self._partial_items(contribution, expires_at))
        return self._transact(items, whole_batch=False)

    def put_all_once(
        self, entries: Sequence[tuple[ScoredMention, int]], contributions: Sequence[AggregateContribution]
    ) -> bool:
        """Stores a whole batch and its merged aggregates in one transaction, if none of its mentions exists yet.

        False when the transaction is cancelled (a mention was stored before, or appears twice): nothing was
        written, and the caller stores the mentions one by one instead.
        """
        latest_expiry = max(expires_at for _, expires_at in entries)
        items = [self._put_new(scored, expires_at) for scored, expires_at in entries]
        for contribution in contributions:
            items.extend(self._partial_items(contribution, latest_expiry))
        return len(items) <= MAX_TRANSACTION_ITEMS and self._transact(items, whole_batch=True)

    def _put_new(self, scored: ScoredMention, expires_at: int) -> TransactWriteItemTypeDef:
        return {
            "Put": {
                "TableName": self._table,
                "Item": self._to_item(scored, expires_at),
                "ConditionExpression": "attribute_not_exists(pk) OR #state = :accepted",
                "ExpressionAttributeNames": {"#state": "state"},
                "ExpressionAttributeValues": {":accepted": attribute(ACCEPTED)},
            }
        }

    def _transact(self, items: list[TransactWriteItemTypeDef], *, whole_batch: bool) -> bool:
        """True if written. False if cancelled because a mention exists (or, for a whole batch, for any reason
        the per-mention path will sort out); any other failure is a StorageError."""
        if self._aggregates_table is None:
            raise ValueError("MentionStore needs the aggregates table to store scored mentions")
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            code = error_code(exc)
            if whole_batch and code in ("TransactionCanceledException", "ValidationException"):
                return False
            if code == "TransactionCanceledException" and self._put_condition_failed(exc):
                return False
            raise storage_error("TransactWriteItems on mentions", exc) from exc
        except BotoCoreError as exc:
            raise storage_error("TransactWriteItems on mentions", exc) from exc
        return True

    @staticmethod
    def _put_condition_failed(exc: ClientError) -> bool:
        reasons = exc.response.get("CancellationReasons") or []
        return bool(reasons) and reasons[0].get("Code") == "ConditionalCheckFailed"

    def _partial_items(self, contribution: AggregateContribution, expires_at: int) -> list[TransactWriteItemTypeDef]:
        """The partial aggregate as a new item (rewritten whole if the same mentions come again), and a marker
        beside it when its minute may be rolled up already."""
        tenant_id, sort_key = contribution.tenant_id, f"{contribution.minute}#{contribution.partial_id}"
        item: dict[str, AttributeValueTypeDef] = {
            "pk": attribute(aggregate_pk(tenant_id, contribution.shard(self._shards))),
            "sk": attribute(sort_key),
            "expires_at": attribute(expires_at),
        }
        item.update({name: attribute(round(amount, 6)) for name, amount in contribution.counters.items()})
        for name, members in contribution.sets.items():
            # author sets are hex author keys, written as sketches; the high-reach entries ('hr') are text
            item[name] = (
                attribute(frozenset(members)) if name == "hr" else {"B": AuthorSketch.of_hex(members).to_bytes()}
            )
        items: list[TransactWriteItemTypeDef] = [{"Put": {"TableName": str(self._aggregates_table), "Item": item}}]
        if is_late(contribution.minute, self._clock()):
            marker = {
                "pk": attribute(aggregate_late_pk(tenant_id)),
                "sk": attribute(sort_key),
                "expires_at": attribute(expires_at),
            }
            items.append({"Put": {"TableName": str(self._aggregates_table), "Item": marker}})
        return items

    @staticmethod
    def _to_item(scored: ScoredMention, expires_at: int) -> dict[str, AttributeValueTypeDef]:
        mention, score = scored.mention, scored.score
        return {
            "pk": attribute(mention_pk(mention.tenant_id, mention.id)),
            "tenant_id": attribute(mention.tenant_id),
            "mention_id": attribute(mention.id),
            "gsi1pk": attribute(mention_day_bucket(mention.tenant_id, mention.created_at)),
            "gsi1sk": attribute(mention_time_sort_key(mention.created_at, mention.id)),
            "state": attribute(SCORED),
            "sentiment": attribute(score.sentiment.value),
            "risk": attribute(score.risk),
            # What a listing may filter on, beside the document (a filter cannot read inside its JSON).
            "source": attribute(mention.source),
            "channel": attribute(mention.channel.value),
            "lang": attribute(score.lang),
            **({"story_id": attribute(score.story_id)} if score.story_id else {}),
            **({"signals": {"SS": sorted({signal.category for signal in score.signals})}} if score.signals else {}),
            "doc": attribute(scored.model_dump_json()),
            "expires_at": attribute(expires_at),
        }

    # -- reading -------------------------------------------------------------------------------------------

    def unscored_claims(self) -> Iterator[Mention]:
        """Every claimed mention not scored yet, in any tenant (a Scan: for recovering a local stack that
        was killed with mentions on its queue, never for a request's path)."""
        query: dict[str, Any] = {
            "TableName": self._table,
            "FilterExpression": "#state = :accepted",
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": {":accepted": attribute(ACCEPTED)},
        }
        try:
            while True:
                page = self._client.scan(**query)
                yield from (Mention.model_validate_json(plain(item["received"])) for item in page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    return
                query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("Scan on mentions", exc) from exc

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
        return ScoredMention.model_validate_json(plain(item["doc"])) if item and "doc" in item else None

    def lookup(self, tenant_id: str, mention_id: str) -> MentionRead | None:
        """The mention scored, or as received while it waits to be scored; None if the tenant has no such id."""
        item = self._item(tenant_id, mention_id)
        if item and "doc" in item:
            scored = ScoredMention.model_validate_json(plain(item["doc"]))
            return MentionRead(
                state=MentionState.SCORED, mention=scored.mention, score=scored.score, scored_at=scored.scored_at
            )
        if item and "received" in item:
            return MentionRead(
                state=MentionState.ACCEPTED, mention=Mention.model_validate_json(plain(item["received"]))
            )
        return None

    def list_newest_first(
        self,
        tenant_id: str,
        *,
        since: datetime,
        until: datetime,
        limit: int,
        only: MentionFilter | None = None,
        after: ListPosition | None = None,
    ) -> MentionPage:
        collected: list[ScoredMention] = []
        for day in _days_newest_first(since, until):
            day_name = f"{day:%Y-%m-%d}"
            if after is not None and day_name > after.day:
                continue
            start_key = self._key_of(tenant_id, after) if after is not None and day_name == after.day else None
            for item in self._query_day(tenant_id, day, since, until, only, start_key):
                collected.append(ScoredMention.model_validate_json(plain(item["doc"])))
                if len(collected) == limit:
                    last_key = {name: item[name] for name in ("pk", "gsi1pk", "gsi1sk")}
                    more = self._has_more(tenant_id, day, since, until, only, last_key)
                    position = ListPosition(
                        day=day_name, mention_id=plain(item["mention_id"]), sort_key=plain(item["gsi1sk"])
                    )
                    return MentionPage(collected, position if more else None)
        return MentionPage(collected, None)

    @staticmethod
    def _key_of(tenant_id: str, position: ListPosition) -> dict[str, Any]:
        return {
            "pk": attribute(mention_pk(tenant_id, position.mention_id)),
            "gsi1pk": attribute(day_bucket(tenant_id, position.day)),
            "gsi1sk": attribute(position.sort_key),
        }

    def _has_more(
        self,
        tenant_id: str,
        day: datetime,
        since: datetime,
        until: datetime,
        only: MentionFilter | None,
        last_key: dict[str, Any],
    ) -> bool:
        if next(iter(self._query_day(tenant_id, day, since, until, only, last_key)), None) is not None:
            return True
        return any(
            next(iter(self._query_day(tenant_id, earlier, since, until, only, None)), None) is not None
            for earlier in _days_newest_first(since, day - timedelta(days=1))
        )

    def _query_day(
        self,
        tenant_id: str,
        day: datetime,
        since: datetime,
        until: datetime,
        only: MentionFilter | None,
        start_key: dict[str, Any] | None,
    ) -> Iterable[dict[str, Any]]:
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": BY_TIME_INDEX,
            "KeyConditionExpression": "gsi1pk = :day AND gsi1sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":day": attribute(mention_day_bucket(tenant_id, day)),
                ":low": attribute(mention_time_sort_key(since, "")),
                ":high": attribute(mention_time_sort_key(until, "\uffff")),
            },
            "ScanIndexForward": False,
        }
        if only is not None:
            query |= _filter_expression(only, query["ExpressionAttributeValues"])
        if start_key:
            query["ExclusiveStartKey"] = start_key
        try:
            while True:
                page = self._client.query(**query)
                yield from page.get("Items", [])
                if "LastEvaluatedKey" not in page:
                    return
                query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except ClientError as exc:
            if start_key is not None and error_code(exc) == "ValidationException":
                raise InvalidCursorError("the cursor does not name a position in this listing") from exc
            raise storage_error("Query on mentions", exc) from exc
        except BotoCoreError as exc:
            raise storage_error("Query on mentions", exc) from exc


# Listing filter → (attribute, how it matches). Signals are a string set: a mention matches if it has the signal.
_FILTERS = {
    "sentiment": ("sentiment", "{name} = {value}"),
    "source": ("source", "{name} = {value}"),
    "channel": ("channel", "{name} = {value}"),
    "story": ("story_id", "{name} = {value}"),
    "language": ("lang", "{name} = {value}"),
    "signal": ("signals", "contains({name}, {value})"),
}


def _filter_expression(only: MentionFilter, values: dict[str, Any]) -> dict[str, Any]:
    """The Query's FilterExpression for a listing filter: every field given must match."""
    conditions, names = [], {}
    for field, given in only.model_dump(exclude_none=True).items():
        attribute_name, condition = _FILTERS[field]
        names[f"#{field}"] = attribute_name
        values[f":{field}"] = attribute(str(given))
        conditions.append(condition.format(name=f"#{field}", value=f":{field}"))
    if not conditions:
        return {}
    return {"FilterExpression": " AND ".join(conditions), "ExpressionAttributeNames": names}
