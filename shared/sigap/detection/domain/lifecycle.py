"""An alert's life: one alert per fingerprint while its condition holds, escalated in place, resolved once the
condition has been clear for a while, and not re-fired by a flapping condition.

Pure: given this minute's findings and the open alerts, `plan` says what to store. The store applies each change
conditionally on the alert's version, so two evaluations racing on one tenant and minute make one alert.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from sigap.detection.domain.models import (
    Alert,
    AlertStatus,
    AlertTransition,
    DetectionSettings,
    Finding,
    Rule,
    Scope,
    Severity,
    TimelineEntry,
    TransitionKind,
)
from sigap.kernel.aggregates import stable_hash

_SCOPE_RANK = {Scope.LOCAL: 0, Scope.NATIONAL: 1, Scope.GLOBAL: 2}


def fingerprint(tenant_id: str, rule: Rule, subject: str) -> str:
    return stable_hash(f"{tenant_id}\x00{rule.value}\x00{subject}", 20)


def alert_id_for(fired_at: datetime, print_: str) -> str:
    # Time first, so an alert listing sorted by id is sorted by when alerts fired.
    return f"{fired_at:%Y%m%dT%H%M}-{print_}"


class ResolvedMark(BaseModel):
    """A recently resolved fingerprint: the same condition returning soon after is flapping, not news."""

    model_config = ConfigDict(frozen=True)

    resolved_at: datetime
    severity: Severity


@dataclass(frozen=True)
class ScopedFinding:
    finding: Finding
    scope: Scope
    scope_reason: str


@dataclass(frozen=True)
class Change:
    """Store `alert` if the stored one still has `expected_version` (0: none stored); emit `transition`."""

    alert: Alert
    expected_version: int
    transition: AlertTransition | None


def _transition(kind: TransitionKind, alert: Alert, at: datetime) -> AlertTransition:
    return AlertTransition(transition_id=f"{alert.alert_id}-v{alert.version}", kind=kind, at=at, alert=alert)


def plan(
    tenant_id: str,
    now: datetime,
    findings: Sequence[ScopedFinding],
    open_alerts: Mapping[str, Alert],
    recently_resolved: Mapping[str, ResolvedMark],
    settings: DetectionSettings,
) -> list[Change]:
    quiet = timedelta(minutes=settings.resolve_after_minutes)
    changes: list[Change] = []
    seen: set[str] = set()
    for scoped in findings:
        finding = scoped.finding
        print_ = fingerprint(tenant_id, finding.rule, finding.subject)
        if print_ in seen:
            continue
        seen.add(print_)
        evidence = finding.evidence.model_copy(update={"scope_reason": scoped.scope_reason})
        current = open_alerts.get(print_)
        if current is not None:
            severity = max(current.severity, finding.severity, key=lambda s: s.rank)
            scope = max(current.scope, scoped.scope, key=_SCOPE_RANK.__getitem__)
            escalated = severity is not current.severity or scope is not current.scope
            # the samples quoted when it fired stay until an escalation quotes newer ones
            evidence = evidence.model_copy(update={"samples": current.evidence.samples})
            updated = current.model_copy(
                update={
                    "severity": severity,
                    "scope": scope,
                    "last_seen_at": max(now, current.last_seen_at),
                    "summary": finding.summary if escalated or severity is finding.severity else current.summary,
                    "evidence": evidence if escalated or severity is finding.severity else current.evidence,
                    "version": current.version + 1,
                }
            )
            if escalated:
                entry = TimelineEntry(at=now, kind=TransitionKind.ESCALATED, severity=severity, scope=scope)
                updated = updated.model_copy(update={"timeline": [*current.timeline, entry]})
            transition = _transition(TransitionKind.ESCALATED, updated, now) if escalated else None
            changes.append(Change(updated, current.version, transition))
            continue
        mark = recently_resolved.get(print_)
        if mark is not None and now - mark.resolved_at < quiet and finding.severity.rank <= mark.severity.rank:
            continue  # flapping: the same condition, no worse, soon after it cleared
        alert = Alert(
            alert_id=alert_id_for(now, print_),
            tenant_id=tenant_id,
            fingerprint=print_,
            rule=finding.rule,
            subject=finding.subject,
            severity=finding.severity,
            scope=scoped.scope,
            status=AlertStatus.FIRING,
            started_at=min(finding.started_at, now),
            fired_at=now,
            last_seen_at=now,
            summary=finding.summary,
            evidence=evidence,
            timeline=[TimelineEntry(at=now, kind=TransitionKind.FIRED, severity=finding.severity, scope=scoped.scope)],
        )
        changes.append(Change(alert, 0, _transition(TransitionKind.FIRED, alert, now)))
    for print_, current in open_alerts.items():
        if print_ in seen or now - current.last_seen_at < quiet:
            continue
        entry = TimelineEntry(at=now, kind=TransitionKind.RESOLVED, severity=current.severity, scope=current.scope)
        resolved = current.model_copy(
            update={
                "status": AlertStatus.RESOLVED,
                "resolved_at": now,
                "version": current.version + 1,
                "timeline": [*current.timeline, entry],
            }
        )
        changes.append(Change(resolved, current.version, _transition(TransitionKind.RESOLVED, resolved, now)))
    return changes
