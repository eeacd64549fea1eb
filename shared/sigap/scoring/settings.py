"""The scoring functions' settings: the consumer that scores and stores, and the score-now API."""

from __future__ import annotations

from pydantic import Field

from sigap.platform.settings import FunctionSettings, loader


class ScoringSettings(FunctionSettings):
    mentions_table: str = Field(alias="MENTIONS_TABLE")
    aggregates_table: str = Field(alias="AGGREGATES_TABLE")
    stories_table: str = Field(alias="STORIES_TABLE")
    story_window_days: int = Field(alias="STORY_WINDOW_DAYS", default=14, ge=1, le=365)
    retention_days: int = Field(alias="RETENTION_DAYS", default=90, ge=1)
    aggregate_shards: int = Field(alias="AGGREGATE_SHARDS", default=8, ge=1, le=64)
    # A far-reaching mention with a severe claim asks for its tenant's evaluation at once (no queue: no ask).
    evaluation_queue_url: str | None = Field(alias="EVALUATION_QUEUE_URL", default=None)
    # Its own queue: a mention another run stored moments ago and has not counted yet is looked at again later.
    scoring_queue_url: str | None = Field(alias="SCORING_QUEUE_URL", default=None)


scoring_settings = loader(ScoringSettings)


class ScoreApiSettings(FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    stories_table: str = Field(alias="STORIES_TABLE")
    # With "store": true the texts are ingested as mentions: claimed in the mentions table, queued for scoring.
    mentions_table: str = Field(alias="MENTIONS_TABLE")
    scoring_queue_url: str = Field(alias="SCORING_QUEUE_URL")
    story_window_days: int = Field(alias="STORY_WINDOW_DAYS", default=14, ge=1, le=365)
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=1_048_576, ge=1024)


score_api_settings = loader(ScoreApiSettings)
