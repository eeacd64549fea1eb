"""Distinct authors as a mergeable sketch: exact while small, a HyperLogLog once large.

An aggregate cannot keep every author of a viral minute (50,000 hashed handles are 800 KB, twice DynamoDB's item
limit), and a window's distinct authors must still add up across shards, partial aggregates and minutes. So:

- up to EXACT_LIMIT authors the sketch is the set of their 64-bit hashes: counts are exact, as every small
  brand's are;
- beyond it, a HyperLogLog of 2**14 one-byte registers (standard error 1.04 / 128 = 0.81 %), stored compressed
  (about 5 KB at 50,000 authors), counted with Ertl's improved raw estimator (arXiv:1702.01284, eq. 7),
  which needs neither bias tables nor a switch to linear counting at small cardinalities.

Union is register-wise max, so a sketch of sketches is the sketch of the union, in any order (tests check it
against exact counts). Pure Python: a union or a count of two dense sketches takes about a millisecond.
"""

from __future__ import annotations

import base64
import math
import zlib
from collections.abc import Iterable
from typing import Any

PRECISION = 14
REGISTERS = 1 << PRECISION
_RANK_BITS = 64 - PRECISION
_RANK_MASK = (1 << _RANK_BITS) - 1
EXACT_LIMIT = 128
_EXACT, _DENSE = b"\x01", b"\x02"
_ALPHA_INFINITY = 1 / (2 * math.log(2))


def _sigma(x: float) -> float:
    if x == 1.0:
        return math.inf
    y, z = 1.0, x
    while True:
        x *= x
        before = z
        z += x * y
        y += y
        if z == before:
            return z


def _tau(x: float) -> float:
    if x in (0.0, 1.0):
        return 0.0
    y, z = 1.0, 1.0 - x
    while True:
        x = math.sqrt(x)
        before = z
        y *= 0.5
        z -= (1.0 - x) ** 2 * y
        if z == before:
            return z / 3.0


def _add_hash(registers: bytearray, value: int) -> None:
    index = value >> _RANK_BITS
    rank = _RANK_BITS + 1 - (value & _RANK_MASK).bit_length()
    if registers[index] < rank:
        registers[index] = rank


class AuthorSketch:
    """A set of 64-bit author hashes, or its HyperLogLog once larger than EXACT_LIMIT. Immutable."""

    __slots__ = ("_exact", "_registers")

    def __init__(self, exact: frozenset[int] | None = None, registers: bytes | None = None) -> None:
        self._exact = exact if registers is None else None
        self._registers = registers
        if registers is None and exact is None:
            self._exact = frozenset()

    # -- building ------------------------------------------------------------------------------------------

    @classmethod
    def of_hashes(cls, hashes: Iterable[int]) -> AuthorSketch:
        members = frozenset(hashes)
        if len(members) <= EXACT_LIMIT:
            return cls(exact=members)
        registers = bytearray(REGISTERS)
        for value in members:
            _add_hash(registers, value)
        return cls(registers=bytes(registers))

    @classmethod
    def of_hex(cls, hashes: Iterable[str]) -> AuthorSketch:
        """From hex author keys (`aggregates.author_key`); longer keys are cut to their first 64 bits."""
        return cls.of_hashes(int(value[:16], 16) for value in hashes)

    @classmethod
    def union(cls, sketches: Iterable[AuthorSketch]) -> AuthorSketch:
        """Every sketch joined in one pass (a window's minutes, a minute's partial aggregates)."""
        exact: set[int] = set()
        dense: list[bytes] = []
        for sketch in sketches:
            if sketch._registers is not None:
                dense.append(sketch._registers)
            elif sketch._exact:
                exact |= sketch._exact
        if not dense:
            return cls.of_hashes(exact)
        registers = dense[0] if len(dense) == 1 else bytes(map(max, *dense))
        if exact:
            grown = bytearray(registers)
            for value in exact:
                _add_hash(grown, value)
            registers = bytes(grown)
        return cls(registers=registers)

    def __or__(self, other: AuthorSketch) -> AuthorSketch:
        return AuthorSketch.union((self, other))

    # -- reading -------------------------------------------------------------------------------------------

    @property
    def exact(self) -> bool:
        return self._registers is None

    def __len__(self) -> int:
        if self._exact is not None:
            return len(self._exact)
        return round(self.estimate())

    def __bool__(self) -> bool:
        return bool(self._exact) if self._exact is not None else True

    def estimate(self) -> float:
        if self._exact is not None:
            return float(len(self._exact))
        registers = self._registers or b""
        histogram = [registers.count(rank) for rank in range(_RANK_BITS + 2)]
        z = REGISTERS * _tau(1.0 - histogram[_RANK_BITS + 1] / REGISTERS)
        for rank in range(_RANK_BITS, 0, -1):
            z = 0.5 * (z + histogram[rank])
        z += REGISTERS * _sigma(histogram[0] / REGISTERS)
        return _ALPHA_INFINITY * REGISTERS * REGISTERS / z

    # -- storing -------------------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        if self._exact is not None:
            return _EXACT + b"".join(value.to_bytes(8, "big") for value in sorted(self._exact))
        return _DENSE + zlib.compress(self._registers or b"", 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> AuthorSketch:
        kind, body = data[:1], data[1:]
        if kind == _EXACT and len(body) % 8 == 0:
            return cls(exact=frozenset(int.from_bytes(body[at : at + 8], "big") for at in range(0, len(body), 8)))
        if kind == _DENSE:
            try:  # never more than a sketch's registers, whatever the bytes claim
                registers = zlib.decompressobj().decompress(body, REGISTERS + 1)
            except zlib.error as exc:
                raise ValueError(f"not an author sketch: {exc}") from exc
            if len(registers) == REGISTERS and max(registers) <= _RANK_BITS + 1:
                return cls(registers=registers)
        raise ValueError("not an author sketch")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AuthorSketch):
            return NotImplemented
        return self._exact == other._exact and self._registers == other._registers

    def __hash__(self) -> int:
        return hash((self._exact, self._registers))

    def __repr__(self) -> str:
        kind = "exact" if self.exact else "estimated"
        return f"AuthorSketch({len(self)} authors, {kind})"

    # -- as a pydantic field: an AuthorSketch, its bytes (base64 in JSON), or hex author keys --------------

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_plain_validator_function(
            cls._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda sketch: base64.b64encode(sketch.to_bytes()).decode("ascii"),
                return_schema=core_schema.str_schema(),
            ),
        )

    @classmethod
    def _validate(cls, value: Any) -> AuthorSketch:
        if isinstance(value, AuthorSketch):
            return value
        if isinstance(value, bytes):
            return cls.from_bytes(value)
        if isinstance(value, str):
            return cls.from_bytes(base64.b64decode(value, validate=True))
        if isinstance(value, (set, frozenset, list, tuple)) and all(isinstance(item, str) for item in value):
            return cls.of_hex(value)
        raise ValueError("expected an author sketch, its bytes, or hex author keys")


EMPTY = AuthorSketch()
