"""What the statement workflow needs from outside it (its ports: the statements store, incidents, the
publication queue) and the refusals it answers with (each an HTTP status the API maps)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sigap.incidents.domain.model import Incident, IncidentEvent
from sigap.kernel.errors import SigapError, UnprocessableError
from sigap.statements.domain.models import (
    AuditEntry,
    ChannelDelivery,
    PublicationTask,
    PublishingSettings,
    Statement,
)
from sigap.statements.domain.templates import StatementTemplate
from sigap.statements.domain.tone.models import Finding


class StatementStore(Protocol):
    def statement(self, tenant_id: str, statement_id: str) -> Statement | None: ...

    def save_statement(self, statement: Statement, expected_version: int, audit: Sequence[AuditEntry]) -> bool: ...

    def audit(self, tenant_id: str, statement_id: str) -> list[AuditEntry]: ...

    def settings(self, tenant_id: str) -> PublishingSettings: ...

    def template(self, tenant_id: str, name: str) -> StatementTemplate | None: ...

    def deliveries(self, tenant_id: str, statement_id: str) -> dict[int, list[ChannelDelivery]]: ...


class Incidents(Protocol):
    def incident(self, tenant_id: str, incident_id: str) -> Incident | None: ...

    def add_events(self, tenant_id: str, events: Sequence[IncidentEvent]) -> None: ...

    def wake_promises(self, tenant_id: str, now: datetime) -> None:
        """Has the reminders run look at the tenant's update promises next time (one was made or moved)."""


class PublicationQueue(Protocol):
    def send(self, tasks: Sequence[PublicationTask]) -> None: ...


class StatementStateError(SigapError):
    """The statement is not in a state that allows this action (409)."""


class NotAllowedError(SigapError):
    """This person may not do this (403): approving their own statement, or not an approver."""


class BlockedByToneError(SigapError):
    """Tone-check errors not overridden (422); each names its rule."""

    def __init__(self, findings: list[Finding]) -> None:
        rules = sorted({finding.rule.value for finding in findings})
        super().__init__(
            "the tone check found errors: " + ", ".join(rules) + "; fix them or override each with a reason"
        )
        self.findings = findings


class StatementConflictError(SigapError):
    """The statement kept changing under this request; retry."""


class SettingProblemError(UnprocessableError):
    """Publishing settings that cannot work (422 invalid_setting, naming the field)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__("invalid_setting", f"{field}: {problem}", [(field, problem)])
