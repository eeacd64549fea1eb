"""Mentions table: one item per (tenant, mention id), written once, listed newest first by day buckets.

A scored mention and its aggregate contribution are written in one transaction whose put is conditional on the
mention not existing yet, so a retried SQS batch can neither store a mention twice nor count it twice.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.aggregates import AggregateContribution
from sigap.aws import dynamodb_client
from sigap.dal.errors import error_code, storage_error
from sigap.dal.keys import aggregate_pk, mention_day_bucket, mention_pk, mention_time_sort_key
from sigap.errors import InvalidCursorError
from sigap.models import ScoredMention, Sentiment

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

BY_TIME_INDEX = "ByTime"
MAX_TRANSACTION_ITEMS = 100
_BATCH_GET_LIMIT = 100


@dataclass(frozen=True)
class MentionPage:
    items: list[ScoredMention]
    next_cursor: str | None


def _encode_cursor(day: str, last_key: dict[str, Any]) -> str:
    raw = json.dumps({"day": day, "key": last_key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_cursor(cursor: str) -> tuple[str, dict[str, Any]]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        day, key = data["day"], data["key"]
        if not isinstance(day, str) or not isinstance(key, dict):
            raise TypeError("bad cursor shape")
        return day, key
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise InvalidCursorError("cursor is not one this API returned") from exc


def _days_newest_first(since: datetime, until: datetime) -> Iterator[datetime]:
    day = until
    while day.date() >= since.date():
        yield day
        day -= timedelta(days=1)


class MentionStore:
    def __init__(
        self, table_name: str, aggregates_table: str | None = None, client: DynamoDBClient | None = None
    ) -> None:
        self._table = table_name
        self._aggregates_table = aggregates_table
        self._client = client or dynamodb_client()

    # -- writing -------------------------------------------------------------------------------------------

    def put_once(self, scored: ScoredMention, contribution: AggregateContribution, expires_at: int) -> bool:
        """Stores the mention and adds its contribution atomically; False if it was stored before."""
        items: list[TransactWriteItemTypeDef] = [
            self._put_new(scored, expires_at),
            {"Update": self._aggregate_update(contribution, expires_at)},
        ]
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
        items.extend({"Update": self._aggregate_update(item, latest_expiry)} for item in contributions)
        return len(items) <= MAX_TRANSACTION_ITEMS and self._transact(items, whole_batch=True)

    def _put_new(self, scored: ScoredMention, expires_at: int) -> TransactWriteItemTypeDef:
        return {
            "Put": {
                "TableName": self._table,
                "Item": self._to_item(scored, expires_at),
                "ConditionExpression": "attribute_not_exists(pk)",
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

    def _aggregate_update(self, contribution: AggregateContribution, expires_at: int) -> Any:
        names: dict[str, str] = {}
        values: dict[str, AttributeValueTypeDef] = {":exp": {"N": str(expires_at)}}
        adds: list[str] = []
        for index, (name, amount) in enumerate(sorted(contribution.counters.items())):
            names[f"#c{index}"] = name
            values[f":c{index}"] = {"N": repr(round(amount, 6))}
            adds.append(f"#c{index} :c{index}")
        for index, (name, members) in enumerate(sorted(contribution.sets.items())):
            names[f"#s{index}"] = name
            values[f":s{index}"] = {"SS": sorted(members)}
            adds.append(f"#s{index} :s{index}")
        return {
            "TableName": self._aggregates_table,
            "Key": {
                "pk": {"S": aggregate_pk(contribution.tenant_id, contribution.shard)},
                "sk": {"S": contribution.minute},
            },
            "UpdateExpression": f"ADD {', '.join(adds)} SET expires_at = if_not_exists(expires_at, :exp)",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    @staticmethod
    def _to_item(scored: ScoredMention, expires_at: int) -> dict[str, AttributeValueTypeDef]:
        mention, score = scored.mention, scored.score
        return {
            "pk": {"S": mention_pk(mention.tenant_id, mention.id)},
            "tenant_id": {"S": mention.tenant_id},
            "mention_id": {"S": mention.id},
            "gsi1pk": {"S": mention_day_bucket(mention.tenant_id, mention.created_at)},
            "gsi1sk": {"S": mention_time_sort_key(mention.created_at, mention.id)},
            "sentiment": {"S": score.sentiment.value},
            "risk": {"N": repr(score.risk)},
            "doc": {"S": scored.model_dump_json()},
            "expires_at": {"N": str(expires_at)},
        }

    # -- reading -------------------------------------------------------------------------------------------

    def existing_ids(self, tenant_id: str, mention_ids: Sequence[str]) -> set[str]:
        """Which of these mention ids the tenant already has stored."""
        found: set[str] = set()
        for start in range(0, len(mention_ids), _BATCH_GET_LIMIT):
            keys: list[dict[str, AttributeValueTypeDef]] = [
                {"pk": {"S": mention_pk(tenant_id, mention_id)}}
                for mention_id in mention_ids[start : start + _BATCH_GET_LIMIT]
            ]
            request: Any = {self._table: {"Keys": keys, "ProjectionExpression": "mention_id"}}
            try:
                while request:
                    answer = self._client.batch_get_item(RequestItems=request)
                    found.update(item["mention_id"]["S"] for item in answer["Responses"].get(self._table, []))
                    request = answer.get("UnprocessedKeys") or None
            except (ClientError, BotoCoreError) as exc:
                raise storage_error("BatchGetItem on mentions", exc) from exc
        return found

    def get(self, tenant_id: str, mention_id: str) -> ScoredMention | None:
        try:
            item = self._client.get_item(
                TableName=self._table, Key={"pk": {"S": mention_pk(tenant_id, mention_id)}}
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("GetItem on mentions", exc) from exc
        return ScoredMention.model_validate_json(item["doc"]["S"]) if item else None

    def list_newest_first(
        self,
        tenant_id: str,
        *,
        since: datetime,
        until: datetime,
        limit: int,
        sentiment: Sentiment | None = None,
        cursor: str | None = None,
    ) -> MentionPage:
        resume_day, resume_key = _decode_cursor(cursor) if cursor else (None, None)
        collected: list[ScoredMention] = []
        for day in _days_newest_first(since, until):
            day_name = f"{day:%Y-%m-%d}"
            if resume_day is not None and day_name > resume_day:
                continue
            start_key = resume_key if day_name == resume_day else None
            for item in self._query_day(tenant_id, day, since, until, sentiment, start_key):
                collected.append(ScoredMention.model_validate_json(item["doc"]["S"]))
                if len(collected) == limit:
                    last_key = {name: item[name] for name in ("pk", "gsi1pk", "gsi1sk")}
                    more = self._has_more(tenant_id, day, since, until, sentiment, last_key)
                    return MentionPage(collected, _encode_cursor(day_name, last_key) if more else None)
        return MentionPage(collected, None)

    def _has_more(
        self,
        tenant_id: str,
        day: datetime,
        since: datetime,
        until: datetime,
        sentiment: Sentiment | None,
        last_key: dict[str, Any],
    ) -> bool:
        if next(iter(self._query_day(tenant_id, day, since, until, sentiment, last_key)), None) is not None:
            return True
        return any(
            next(iter(self._query_day(tenant_id, earlier, since, until, sentiment, None)), None) is not None
            for earlier in _days_newest_first(since, day - timedelta(days=1))
        )

    def _query_day(
        self,
        tenant_id: str,
        day: datetime,
        since: datetime,
        until: datetime,
        sentiment: Sentiment | None,
        start_key: dict[str, Any] | None,
    ) -> Iterable[dict[str, Any]]:
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": BY_TIME_INDEX,
            "KeyConditionExpression": "gsi1pk = :day AND gsi1sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":day": {"S": mention_day_bucket(tenant_id, day)},
                ":low": {"S": mention_time_sort_key(since, "")},
                ":high": {"S": mention_time_sort_key(until, "\uffff")},
            },
            "ScanIndexForward": False,
        }
        if sentiment is not None:
            query["FilterExpression"] = "sentiment = :sentiment"
            query["ExpressionAttributeValues"][":sentiment"] = {"S": sentiment.value}
        if start_key:
            query["ExclusiveStartKey"] = start_key
        try:
            while True:
                page = self._client.query(**query)
                yield from page.get("Items", [])
                if "LastEvaluatedKey" not in page:
                    return
                query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("Query on mentions", exc) from exc
