"""Incidents and their timelines, in the notifications table beside the alerts that open them:
`INCIDENT#<id>`, `OPENINC#<story key>` (the open incident of a story: created on its absence, so two racing
notifiers open one incident) and `EVENT#<incident id>#<event id>`. Nothing here expires."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sigap.incidents.domain.model import Incident, IncidentEvent, IncidentState
from sigap.incidents.promise_wakes import PromiseWakes
from sigap.platform.attributes import attribute, plain


class IncidentsTable(PromiseWakes):
    """The incidents' IncidentStore (opened, changed, noted), over the notifications table, with the wakes that
    time their update promises."""

    label = "incidents"

    def open_incident(self, tenant_id: str, key: str) -> Incident | None:
        pointer = self._get(tenant_id, f"OPENINC#{key}")
        return self.incident(tenant_id, plain(pointer["incident_id"])) if pointer else None

    def incident(self, tenant_id: str, incident_id: str) -> Incident | None:
        return self._get_model(tenant_id, f"INCIDENT#{incident_id}", Incident)

    def incidents(self, tenant_id: str, limit: int, after: str | None) -> tuple[list[Incident], str | None]:
        items, last = self._query(tenant_id, "INCIDENT#", newest_first=True, limit=limit, after=after)
        return [Incident.model_validate_json(plain(item["doc"])) for item in items], last

    def save_incident(self, incident: Incident, expected_version: int, events: Sequence[IncidentEvent]) -> bool:
        tenant_id = incident.tenant_id
        items: list[dict[str, Any]] = [
            {
                "Put": self._put_item(
                    tenant_id,
                    f"INCIDENT#{incident.incident_id}",
                    incident,
                    version=incident.version,
                    expected=expected_version,
                )
            }
        ]
        pointer = self._key(tenant_id, f"OPENINC#{incident.key}")
        if expected_version == 0 and incident.state is not IncidentState.RESOLVED:
            items.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": pointer | {"incident_id": attribute(incident.incident_id)},
                        "ConditionExpression": "attribute_not_exists(sk)",
                    }
                }
            )
        elif incident.state is IncidentState.RESOLVED and expected_version != 0:
            items.append(
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": pointer,
                        "ConditionExpression": "attribute_not_exists(sk) OR incident_id = :id",
                        "ExpressionAttributeValues": {":id": attribute(incident.incident_id)},
                    }
                }
            )
        for item in events:
            items.append({"Put": self._put_item(tenant_id, f"EVENT#{incident.incident_id}#{item.event_id}", item)})
        for start in range(0, len(items), 100):
            if not self._transact(items[start : start + 100]) and start == 0:
                return False
        return True

    def add_events(self, tenant_id: str, events: Sequence[IncidentEvent]) -> None:
        for item in events:
            self._conditional_put(self._put_item(tenant_id, f"EVENT#{item.incident_id}#{item.event_id}", item))

    def timeline(self, tenant_id: str, incident_id: str) -> list[IncidentEvent]:
        found = self._models(tenant_id, f"EVENT#{incident_id}#", IncidentEvent)
        return sorted(found, key=lambda entry: (entry.at, entry.event_id))


@dataclass(frozen=True)
class AllIncidents:
    """Every incident of a tenant, newest first, page by page (a status page and a report read them all)."""

    table: IncidentsTable

    def all_incidents(self, tenant_id: str) -> list[Incident]:
        found: list[Incident] = []
        after: str | None = None
        while True:
            page, after = self.table.incidents(tenant_id, 100, after)
            found.extend(page)
            if after is None:
                return found
