"""A statement's way from draft to published: draft → in review → approved → published, and again for every
update. The author cannot approve their own statement; a tenant can name its approvers and how many approvals a
version needs; a tone-check error blocks review unless overridden with a reason; every action is audited (who,
when, what changed). Publishing queues the first step of delivery (the staff list); the publisher does the rest.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sigap.incidents.domain.model import EventKind, event
from sigap.kernel.errors import NotFoundError
from sigap.kernel.races import LOST_RACE, LostRace, retry_on_conflict
from sigap.statements.domain.models import (
    Approval,
    AuditAction,
    AuditEntry,
    Override,
    PublicationTarget,
    PublicationTask,
    PublishingSettings,
    PublishRequest,
    Review,
    Statement,
    StatementContent,
    StatementCreate,
    StatementEdit,
    StatementState,
    StatementVersion,
    StatementView,
    Submission,
)
from sigap.statements.domain.templates import BUILT_IN_TEMPLATES, StatementTemplate, render
from sigap.statements.domain.tone.check import blocking, check
from sigap.statements.domain.tone.models import Finding
from sigap.statements.domain.workflow_ports import (
    BlockedByToneError,
    Incidents,
    NotAllowedError,
    PublicationQueue,
    SettingProblemError,
    StatementConflictError,
    StatementStateError,
    StatementStore,
)

MAX_VERSIONS = 100


def check_approvers(settings: PublishingSettings, approvers: Sequence[str]) -> None:
    """Settings under which a statement can be approved: every named approver is a person who may approve (an
    approver or admin of the tenant or its agency, `approvers`), and no more approvals are required than there
    are people to give them."""
    eligible = {email.casefold() for email in approvers}
    for index, name in enumerate(settings.approvers):
        if name.casefold() not in eligible:
            raise SettingProblemError(
                f"approvers[{index}]",
                f"{name!r} is not a person with the approver or admin role on this tenant (invite them first)",
            )
    pool = len({name.casefold() for name in settings.approvers}) if settings.approvers else len(eligible)
    if settings.required_approvals > pool:
        raise SettingProblemError(
            "required_approvals",
            f"{settings.required_approvals} approvals cannot be given: "
            f"{'the approvers named' if settings.approvers else 'this tenant'} count {pool} "
            "people who may approve",
        )


def new_statement_id() -> str:
    return f"st-{secrets.token_hex(6)}"


def tone_of(content: StatementContent) -> list[Finding]:
    """The tone check of every language's title and body, as one text per language."""
    findings: list[Finding] = []
    for language in content.languages():
        text = content.text(language)
        if text is not None:
            findings.extend(check(f"{text.title}\n\n{text.body}", language))
    return findings


def _audit(
    statement: Statement,
    action: AuditAction,
    actor: str,
    at: datetime,
    *,
    ref: str = "",
    changes: Sequence[str] = (),
    comment: str = "",
) -> AuditEntry:
    digest = hashlib.sha256(f"{action.value}|{actor}|{at.isoformat()}|{ref}".encode()).hexdigest()[:10]
    return AuditEntry(
        entry_id=f"{at:%Y%m%dT%H%M%S%f}-{action.value}-{digest}",
        statement_id=statement.statement_id,
        at=at,
        actor=actor,
        action=action,
        version=statement.current.number,
        changes=list(changes),
        comment=comment,
    )


def view(store: StatementStore, tenant_id: str, statement_id: str) -> StatementView:
    statement = store.statement(tenant_id, statement_id)
    if statement is None:
        raise NotFoundError(f"no statement {statement_id!r}")
    return StatementView(
        statement=statement,
        audit=store.audit(tenant_id, statement_id),
        deliveries=store.deliveries(tenant_id, statement_id),
    )


def create_statement(
    store: StatementStore, incidents: Incidents, tenant_id: str, request: StatementCreate, now: datetime
) -> StatementView:
    if incidents.incident(tenant_id, request.incident_id) is None:
        raise NotFoundError(f"no incident {request.incident_id!r}")
    content = request.content or render(
        _template(store, tenant_id, request.template or ""), request.variables, request.first
    )
    statement = Statement(
        statement_id=new_statement_id(),
        tenant_id=tenant_id,
        incident_id=request.incident_id,
        author=request.by,
        versions=[StatementVersion(number=1, content=content, created_at=now, created_by=request.by)],
        findings=tone_of(content),
        created_at=now,
        updated_at=now,
    )
    source = f"from template {request.template!r}" if request.template else "written"
    entry = _audit(statement, AuditAction.CREATED, request.by, now, comment=source)
    if not store.save_statement(statement, 0, [entry]):
        raise StatementConflictError("a statement with this id exists; retry")
    return view(store, tenant_id, statement.statement_id)


def _template(store: StatementStore, tenant_id: str, name: str) -> StatementTemplate:
    template = store.template(tenant_id, name) or BUILT_IN_TEMPLATES.get(name)
    if template is None:
        raise NotFoundError(f"no template {name!r} (built in: {', '.join(sorted(BUILT_IN_TEMPLATES))})")
    return template


def _changes(before: StatementContent, after: StatementContent) -> list[str]:
    changed: list[str] = []
    for language in ("id", "en"):
        old, new = getattr(before, language), getattr(after, language)
        if old is None and new is not None:
            changed.append(f"{language}: added")
        elif old is not None and new is None:
            changed.append(f"{language}: removed")
        elif old is not None and new is not None:
            changed.extend(
                f"{language}.{part}" for part in ("title", "body") if getattr(old, part) != getattr(new, part)
            )
    for field in ("first", "next_update_at", "correction", "correction_note"):
        if getattr(before, field) != getattr(after, field):
            changed.append(field)
    return changed


Step = Callable[[Statement], tuple[Statement, list[AuditEntry]] | None]


def _change(store: StatementStore, tenant_id: str, statement_id: str, step: Step, now: datetime) -> StatementView:
    """Reads, applies `step` (current → (updated, audit) or None for nothing to do), saves on the version."""

    def attempt() -> StatementView | LostRace:
        current = store.statement(tenant_id, statement_id)
        if current is None:
            raise NotFoundError(f"no statement {statement_id!r}")
        outcome = step(current)
        if outcome is None:
            return view(store, tenant_id, statement_id)
        updated, entries = outcome
        updated = updated.model_copy(update={"version": current.version + 1, "updated_at": now})
        if store.save_statement(updated, current.version, entries):
            return view(store, tenant_id, statement_id)
        return LOST_RACE

    return retry_on_conflict(attempt, lambda: StatementConflictError("the statement kept changing; retry"))


def edit_statement(
    store: StatementStore, tenant_id: str, statement_id: str, edit: StatementEdit, now: datetime
) -> StatementView:
    """Changes the version being worked on. A version in review or approved goes back to draft (its approvals
    were for other words); a published version is never changed: publish an update as a new version."""

    def step(current: Statement) -> tuple[Statement, list[AuditEntry]] | None:
        if current.state is StatementState.PUBLISHED:
            raise StatementStateError(
                f"version {current.current.number} is published and stays as it was; "
                f"POST .../statements/{statement_id}/versions to publish an update"
            )
        changes = _changes(current.current.content, edit.content)
        if not changes:
            return None
        version = current.current.model_copy(update={"content": edit.content})
        updated = current.model_copy(
            update={
                "versions": [*current.versions[:-1], version],
                "state": StatementState.DRAFT,
                "approvals": [],
                "findings": tone_of(edit.content),
            }
        )
        return updated, [_audit(current, AuditAction.EDITED, edit.by, now, changes=changes)]

    return _change(store, tenant_id, statement_id, step, now)


def new_version(
    store: StatementStore, tenant_id: str, statement_id: str, edit: StatementEdit, now: datetime
) -> StatementView:
    """An update (or a correction) of a published statement: a new draft version; the earlier ones stay public."""

    def step(current: Statement) -> tuple[Statement, list[AuditEntry]] | None:
        if current.state is not StatementState.PUBLISHED:
            raise StatementStateError(
                f"version {current.current.number} is {current.state.value}: edit it (PUT) instead of adding one"
            )
        if len(current.versions) >= MAX_VERSIONS:
            raise StatementStateError(f"a statement keeps at most {MAX_VERSIONS} versions; start a new statement")
        version = StatementVersion(
            number=current.current.number + 1, content=edit.content, created_at=now, created_by=edit.by
        )
        updated = current.model_copy(
            update={
                "versions": [*current.versions, version],
                "state": StatementState.DRAFT,
                "approvals": [],
                "findings": tone_of(edit.content),
            }
        )
        kind = "correction" if edit.content.correction else "update"
        return updated, [_audit(updated, AuditAction.NEW_VERSION, edit.by, now, comment=kind)]

    return _change(store, tenant_id, statement_id, step, now)


def submit(
    store: StatementStore, tenant_id: str, statement_id: str, submission: Submission, now: datetime
) -> StatementView:
    def step(current: Statement) -> tuple[Statement, list[AuditEntry]] | None:
        if current.state is StatementState.IN_REVIEW:
            return None
        if current.state is not StatementState.DRAFT:
            raise StatementStateError(f"only a draft can be submitted; this one is {current.state.value}")
        findings = tone_of(current.current.content)
        unresolved = [f for f in blocking(findings) if f.rule not in submission.overrides]
        if unresolved:
            raise BlockedByToneError(unresolved)
        needed = {f.rule for f in blocking(findings)}
        overrides = [
            Override(rule=rule, reason=reason, by=submission.by, at=now, version=current.current.number)
            for rule, reason in submission.overrides.items()
            if rule in needed
        ]
        entries = [_audit(current, AuditAction.SUBMITTED, submission.by, now)]
        entries += [
            _audit(
                current,
                AuditAction.OVERRIDDEN,
                submission.by,
                now,
                ref=o.rule.value,
                comment=f"{o.rule.value}: {o.reason}",
            )
            for o in overrides
        ]
        updated = current.model_copy(
            update={
                "state": StatementState.IN_REVIEW,
                "findings": findings,
                "overrides": [*current.overrides, *overrides],
            }
        )
        return updated, entries

    return _change(store, tenant_id, statement_id, step, now)


def review(store: StatementStore, tenant_id: str, statement_id: str, decision: Review, now: datetime) -> StatementView:
    settings = store.settings(tenant_id)

    def step(current: Statement) -> tuple[Statement, list[AuditEntry]] | None:
        if current.state is not StatementState.IN_REVIEW:
            if decision.approve and current.state is StatementState.APPROVED and _approved_by(current, decision.by):
                return None  # the same approval sent twice
            raise StatementStateError(f"only a statement in review can be reviewed; this one is {current.state.value}")
        if decision.by.casefold() == current.current.created_by.casefold() or (
            decision.by.casefold() == current.author.casefold()
        ):
            raise NotAllowedError("the author of a statement cannot review it: ask another approver")
        if settings.approvers and decision.by.casefold() not in {a.casefold() for a in settings.approvers}:
            raise NotAllowedError(f"{decision.by!r} is not one of this tenant's approvers")
        if not decision.approve:
            updated = current.model_copy(update={"state": StatementState.DRAFT, "approvals": []})
            return updated, [_audit(current, AuditAction.CHANGES_REQUESTED, decision.by, now, comment=decision.comment)]
        if _approved_by(current, decision.by):
            return None
        approvals = [
            *current.approvals,
            Approval(by=decision.by, at=now, version=current.current.number, comment=decision.comment),
        ]
        state = StatementState.APPROVED if len(approvals) >= settings.required_approvals else StatementState.IN_REVIEW
        updated = current.model_copy(update={"approvals": approvals, "state": state})
        comment = f"{len(approvals)} of {settings.required_approvals} approvals" + (
            f"; {decision.comment}" if decision.comment else ""
        )
        return updated, [_audit(current, AuditAction.APPROVED, decision.by, now, comment=comment)]

    return _change(store, tenant_id, statement_id, step, now)


def _approved_by(statement: Statement, person: str) -> bool:
    return any(approval.by.casefold() == person.casefold() for approval in statement.approvals)


def publish(
    store: StatementStore,
    incidents: Incidents,
    queue: PublicationQueue,
    tenant_id: str,
    statement_id: str,
    request: PublishRequest,
    now: datetime,
) -> StatementView:
    """Marks the approved version published and queues its delivery, staff first. Publishing a version that is
    already published changes nothing and queues its first step again, which sends nothing already sent."""
    settings = store.settings(tenant_id)

    def step(current: Statement) -> tuple[Statement, list[AuditEntry]] | None:
        if current.state is StatementState.PUBLISHED:
            return None
        if current.state is not StatementState.APPROVED:
            raise StatementStateError(f"only an approved statement can be published; this one is {current.state.value}")
        incident = incidents.incident(tenant_id, current.incident_id)
        content = current.current.content
        if content.next_update_at is None and incident is not None:
            minutes = settings.reminders.interval(incident.severity)
            content = content.model_copy(update={"next_update_at": now + timedelta(minutes=minutes)})
        version = current.current.model_copy(
            update={"content": content, "published_at": now, "published_by": request.by}
        )
        updated = current.model_copy(
            update={"versions": [*current.versions[:-1], version], "state": StatementState.PUBLISHED}
        )
        return updated, [_audit(current, AuditAction.PUBLISHED, request.by, now)]

    result = _change(store, tenant_id, statement_id, step, now)
    version = result.statement.current
    if result.statement.state is StatementState.PUBLISHED and version.published_at is not None:
        # Queued on every call, not only the first: a publish whose queueing failed (a 503) is retried by the
        # client, and must still go out. Each send is claimed, so a second queueing sends nothing twice.
        queue.send(
            [
                PublicationTask(
                    tenant_id=tenant_id,
                    statement_id=statement_id,
                    version=version.number,
                    target=PublicationTarget.STAFF,
                )
            ]
        )
        incidents.wake_promises(tenant_id, now)  # after the save: a run that missed the version looks again
        incident = incidents.incident(tenant_id, result.statement.incident_id)
        if incident is not None:
            title = version.content.text(version.content.first)
            kind = "correction" if version.content.correction else ("update" if version.number > 1 else "statement")
            incidents.add_events(
                tenant_id,
                [
                    event(
                        incident,
                        EventKind.STATEMENT_PUBLISHED,
                        version.published_at,  # the same event however often publish is called
                        f"Published {kind} v{version.number}: {title.title if title else statement_id}",
                        ref=f"{statement_id}#{version.number}",
                        actor=version.published_by or request.by,
                        statement_id=statement_id,
                        version=str(version.number),
                    )
                ],
            )
    return result
