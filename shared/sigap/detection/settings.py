"""Detection's functions' settings: the detector, the evaluator and the alerts API."""

from __future__ import annotations

from pydantic import Field

from sigap.platform.settings import FunctionSettings, loader


class DetectorSettings(FunctionSettings):
    """The scheduled detector: walks the tenant directory and fans evaluations out."""

    tenants_table: str = Field(alias="TENANTS_TABLE")
    evaluation_queue_url: str = Field(alias="EVALUATION_QUEUE_URL")


class EvaluatorSettings(FunctionSettings):
    """The per-tenant evaluator: reads aggregates and mentions, writes alerts and alert events."""

    tenants_table: str = Field(alias="TENANTS_TABLE")
    mentions_table: str = Field(alias="MENTIONS_TABLE")
    aggregates_table: str = Field(alias="AGGREGATES_TABLE")
    aggregate_shards: int = Field(alias="AGGREGATE_SHARDS", default=8, ge=1, le=64)
    alerts_table: str = Field(alias="ALERTS_TABLE")
    alert_events_queue_url: str = Field(alias="ALERT_EVENTS_QUEUE_URL")
    evaluation_dead_letter_queue_url: str = Field(alias="EVALUATION_DLQ_URL")


class AlertsApiSettings(FunctionSettings):
    tenants_table: str = Field(alias="TENANTS_TABLE")
    alerts_table: str = Field(alias="ALERTS_TABLE")


detector_settings = loader(DetectorSettings)


evaluator_settings = loader(EvaluatorSettings)


alerts_api_settings = loader(AlertsApiSettings)
