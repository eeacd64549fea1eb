"""Settings: one pydantic model per function, read from the environment the template gives it, parsed once
(each feature's `settings` module holds its functions' models and cached factories).

Plain pydantic models validated from `os.environ` (each field's alias is its variable): pydantic-settings did
the same here and cost ~65 ms of every cold start to import.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:  # the type alone: a module-level name the tests' cache sweep would take for a cache
    from functools import _lru_cache_wrapper


class FunctionSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)


def from_environment[Settings: FunctionSettings](model: type[Settings]) -> Settings:
    """The model read from this process's environment; a missing or bad variable fails the cold start loudly."""
    return model.model_validate(dict(os.environ))


def loader[Settings: FunctionSettings](model: type[Settings]) -> _lru_cache_wrapper[Settings]:
    """A function's settings factory: reads the environment once, then answers the same model. Typed as the
    lru_cache it is, so tests and benches that change the environment may `cache_clear()` it."""

    @lru_cache(maxsize=1)
    def load() -> Settings:
        return from_environment(model)

    return load


def empty_is_none(value: object) -> object:
    """An optional variable the template sets to "" when unused."""
    return value or None
