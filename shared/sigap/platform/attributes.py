"""DynamoDB attribute values written and read by boto3's own TypeSerializer and TypeDeserializer: a store
passes plain values (str, int, float, bool, sets of str) and gets plain values back, never spelling the wire
format ({"S": ...}, {"N": str(...)}) itself."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


def attribute(value: object) -> AttributeValueTypeDef:
    """One value as DynamoDB stores it. A float goes as the decimal of its shortest repr (0.1 as 0.1, not
    0.1000000000000000055511151231257827), as DynamoDB numbers are decimals."""
    plain = Decimal(repr(value)) if isinstance(value, float) else value
    return _SERIALIZER.serialize(plain)


def attributes(values: Mapping[str, object] | None = None, /, **named: object) -> dict[str, AttributeValueTypeDef]:
    """Several values by name (a mapping for names that are not identifiers, such as ':expected')."""
    return {name: attribute(value) for name, value in {**(values or {}), **named}.items()}


def plain(value: Mapping[str, Any]) -> Any:
    """One stored value back as Python: str, Decimal for numbers, bool, set of str."""
    return _DESERIALIZER.deserialize(cast(Any, value))


def value_of(item: Mapping[str, Any], name: str, default: Any = None) -> Any:
    """An attribute an item may lack (written by an older version, or not yet set): its value, or `default`."""
    return plain(item[name]) if name in item else default
