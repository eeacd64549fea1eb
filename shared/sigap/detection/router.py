"""Alert routes: a tenant's alerts (filtered, paginated), one alert with its evidence, its mentions per hour
against the usual, and the tenant's detection settings (read, and replaced with a PUT that names any bad value in
a 422)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import AwareDatetime

from sigap.detection.domain.baseline import HOUR, hour_key, hour_start
from sigap.detection.domain.models import ALERT_ID_PATTERN, Alert, AlertStatus, DetectionSettings, Rule, Severity
from sigap.detection.domain.reading import AlertList, get_alert, list_alerts
from sigap.detection.domain.volume import VolumeSeries, history_start, volume_series
from sigap.detection.settings import AlertsApiSettings
from sigap.detection.settings_store import DetectionSettingsStore
from sigap.detection.store import AlertsTable
from sigap.kernel.models import utc_now
from sigap.platform.http.gateway import Routes
from sigap.platform.http.resolver import caller, new_resolver, serve, settings_in
from sigap.tenants.store import TenantStore

router = APIGatewayHttpRouter()
routes = Routes(router, "alerts")


@lru_cache(maxsize=1)
def _adapters(settings: AlertsApiSettings) -> tuple[TenantStore, AlertsTable, DetectionSettingsStore]:
    return (
        TenantStore(settings.tenants_table),
        AlertsTable(settings.alerts_table),
        DetectionSettingsStore(settings.tenants_table),
    )


def _settings() -> AlertsApiSettings:
    return settings_in(app, AlertsApiSettings)


@routes.get("/v1/tenants/{tenant}/alerts", answer="A page of alerts")
def get_alerts(
    tenant: str,
    status: Annotated[AlertStatus | None, Query(description="Only firing or only resolved alerts")] = None,
    severity: Annotated[Severity | None, Query(description="Only this severity")] = None,
    rule: Annotated[Rule | None, Query(description="Only alerts of this rule")] = None,
    since: Annotated[AwareDatetime | None, Query(description="Fired at or after: ISO 8601 with an offset")] = None,
    until: Annotated[AwareDatetime | None, Query(description="Fired at or before: ISO 8601 with an offset")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
    cursor: Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page")] = None,
) -> AlertList:
    """List alerts, newest first (default: fired in the last 30 days)."""
    _, alerts, _ = _adapters(_settings())
    return list_alerts(
        alerts,
        caller(app),
        status=status,
        severity=severity,
        rule=rule,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
        now=utc_now(),
    )


@routes.get("/v1/tenants/{tenant}/alerts/{alert_id}", answer="The alert")
def get_one_alert(
    tenant: str, alert_id: Annotated[str, Path(pattern=ALERT_ID_PATTERN, description="The alert's id")]
) -> Alert:
    """One alert with its evidence: observed against expected, stories, channels, samples, scope."""
    _, alerts, _ = _adapters(_settings())
    return get_alert(alerts, caller(app), alert_id)


@routes.get("/v1/tenants/{tenant}/volume", answer="Mentions per hour against the usual")
def get_volume(
    tenant: str,
    hours: Annotated[int, Query(ge=1, le=168, description="How many completed hours, up to the last")] = 24,
) -> VolumeSeries:
    """Mentions and negative mentions per completed hour, each against the median of the same hour on the seven
    days before (hours with an alert firing left out). The hour under way is not included: its minutes are in
    GET .../summary."""
    _, alerts, _ = _adapters(_settings())
    last = hour_start(hour_key(utc_now())) - HOUR
    records = alerts.hours(caller(app).tenant_id, hour_key(history_start(last, hours)), hour_key(last))
    return volume_series(records, last, hours)


@routes.get("/v1/tenants/{tenant}/detection-settings", answer="Settings")
def get_detection_settings(tenant: str) -> DetectionSettings:
    """The tenant's detection settings (the defaults until changed)."""
    _, _, detection_settings = _adapters(_settings())
    return detection_settings.get(caller(app).tenant_id)


@routes.put("/v1/tenants/{tenant}/detection-settings", answer="The settings now in force")
def put_detection_settings(
    tenant: str, body: Annotated[DetectionSettings, Body(description="The whole settings object")]
) -> DetectionSettings:
    """Replace the tenant's detection settings: sensitivity, home country, resolution time, per-rule knobs."""
    _, _, detection_settings = _adapters(_settings())
    detection_settings.put(caller(app).tenant_id, body)
    return body


app = new_resolver()
app.include_router(router)


def handle(event: dict[str, Any], context: Any, settings: AlertsApiSettings) -> dict[str, Any]:
    tenants, _, _ = _adapters(settings)
    return serve(app, event, context, tenants=tenants, max_body_bytes=64 * 1024, settings=settings)


__all__ = ["app", "handle", "router"]
