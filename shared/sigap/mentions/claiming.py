"""What a mention's item is while Sigap holds it, and what claiming a request's mentions finds: the part of the
mentions feature every door uses (a door imports this, not the query logic and its models)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sigap.kernel.models import Mention


class MentionState(StrEnum):
    ACCEPTED = "accepted"  # stored as received and queued for scoring: read it again in a moment
    SCORED = "scored"


@dataclass
class Claims:
    """What claiming a request's mentions found: ids this request claimed first, and earlier claims not
    scored yet (the first copy, as it was received). Every other id was scored and stored before."""

    claimed: list[str] = field(default_factory=list)
    pending: list[Mention] = field(default_factory=list)
