"""A statement goes draft → in review → approved → published, with the tone check, approvals and an audit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sigap.incidents.domain.model import EventKind
from sigap.kernel.errors import NotFoundError
from sigap.kernel.language import Language
from sigap.statements.domain.models import (
    AuditAction,
    LocalisedText,
    PublicationTarget,
    PublishingSettings,
    PublishRequest,
    Review,
    StatementContent,
    StatementCreate,
    StatementEdit,
    StatementState,
    Submission,
)
from sigap.statements.domain.templates import TemplateProblemError
from sigap.statements.domain.tone.models import ToneRule
from sigap.statements.domain.workflow import (
    create_statement,
    edit_statement,
    new_version,
    publish,
    review,
    submit,
)
from sigap.statements.domain.workflow_ports import BlockedByToneError, NotAllowedError, StatementStateError
from tests.unit.publishing_fakes import INCIDENT_ID, NOW, TENANT, VARIABLES, FakeIncidents, FakeQueue, FakeStore

RUSHED = StatementContent(
    id=LocalisedText(
        title="Klarifikasi",
        body="TIDAK BENAR!!! Teh Segar tidak beracun. Kami akan melaporkan para penyebar hoaks ke polisi.",
    )
)


def _from_template(store: FakeStore, incidents: FakeIncidents, by: str = "rina") -> str:
    request = StatementCreate(incident_id=INCIDENT_ID, by=by, template="crisis", variables=VARIABLES)
    return create_statement(store, incidents, TENANT, request, NOW).statement.statement_id


def test_the_built_in_template_drafts_a_bilingual_statement_the_tone_check_passes() -> None:
    store, incidents = FakeStore(), FakeIncidents()
    statement_id = _from_template(store, incidents)
    statement = store.statements[statement_id]
    assert statement.state is StatementState.DRAFT
    assert statement.current.content.languages() == [Language.INDONESIAN, Language.ENGLISH]
    assert "https://tehsegar.example/hasil-uji" in (statement.current.content.en or RUSHED.id).body  # type: ignore[union-attr]
    assert statement.findings == []
    assert [entry.action for entry in store.entries[statement_id]] == [AuditAction.CREATED]


def test_a_template_variable_left_out_is_named() -> None:
    store, incidents = FakeStore(), FakeIncidents()
    variables = {k: v for k, v in VARIABLES.items() if k != "contact"}
    with pytest.raises(TemplateProblemError, match="'contact'"):
        create_statement(
            store,
            incidents,
            TENANT,
            StatementCreate(incident_id=INCIDENT_ID, by="rina", template="crisis", variables=variables),
            NOW,
        )


def test_a_statement_needs_an_incident_that_exists() -> None:
    with pytest.raises(NotFoundError):
        create_statement(
            FakeStore(),
            FakeIncidents(known={}),
            TENANT,
            StatementCreate(incident_id=INCIDENT_ID, by="rina", content=RUSHED),
            NOW,
        )


def test_tone_errors_block_review_until_fixed_or_overridden_with_a_reason() -> None:
    store, incidents = FakeStore(), FakeIncidents()
    view = create_statement(
        store, incidents, TENANT, StatementCreate(incident_id=INCIDENT_ID, by="rina", content=RUSHED), NOW
    )
    statement_id = view.statement.statement_id
    assert {f.rule for f in view.statement.findings} >= {ToneRule.LEGAL_THREAT, ToneRule.BARE_DENIAL}
    with pytest.raises(BlockedByToneError, match="legal_threat"):
        submit(store, TENANT, statement_id, Submission(by="rina"), NOW)
    overrides = {
        ToneRule.EMOTIONAL_TONE: "quoting the hoax's own headline",
        ToneRule.BARE_DENIAL: "the lab results follow within the hour",
        ToneRule.LEGAL_THREAT: "legal insisted, recorded for the post-mortem",
    }
    submitted = submit(store, TENANT, statement_id, Submission(by="rina", overrides=overrides), NOW)
    assert submitted.statement.state is StatementState.IN_REVIEW
    assert {o.rule for o in submitted.statement.overrides} == set(overrides)
    assert sum(e.action is AuditAction.OVERRIDDEN for e in submitted.audit) == 3


def test_the_author_cannot_approve_and_a_second_person_can() -> None:
    store, incidents = FakeStore(), FakeIncidents()
    statement_id = _from_template(store, incidents)
    submit(store, TENANT, statement_id, Submission(by="rina"), NOW)
    with pytest.raises(NotAllowedError, match="author"):
        review(store, TENANT, statement_id, Review(by="Rina"), NOW)
    approved = review(store, TENANT, statement_id, Review(by="budi", comment="ok"), NOW)
    assert approved.statement.state is StatementState.APPROVED
    again = review(store, TENANT, statement_id, Review(by="budi"), NOW)
    assert len(again.statement.approvals) == 1, "the same approval sent twice counts once"


def test_only_named_approvers_count_and_the_tenant_sets_how_many() -> None:
    store = FakeStore(settings_value=PublishingSettings(approvers=["budi", "sari", "dewi"], required_approvals=2))
    incidents = FakeIncidents()
    statement_id = _from_template(store, incidents)
    submit(store, TENANT, statement_id, Submission(by="rina"), NOW)
    with pytest.raises(NotAllowedError, match="approvers"):
        review(store, TENANT, statement_id, Review(by="joko"), NOW)
    assert review(store, TENANT, statement_id, Review(by="budi"), NOW).statement.state is StatementState.IN_REVIEW
    assert review(store, TENANT, statement_id, Review(by="budi"), NOW).statement.state is StatementState.IN_REVIEW
    assert review(store, TENANT, statement_id, Review(by="sari"), NOW).statement.state is StatementState.APPROVED


def test_requesting_changes_sends_it_back_to_draft_and_an_edit_drops_old_approvals() -> None:
    store = FakeStore(settings_value=PublishingSettings(required_approvals=2))
    incidents = FakeIncidents()
    statement_id = _from_template(store, incidents)
    submit(store, TENANT, statement_id, Submission(by="rina"), NOW)
    review(store, TENANT, statement_id, Review(by="budi"), NOW)
    edited_content = store.statements[statement_id].current.content.model_copy(update={"first": Language.ENGLISH})
    edited = edit_statement(store, TENANT, statement_id, StatementEdit(by="rina", content=edited_content), NOW)
    assert edited.statement.state is StatementState.DRAFT
    assert edited.statement.approvals == []
    assert edited.audit[-1].changes == ["first"]
    submit(store, TENANT, statement_id, Submission(by="rina"), NOW)
    back = review(store, TENANT, statement_id, Review(by="sari", approve=False, comment="add the batch codes"), NOW)
    assert back.statement.state is StatementState.DRAFT
    assert back.audit[-1].action is AuditAction.CHANGES_REQUESTED


def test_publishing_queues_the_staff_first_promises_the_next_update_and_notes_the_incident() -> None:
    store, incidents, queue = FakeStore(), FakeIncidents(), FakeQueue()
    statement_id = _from_template(store, incidents)
    with pytest.raises(StatementStateError):
        publish(store, incidents, queue, TENANT, statement_id, PublishRequest(by="budi"), NOW)
    submit(store, TENANT, statement_id, Submission(by="rina"), NOW)
    review(store, TENANT, statement_id, Review(by="budi"), NOW)
    published = publish(store, incidents, queue, TENANT, statement_id, PublishRequest(by="budi"), NOW)
    version = published.statement.current
    assert published.statement.state is StatementState.PUBLISHED
    assert version.published_at == NOW
    assert version.content.next_update_at == NOW + timedelta(minutes=60), "critical: an hour by default"
    assert [task.target for task in queue.sent] == [PublicationTarget.STAFF]
    assert [e.kind for e in incidents.events] == [EventKind.STATEMENT_PUBLISHED]
    again = publish(
        store, incidents, queue, TENANT, statement_id, PublishRequest(by="budi"), NOW + timedelta(seconds=5)
    )
    assert again.statement.current.published_at == NOW, "publishing twice changes nothing"
    assert [task.version for task in queue.sent] == [1, 1], "its first step is queued again (claims dedupe sends)"
    assert len(incidents.events) == 1, "and the incident's timeline records it once"


def test_a_published_version_never_changes_and_an_update_is_a_new_version() -> None:
    store, incidents, queue = FakeStore(), FakeIncidents(), FakeQueue()
    statement_id = _from_template(store, incidents)
    submit(store, TENANT, statement_id, Submission(by="rina"), NOW)
    review(store, TENANT, statement_id, Review(by="budi"), NOW)
    publish(store, incidents, queue, TENANT, statement_id, PublishRequest(by="budi"), NOW)
    content = store.statements[statement_id].current.content.model_copy(
        update={"correction": True, "next_update_at": None}
    )
    with pytest.raises(StatementStateError, match="versions"):
        edit_statement(store, TENANT, statement_id, StatementEdit(by="rina", content=content), NOW)
    later = NOW + timedelta(hours=2)
    updated = new_version(store, TENANT, statement_id, StatementEdit(by="rina", content=content), later)
    assert [v.number for v in updated.statement.versions] == [1, 2]
    assert updated.statement.versions[0].published_at == NOW
    assert updated.statement.state is StatementState.DRAFT
    submit(store, TENANT, statement_id, Submission(by="rina"), later)
    review(store, TENANT, statement_id, Review(by="budi"), later)
    done = publish(store, incidents, queue, TENANT, statement_id, PublishRequest(by="budi"), later)
    assert [v.published_at for v in done.statement.published()] == [NOW, later]
    assert [t.version for t in queue.sent] == [1, 2]
