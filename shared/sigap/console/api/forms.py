"""The body of every console form after the door turned it into JSON: its CSRF token and any other fields, each
read as text ('' when absent or not text), so a form with a missing or odd field gets the page's own answer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Form(BaseModel):
    model_config = ConfigDict(extra="allow")

    csrf: str = ""

    def text(self, name: str, limit: int = 20_000) -> str:
        value = (self.model_extra or {}).get(name)
        return value.strip()[:limit] if isinstance(value, str) else ""
