"""Stories: near-duplicate and forwarded copies of one text get one story id, so spread can be counted.

Each text becomes a MinHash signature of its word pairs; the signature is cut into BANDS bands
of ROWS values, and two texts sharing any band are taken as copies (locality-sensitive hashing: with 12 x 5,
copies with Jaccard similarity 0.7 are found 89% of the time, texts at 0.3 only 3%). A band index remembers
which story each band belongs to: in memory for `sigap score`, in DynamoDB for the scoring function, so copies
arriving hours apart, in different batches or on different Lambda instances, join the same story.

MinHash is computed here with numpy for a whole batch at once (multiply-shift universal hashing of each
shingle's CRC-32, minimum per text with np.minimum.reduceat) rather than with datasketch: importing datasketch
imports scipy.integrate, measured at 0.40 s per cold start and ~100 MB of layer, for twenty lines of arithmetic.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from sigap.kernel.models import story_id_of
from sigap.scoring.domain.text import CLAUSE_ENDS

BANDS = 12
ROWS = 5
NUM_PERM = BANDS * ROWS
SEED = 20261122
# Multiply-shift hashing: h(x) = ((a * x + b) mod 2^64) >> 32 with random odd a, is a universal family.
_GENERATOR = np.random.default_rng(SEED)
_A = _GENERATOR.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _GENERATOR.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_BAND_MIX = _GENERATOR.integers(1, 2**63, size=ROWS, dtype=np.uint64) | np.uint64(1)
_PAIR_MIX = np.uint64(0x9E3779B1)  # odd 32-bit multiplier (golden ratio): word order matters in a pair
# Forwarding adds these in front; they say nothing about the story.
_FORWARD_MARKERS = frozenset({"fw", "fwd", "re", "rt", "via", "diteruskan"})
_MIN_SHINGLES = 3


class BandIndex(Protocol):
    def lookup(self, tenant_id: str, band_keys: Sequence[str]) -> dict[str, str]:
        """The story already recorded for each of these band keys that has one."""
        ...

    def remember(self, tenant_id: str, assignments: Mapping[str, str]) -> dict[str, str]:
        """Claims band key → story for bands seen for the first time, first writer wins: the story each band
        holds afterwards (this call's, or the one another batch recorded first)."""
        ...


class MemoryBandIndex:
    def __init__(self) -> None:
        self._stories: dict[str, dict[str, str]] = {}

    def lookup(self, tenant_id: str, band_keys: Sequence[str]) -> dict[str, str]:
        stories = self._stories.get(tenant_id, {})
        return {key: stories[key] for key in band_keys if key in stories}

    def remember(self, tenant_id: str, assignments: Mapping[str, str]) -> dict[str, str]:
        stories = self._stories.setdefault(tenant_id, {})
        return {key: stories.setdefault(key, story) for key, story in assignments.items()}


class PeekingBandIndex:
    """A tenant's stories read from `stories`, never written to it: texts scored on request (not stored) join a
    story already running, and each other within the request, but leave no trace for later mentions."""

    def __init__(self, stories: BandIndex) -> None:
        self._stories = stories
        self._request = MemoryBandIndex()

    def lookup(self, tenant_id: str, band_keys: Sequence[str]) -> dict[str, str]:
        return self._stories.lookup(tenant_id, band_keys) | self._request.lookup(tenant_id, band_keys)

    def remember(self, tenant_id: str, assignments: Mapping[str, str]) -> dict[str, str]:
        return self._request.remember(tenant_id, assignments)


def _content(words: Sequence[str]) -> list[str]:
    content = [word for word in words if word not in CLAUSE_ENDS]
    while content and content[0] in _FORWARD_MARKERS:
        content = content[1:]
    return content


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def signatures(shingle_hashes: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """MinHash signatures (texts x NUM_PERM, uint32) from the texts' shingle hashes laid end to end.

    Duplicate shingles need no removal: they cannot change a minimum.
    """
    permuted = (shingle_hashes[:, None] * _A + _B) >> np.uint64(32)  # uint64 arithmetic wraps: mod 2^64 by design
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    return np.minimum.reduceat(permuted, starts, axis=0).astype(np.uint32)


def band_keys_of(tokenised: Sequence[Sequence[str]]) -> list[list[str]]:
    """The LSH band keys of each text; a text too short to shingle gets one key for its exact content.

    Shingles are adjacent word pairs, hashed as CRC-32 of each word combined pairwise with numpy for the
    whole batch at once.
    """
    keys: list[list[str]] = [[] for _ in tokenised]
    words: list[str] = []
    lengths: list[int] = []
    positions: list[int] = []
    for position, text in enumerate(tokenised):
        content = _content(text)
        if len(content) - 1 < _MIN_SHINGLES:
            keys[position] = ["x:" + _digest(" ".join(content).encode())]
        else:
            words.extend(content)
            lengths.append(len(content))
            positions.append(position)
    if positions:
        word_hashes = np.fromiter((zlib.crc32(word.encode()) for word in words), dtype=np.uint64, count=len(words))
        text_lengths = np.asarray(lengths)
        # pair i is (word i, word i+1) where both belong to the same text: drop each text's last word as a start
        last_words = np.cumsum(text_lengths) - 1
        firsts = np.delete(np.arange(len(words)), last_words)
        pair_hashes = (word_hashes[firsts] * _PAIR_MIX + word_hashes[firsts + 1]) & np.uint64(0xFFFFFFFF)
        matrix = band_hashes(signatures(pair_hashes, text_lengths - 1))
        for position, hashes in zip(positions, matrix.tolist(), strict=True):
            keys[position] = [f"{band}:{value:016x}" for band, value in enumerate(hashes)]
    return keys


def band_hashes(signature_matrix: np.ndarray) -> np.ndarray:
    """One 64-bit hash per band of each signature (texts x BANDS): sum of ROWS values times odd constants."""
    bands = signature_matrix.astype(np.uint64).reshape(len(signature_matrix), BANDS, ROWS)
    return np.asarray((bands * _BAND_MIX).sum(axis=2, dtype=np.uint64) ^ (bands[:, :, 0] << np.uint64(32)))


def assign_stories(
    tenant_ids: Sequence[str], mention_ids: Sequence[str], tokenised: Sequence[Sequence[str]], index: BandIndex
) -> list[str]:
    """A story id per text: the story most of its bands belong to, or a new one named after it.

    Deterministic under concurrency: a band's story is claimed once (first writer wins) and never changes, and a
    story is decided from what the bands hold after this batch's claims, for each group of the batch's texts that
    share a band (copies of one text travel together), over the group's bands together. Two batches racing with
    copies of one hoax, each finding its bands new, each claim some; both then read the same winners for the same
    bands and choose the same story (the one most bands hold, the smallest id on a tie), instead of each keeping
    its own. Deciding text by text instead let two variants of one forward land on different winners. A new
    story is named from its group's smallest band key, not from a mention id: batches racing with the same copies
    mint the same id, so every band they claim holds that one story and a copy arriving later finds it whichever
    bands it shares."""
    band_keys = band_keys_of(tokenised)
    by_tenant: dict[str, list[int]] = {}
    for position, tenant_id in enumerate(tenant_ids):
        by_tenant.setdefault(tenant_id, []).append(position)
    assigned: dict[int, str] = {}
    for tenant_id, positions in by_tenant.items():
        wanted = list({key for position in positions for key in band_keys[position]})
        known = dict(index.lookup(tenant_id, wanted))
        groups = [
            (group, sorted({key for position in group for key in band_keys[position]}))
            for group in _sharing_a_band(positions, band_keys)
        ]
        fresh: dict[str, str] = {}
        for _group, keys in groups:
            story = _most_held(keys, known) or story_id_of(tenant_id, keys[0])
            for key in keys:
                if key not in known:
                    known[key] = story
                    fresh[key] = story
        if fresh:
            known |= index.remember(tenant_id, fresh)
        for group, keys in groups:
            story = _most_held(keys, known) or story_id_of(tenant_id, keys[0])
            for position in group:
                assigned[position] = story
    return [assigned[position] for position in range(len(tenant_ids))]


def _sharing_a_band(positions: Sequence[int], band_keys: Sequence[Sequence[str]]) -> list[list[int]]:
    """The positions grouped by shared band keys (union-find), each group in order, groups by first position."""
    parent = {position: position for position in positions}

    def root(position: int) -> int:
        while parent[position] != position:
            parent[position] = parent[parent[position]]
            position = parent[position]
        return position

    first_with: dict[str, int] = {}
    for position in positions:
        for key in band_keys[position]:
            other = first_with.setdefault(key, position)
            if other != position:
                a, b = root(other), root(position)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for position in positions:
        groups.setdefault(root(position), []).append(position)
    return sorted(groups.values())


def _most_held(keys: Sequence[str], held: Mapping[str, str]) -> str | None:
    """The story most of these bands hold (the smallest id on a tie), or None if none holds one."""
    hits: dict[str, int] = {}
    for key in keys:
        found = held.get(key)
        if found is not None:
            hits[found] = hits.get(found, 0) + 1
    if not hits:
        return None
    best = max(hits.values())
    return min(story for story, count in hits.items() if count == best)
