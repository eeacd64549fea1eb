"""The demo's statement step: after the hoax alert, the team drafts a statement. The rushed first draft ("TIDAK
BENAR!!!" and a threat to report the spreaders to the police) is shown with the tone check's findings and
refused for review; the draft is rewritten from the bilingual template, the author cannot approve it, a second
person does, and it is published: the staff e-mail first, then the status page and its feeds, a subscriber's
e-mail and the contact centre's signed webhook. The post-crisis report is written as HTML and PDF."""

from __future__ import annotations

import email
import email.policy
import re
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sigap_tools.client import SigapClient
from sigap_tools.local.outbox import sent_emails
from sigap_tools.local.receiver import LocalReceiver

RUSHED = (
    "TIDAK BENAR!!! Teh Segar tidak beracun. Kami akan melaporkan para penyebar hoaks ke polisi "
    "dan menjerat mereka dengan UU ITE."
)
AUTHOR = "rina@teh-segar.example"
APPROVER = "budi@teh-segar.example"
SECOND_APPROVER = "sari@teh-segar.example"
STAFF = "semua-staf@teh-segar.example"
READER = "pembaca@example.org"
VARIABLES = {
    "brand": "Teh Segar",
    "headline_id": "hasil uji menunjukkan produk aman",
    "headline_en": "tests show the product is safe",
    "what_happened_id": "Sejak pagi ini beredar pesan berantai yang menyebut Teh Segar botol mengandung racun.",
    "what_happened_en": "Since this morning a chain message has claimed that bottled Teh Segar is poisonous.",
    "facts_id": "Uji laboratorium independen dan pemeriksaan BPOM tidak menemukan zat berbahaya pada sampel dari "
    "12 kota.",
    "facts_en": "Independent laboratory tests and BPOM's inspection found no harmful substance in samples from "
    "12 cities.",
    "evidence_label_id": "Hasil uji laboratorium dan temuan BPOM",
    "evidence_label_en": "Laboratory results and BPOM's finding",
    "evidence_url": "https://tehsegar.example/hasil-uji",
    "actions_id": "Kami telah mengirim sampel tambahan untuk pengujian ulang dan bekerja sama dengan BPOM.",
    "actions_en": "We have sent further samples for retesting and are working with BPOM.",
    "advice_id": "Produk aman diminum. Jika menerima pesan serupa, teruskan ke layanan konsumen kami.",
    "advice_en": "The product is safe to drink. If you receive a similar message, forward it to our contact centre.",
    "prevention_id": "Kami akan menerbitkan hasil uji setiap batch di situs kami.",
    "prevention_en": "We will publish every batch's test results on our site.",
    "contact": "Layanan konsumen / contact centre: 0800-1-234567 (WhatsApp), halo@tehsegar.example",
}


@dataclass
class StatementDemo:
    rushed_findings: list[dict[str, Any]] = field(default_factory=list)
    rushed_refused: str = ""
    author_refused: str = ""
    statement_id: str = ""
    page_url: str = ""
    page_bytes: int = 0
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    emails: list[tuple[str, str]] = field(default_factory=list)
    webhook_verified: bool = False
    report_paths: list[Path] = field(default_factory=list)
    page_copy: Path | None = None
    audit: list[str] = field(default_factory=list)
    published: bool = False
    credentials: dict[str, str] = field(default_factory=dict)  # the team's e-mail addresses and passwords


def _ok(answer: Any, status: int, what: str) -> Any:
    if answer.status != status:
        raise RuntimeError(f"{what}: {answer.status} {answer.body}")
    return answer.body


def _raw_emails(ses_endpoint: str) -> list[Message]:
    return [
        email.message_from_string(str(m["raw_data"]), policy=email.policy.default)
        for m in sent_emails(ses_endpoint)
        if m.get("raw_data")
    ]


def team_of(stack: Any, target: Any, tenant_id: str) -> tuple[dict[str, SigapClient], dict[str, str]]:
    """The crisis team as people who sign in to the stack's user pool: the author and two others, all approvers;
    each acts through the API with their own token. Also their passwords, for the console afterwards."""
    from sigap.kernel.identity import Role
    from sigap.kernel.models import utc_now
    from sigap.tenants.store import TenantStore
    from sigap_tools.cli.people_cli import new_password
    from sigap_tools.people import UserPoolRef, add_person, sign_in

    pool = UserPoolRef(target.output("UserPoolId"), target.output("UserPoolClientId"))
    cognito = stack.client("cognito-idp")
    tenants = TenantStore(target.output("TenantsTableName"))
    team, passwords = {}, {}
    for address in (AUTHOR, APPROVER, SECOND_APPROVER):
        password = passwords[address] = new_password()
        add_person(
            cognito, pool, tenants, tenant_id, address, Role.APPROVER, password=password, now=utc_now(), by="demo"
        )
        team[address] = SigapClient(stack.api_url, sign_in(cognito, pool, address, password))
    return team, passwords


def run(
    client: SigapClient,
    team: dict[str, SigapClient],
    public: SigapClient,
    tenant_id: str,
    incident_id: str,
    receiver: LocalReceiver,
    ses_endpoint: str,
    report_dir: Path,
) -> StatementDemo:
    base = f"/v1/tenants/{tenant_id}"
    result = StatementDemo()
    hook = {"type": "webhook", "url": f"{receiver.url}/webhook/contact-centre-statements"}
    created_hook = _ok(
        client.request("POST", f"{base}/channels", body={"name": "Contact centre (statements)", "settings": hook}),
        201,
        "the statements webhook",
    )
    receiver.register_secret("contact-centre-statements", [created_hook["signing_secret"]])
    webhook_channel_id = created_hook["channel"]["channel_id"]
    settings = {
        "approvers": [APPROVER, SECOND_APPROVER],
        "staff_emails": [STAFF],
        "channel_ids": [webhook_channel_id],
        "page_title": "Teh Segar: status",
        "contact": VARIABLES["contact"],
    }
    _ok(client.request("PUT", f"{base}/publishing", body=settings), 200, "publishing settings")
    # A reader subscribes on the status page and confirms from the e-mail (double opt-in).
    _ok(public.request("POST", f"/v1/status/{tenant_id}/subscribe", body={"email": READER}), 202, "subscribe")
    # The publisher sends the confirmation off the request (the page answers every address alike, and at once).
    deadline = time.monotonic() + 60
    while not (confirmations := [m for m in _raw_emails(ses_endpoint) if READER in str(m["To"])]):
        if time.monotonic() > deadline:
            raise RuntimeError("no confirmation e-mail within 60 s")
        time.sleep(0.25)
    confirmation = confirmations[-1]
    link = re.search(r"(/v1/status/[^/\s]+/confirm/\S+)", _text(confirmation))
    if link is None:
        raise RuntimeError("the confirmation e-mail has no link")
    _ok(public.request("POST", link.group(1), raw=b""), 200, "confirm")
    # The rushed first draft.
    author, approver = team[AUTHOR], team[APPROVER]
    draft = {"incident_id": incident_id, "content": {"id": {"title": "Klarifikasi Teh Segar", "body": RUSHED}}}
    created = _ok(author.request("POST", f"{base}/statements", body=draft), 201, "the first draft")
    result.statement_id = statement_id = created["statement"]["statement_id"]
    result.rushed_findings = created["statement"]["findings"]
    refused = author.request("POST", f"{base}/statements/{statement_id}/submit", body={})
    result.rushed_refused = f"{refused.status} {refused.body['error']['code']}: {refused.body['error']['message']}"
    # Rewritten from the bilingual template: what happened, the facts with evidence, actions, contact, next update.
    templates = _ok(client.request("GET", f"{base}/statement-templates"), 200, "templates")
    crisis = next(t for t in templates["items"] if t["name"] == "crisis")
    promise = next_update_at()
    wib = promise.astimezone(ZoneInfo("Asia/Jakarta"))
    variables = VARIABLES | {
        "next_update_id": f"pukul {wib:%H.%M} WIB hari ini",
        "next_update_en": f"at {wib:%H:%M} WIB today",
    }
    rendered = _ok(
        author.request(
            "POST",
            f"{base}/statements",
            body={"incident_id": incident_id, "template": crisis["name"], "variables": variables},
        ),
        201,
        "the template draft",
    )["statement"]["versions"][0]["content"] | {"next_update_at": promise.isoformat()}
    _ok(
        author.request("PUT", f"{base}/statements/{statement_id}", body={"content": rendered}),
        200,
        "the rewrite",
    )
    _ok(author.request("POST", f"{base}/statements/{statement_id}/submit", body={}), 200, "submit")
    own = author.request("POST", f"{base}/statements/{statement_id}/reviews", body={})
    result.author_refused = f"{own.status} {own.body['error']['message']}"
    _ok(
        approver.request("POST", f"{base}/statements/{statement_id}/reviews", body={"comment": "ok"}),
        200,
        "approval",
    )
    before = len(_raw_emails(ses_endpoint))
    _ok(approver.request("POST", f"{base}/statements/{statement_id}/publish", body={}), 202, "publish")
    result.published = True
    # Wait for every channel.
    deadline = time.monotonic() + 90
    view: dict[str, Any] = {}
    while time.monotonic() < deadline:
        view = _ok(client.request("GET", f"{base}/statements/{statement_id}"), 200, "the statement")
        targets = {d["target"]: d for d in view["deliveries"].get("1", [])}
        done = targets.get("subscribers", {}).get("state") == "sent" and all(
            targets.get(name, {}).get("state") == "sent"
            for name in ("staff", "status_page", f"channel:{webhook_channel_id}")
        )
        if done and receiver.received("webhook", "contact-centre-statements"):
            break
        time.sleep(0.5)
    result.deliveries = view.get("deliveries", {}).get("1", [])
    result.audit = [
        f"{e['at'][11:19]} {e['actor']}: {e['action']} {e['comment']}".rstrip()
        + (f" ({', '.join(e['changes'])})" if e["changes"] else "")
        for e in view.get("audit", [])
    ]
    result.emails = [(str(m["To"]), str(m["Subject"])) for m in _raw_emails(ses_endpoint)[before:]]
    hooks = receiver.received("webhook", "contact-centre-statements")
    result.webhook_verified = bool(hooks) and all(hook.accepted for hook in hooks)
    result.page_url = f"{client_base(public)}/status/{tenant_id}/"
    report_dir.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(result.page_url, timeout=10) as page:  # noqa: S310 - the local stack
        html = page.read()
    result.page_bytes = len(html)
    result.page_copy = report_dir / "status-page.html"  # the demo's stack stops; the page stays readable
    result.page_copy.write_bytes(html)
    lessons = {
        "text": "Publish the lab results with the first statement. Never answer a hoax with a threat: the rushed "
        "draft's 'TIDAK BENAR!!!' and police threat were caught by the tone check."
    }
    _ok(client.request("PUT", f"{base}/incidents/{incident_id}/report/lessons", body=lessons), 200, "lessons")
    for kind in ("html", "pdf"):
        answer = client.request("GET", f"{base}/incidents/{incident_id}/report", query={"format": kind})
        if answer.status != 200:
            raise RuntimeError(f"the {kind} report: {answer.status} {answer.body}")
        path = report_dir / f"report-{incident_id}.{kind}"
        path.write_bytes(answer.body if isinstance(answer.body, bytes) else str(answer.body).encode())
        result.report_paths.append(path)
    return result


def next_update_at() -> datetime:
    """An hour from now on the half hour: the time the statement promises and the reminders hold it to."""
    soon = datetime.now(UTC) + timedelta(hours=1)
    return soon.replace(minute=0 if soon.minute < 30 else 30, second=0, microsecond=0)


def client_base(client: SigapClient) -> str:
    return client._base


def _text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode()
    return ""


def show(result: StatementDemo) -> None:
    print("\nStatement publishing (the team answers the hoax):")
    print("  A rushed first draft:")
    print(f"    {RUSHED}")
    print("  The tone check's findings:")
    for finding in result.rushed_findings:
        span = f" «{finding['span']['text']}»" if finding["span"]["text"] else ""
        print(f"    {finding['severity']:7} {finding['rule']}{span}: {finding['suggestion']}")
    print(f"  Submitting it for review: {result.rushed_refused}")
    print("  Rewritten from the bilingual template (facts, evidence link, actions, contact, next update): no findings.")
    print(f"  The author approving her own statement: {result.author_refused}")
    print(f"  Approved by {APPROVER} and published. Audit:")
    for line in result.audit:
        print(f"    {line}")
    print("  Deliveries (staff first):")
    for delivery in sorted(result.deliveries, key=lambda d: str(d.get("updated_at") or "")):
        print(f"    {delivery['target']:28} {delivery['state']:8} sent {delivery['sent']}")
    for to, subject in result.emails:
        print(f"    e-mail to {to}: {subject}")
    verified = "yes" if result.webhook_verified else "no"
    print(f"  Contact centre webhook verified by the receiver (Standard Webhooks): {verified}")
    print(f"  Status page: {result.page_url} ({result.page_bytes:,} bytes; feeds: feed.atom, feed.rss, feed.json)")
    print(f"    (a copy of the page: {result.page_copy})")
    for path in result.report_paths:
        print(f"  Post-crisis report: {path}")
