"""Tenants table: one item per brand or agency (holding the hash of its root key, never the key), and beside it,
under the same partition, its machine keys (`KEY#<id>`, hashes only) and its people (`MEMBER#<user id>`).

Indexes: `Directory` (every tenant id, for the detection scheduler) and `Lookup`, sparse and overloaded (one index
where two would need two deployments to add): `agency#<id>` finds an agency's clients, `user#<id>` the tenants a
person has a role on. Both hold ids only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.kernel.errors import TenantExistsError
from sigap.kernel.identity import MachineKey, Membership
from sigap.kernel.models import Held, Quotas, Tenant, TenantKind, TenantStatus
from sigap.platform.attributes import attribute, plain, value_of
from sigap.platform.aws import dynamodb_client
from sigap.platform.aws_errors import conditional_write, error_code, storage_error
from sigap.platform.documents import DocumentTable
from sigap.platform.keys import tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

_SK = "TENANT"
KEY_PREFIX = "KEY#"
MEMBER_PREFIX = "MEMBER#"
# The one cross-tenant key in Sigap: the directory the detection scheduler walks each minute. It holds tenant
# ids only (a keys-only index), so it lets nobody read a tenant's data.
DIRECTORY_INDEX = "Directory"
DIRECTORY = "tenants"
LOOKUP_INDEX = "Lookup"


# A door's batch holding part of a day's quota, on the day's USAGE item until it settles (a few at a time; one
# whose process died or failed stays, counted, until its retry settles it).
_HOLD = "hold_"


def _within_limit(count: int, limit: int) -> str:
    """The condition that adding `count` (`:count`) to the day's `used` keeps it within `limit` (`:room`): more than
    the limit never fits, even on a day with nothing counted yet, whose `used` does not exist."""
    return "used <= :room" if count > limit else "(attribute_not_exists(used) OR used <= :room)"


def _limit_values(count: int, limit: int) -> dict[str, AttributeValueTypeDef]:
    return {":count": attribute(count), ":room": attribute(limit - count)}


def _agency_lookup(agency: str) -> str:
    return f"agency#{agency}"


def _user_lookup(user_id: str) -> str:
    return f"user#{user_id}"


def _tenant_of(item: dict[str, Any]) -> Tenant:
    quotas = value_of(item, "quotas")
    return Tenant(
        tenant_id=plain(item["tenant_id"]),
        display_name=plain(item["display_name"]),
        api_key_hash=plain(item["api_key_hash"]),
        created_at=datetime.fromisoformat(plain(item["created_at"])),
        kind=TenantKind(value_of(item, "kind", TenantKind.BRAND.value)),
        agency=value_of(item, "agency"),
        status=TenantStatus(value_of(item, "status", TenantStatus.ACTIVE.value)),
        quotas=Quotas.model_validate_json(quotas) if quotas else Quotas(),
    )


def _key_of(item: dict[str, Any]) -> MachineKey:
    key = MachineKey.model_validate_json(plain(item["doc"]))
    used = value_of(item, "last_used_at")
    return key.model_copy(update={"last_used_at": datetime.fromisoformat(used)}) if used else key


class TenantStore(DocumentTable):
    label = "tenants"

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        super().__init__(table_name, client or dynamodb_client())

    # -- tenants -----------------------------------------------------------------------------------------

    def get(self, tenant_id: str) -> Tenant | None:
        item = self._get(tenant_id, _SK)
        return _tenant_of(item) if item else None

    def create(self, tenant: Tenant) -> None:
        item: dict[str, Any] = {
            "pk": attribute(tenant_pk(tenant.tenant_id)),
            "sk": attribute(_SK),
            "tenant_id": attribute(tenant.tenant_id),
            "display_name": attribute(tenant.display_name),
            "api_key_hash": attribute(tenant.api_key_hash),
            "created_at": attribute(tenant.created_at.isoformat()),
            "directory": attribute(DIRECTORY),
            "kind": attribute(tenant.kind.value),
            "status": attribute(tenant.status.value),
            "quotas": attribute(tenant.quotas.model_dump_json()),
        }
        if tenant.agency:
            item |= {"agency": attribute(tenant.agency), "lookup": attribute(_agency_lookup(tenant.agency))}
        written = conditional_write(
            "PutItem on tenants",
            lambda: self._client.put_item(
                TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)"
            ),
        )
        if not written:
            raise TenantExistsError(f"tenant {tenant.tenant_id!r} already exists")

    def update(
        self,
        tenant_id: str,
        *,
        status: TenantStatus | None = None,
        quotas: Quotas | None = None,
        api_key_hash: str | None = None,
    ) -> None:
        """Sets a tenant's status, quotas or root key hash (the tenant must exist)."""
        names = {
            "status": status.value if status else None,
            "quotas": quotas.model_dump_json() if quotas else None,
            "api_key_hash": api_key_hash,
        }
        changes = {name: value for name, value in names.items() if value is not None}
        if not changes:
            return
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(tenant_id, _SK),
                UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in changes),
                ExpressionAttributeNames={f"#{name}": name for name in changes},
                ExpressionAttributeValues={f":{name}": attribute(value) for name, value in changes.items()},
                ConditionExpression="attribute_exists(pk)",
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("UpdateItem on tenants", exc) from exc

    def tenant_ids(self) -> Iterator[str]:
        """Every tenant's id, from the directory index, a page at a time."""
        yield from self._index_values(DIRECTORY_INDEX, "directory", DIRECTORY, "tenant_id")

    def clients(self, agency: str) -> Iterator[str]:
        """The ids of an agency's clients."""
        yield from self._index_values(LOOKUP_INDEX, "lookup", _agency_lookup(agency), "tenant_id")

    def _index_values(self, index: str, key: str, value: str, wanted: str) -> Iterator[str]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": "#key = :value",
            "ExpressionAttributeNames": {"#key": key},
            "ExpressionAttributeValues": {":value": attribute(value)},
        }
        while True:
            try:
                page = self._client.query(**request)
            except (ClientError, BotoCoreError) as exc:
                raise storage_error(f"Query on the {index} index", exc) from exc
            for item in page.get("Items", []):
                yield plain(item[wanted])
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def count(self, limit: int = 2) -> int:
        """How many tenants exist, counting no further than `limit` (enough to enforce single-brand mode)."""
        try:
            page = self._client.scan(
                TableName=self._table,
                FilterExpression="sk = :sk",
                ExpressionAttributeValues={":sk": attribute(_SK)},
                ProjectionExpression="pk",
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("Scan on tenants", exc) from exc
        return min(len(page.get("Items", [])), limit)

    def delete_tenant(self, tenant_id: str) -> None:
        """Removes everything of the tenant in this table (keys, memberships, sources, settings) and leaves its
        item as a tombstone, out of the directory and its agency's clients, so its id is never given again."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": attribute(tenant_pk(tenant_id))},
            "ProjectionExpression": "sk",
        }
        while True:
            try:
                page = self._client.query(**request)
            except (ClientError, BotoCoreError) as exc:
                raise storage_error("Query on tenants", exc) from exc
            for item in page.get("Items", []):
                if plain(item["sk"]) != _SK:
                    self._delete(tenant_id, plain(item["sk"]))
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(tenant_id, _SK),
                UpdateExpression="SET #status = :deleted REMOVE directory, lookup",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":deleted": attribute(TenantStatus.DELETED.value)},
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("UpdateItem on tenants", exc) from exc

    # -- machine keys ------------------------------------------------------------------------------------

    def key(self, tenant_id: str, key_id: str) -> MachineKey | None:
        item = self._get(tenant_id, KEY_PREFIX + key_id)
        return _key_of(item) if item else None

    def keys(self, tenant_id: str) -> list[MachineKey]:
        items, _ = self._query(tenant_id, KEY_PREFIX)
        return [_key_of(item) for item in items]

    def put_key(self, key: MachineKey, *, only_new: bool = False) -> bool:
        request = self._put_item(key.tenant_id, KEY_PREFIX + key.key_id, key)
        if only_new:
            request["ConditionExpression"] = "attribute_not_exists(pk)"
        return self._conditional_put(request)

    def touch_key(self, key: MachineKey, at: datetime) -> None:
        """Records when the key was last used, apart from its document so a use never undoes a revocation."""
        conditional_write(  # False: the key was deleted meanwhile, and there is nothing to record
            "UpdateItem on tenants",
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._key(key.tenant_id, KEY_PREFIX + key.key_id),
                UpdateExpression="SET last_used_at = :at",
                ExpressionAttributeValues={":at": attribute(at.isoformat())},
                ConditionExpression="attribute_exists(pk)",
            ),
        )

    # -- quotas -----------------------------------------------------------------------------------------

    def reserve_mentions(self, tenant_id: str, day: str, count: int, limit: int) -> bool:
        """Counts `count` more mentions received on `day` if that keeps the day within `limit`; False if not.
        One conditional write: concurrent requests can never together pass the limit."""
        if count > limit:  # refused without a write (a failed conditional write is paid for too)
            return False
        return conditional_write(
            "UpdateItem on tenants",
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._key(tenant_id, f"USAGE#{day}"),
                UpdateExpression="ADD used :count",
                ConditionExpression=_within_limit(count, limit),
                ExpressionAttributeValues=_limit_values(count, limit),
            ),
        )

    def hold_mentions(self, tenant_id: str, day: str, batch: str, count: int, limit: int) -> Held | None:
        """Counts `count` more mentions received on `day` for the batch named `batch`, if that keeps the day within
        `limit`, and notes them under the batch's name until it settles. If an earlier attempt at the batch holds
        some already (it died or failed before settling), those, counted once. None if the limit refuses."""
        name = {"#hold": _HOLD + batch}
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(tenant_id, f"USAGE#{day}"),
                UpdateExpression="ADD used :count SET #hold = :count",
                ConditionExpression=f"attribute_not_exists(#hold) AND {_within_limit(count, limit)}",
                ExpressionAttributeNames=name,
                ExpressionAttributeValues=_limit_values(count, limit),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise storage_error("UpdateItem on tenants", exc) from exc
            held = value_of(exc.response.get("Item") or {}, _HOLD + batch)  # type: ignore[arg-type]
            return None if held is None else Held(int(held), resumed=True)
        except BotoCoreError as exc:
            raise storage_error("UpdateItem on tenants", exc) from exc
        return Held(count, resumed=False)

    def settle_mentions(self, tenant_id: str, day: str, batch: str, give_back: int) -> None:
        """Forgets the batch's hold, uncounting `give_back` of its mentions (those not accepted after all)."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(tenant_id, f"USAGE#{day}"),
                UpdateExpression="REMOVE #hold ADD used :back",
                ExpressionAttributeNames={"#hold": _HOLD + batch},
                ExpressionAttributeValues={":back": attribute(-give_back)},
            )
        except (BotoCoreError, ClientError) as exc:
            raise storage_error("UpdateItem on tenants", exc) from exc

    def mentions_used(self, tenant_id: str, day: str) -> int:
        item = self._get(tenant_id, f"USAGE#{day}")
        return int(value_of(item, "used", 0)) if item else 0

    # -- people ------------------------------------------------------------------------------------------

    def member(self, tenant_id: str, user_id: str) -> Membership | None:
        return self._get_model(tenant_id, MEMBER_PREFIX + user_id, Membership)

    def members(self, tenant_id: str) -> list[Membership]:
        return self._models(tenant_id, MEMBER_PREFIX, Membership)

    def members_reaching(self, tenant: Tenant) -> list[Membership]:
        """The people with a role on the tenant, then those with one on its agency (which reaches its clients)."""
        return [member for owner in (tenant.tenant_id, tenant.agency) if owner for member in self.members(owner)]

    def put_member(self, member: Membership) -> None:
        extra = {"lookup": attribute(_user_lookup(member.user_id)), "tenant_id": attribute(member.tenant_id)}
        self._conditional_put(self._put_item(member.tenant_id, MEMBER_PREFIX + member.user_id, member, extra=extra))

    def remove_member(self, tenant_id: str, user_id: str) -> None:
        self._delete(tenant_id, MEMBER_PREFIX + user_id)

    def memberships(self, user_id: str) -> list[str]:
        """The tenants a person has a role on (directly; an agency's role reaches its clients too)."""
        return sorted(self._index_values(LOOKUP_INDEX, "lookup", _user_lookup(user_id), "tenant_id"))
