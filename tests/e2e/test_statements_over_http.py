"""Statement publishing on the running local stack, as a brand's team and the public see it: a statement drafted
from the template, approved by a second person and published over HTTP; the staff e-mail and the contact
centre's signed webhook; then the status page opened in a real headless Chromium, in both languages, with its
feeds and JSON beside it."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sigap_tools.client import SigapClient
from sigap_tools.local.outbox import sent_emails
from sigap_tools.local.stack import LocalStack
from tests.e2e.browser import chromium, rendered_dom, screenshot
from tests.e2e.conftest import create_tenant_with_cli, person_with_cli, wait_for
from tests.unit.publishing_fakes import VARIABLES

pytestmark = pytest.mark.xdist_group("e2e")


class _VisibleText(HTMLParser):
    """The text a visitor reads: everything outside <head>, <style> and <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.scripts = 0
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        if tag in ("head", "style", "script"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "script"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts))


def _visible(dom: str) -> _VisibleText:
    parser = _VisibleText()
    parser.feed(dom)
    return parser


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - the local stack
        return answer.status, answer.headers.get("content-type", ""), answer.read()


def test_a_published_statement_is_on_the_status_page_a_browser_shows_in_both_languages(
    stack: LocalStack, tmp_path: Path
) -> None:
    assert stack.receiver is not None
    chromium()  # fails at once, naming `make browser`, if this machine has no browser
    tenant_id, key = create_tenant_with_cli(stack, "e2e-statements")
    client = SigapClient(stack.api_url, key)
    base = f"/v1/tenants/{tenant_id}"
    # Given an incident, a webhook for the contact centre and a staff list
    opened = client.request("POST", f"{base}/incidents", body={"title": "Hoax about the tea", "scope": "national"})
    assert opened.status == 201, opened.body
    incident_id = opened.body["incident"]["incident_id"]
    hook = client.request(
        "POST",
        f"{base}/channels",
        body={"name": "cc", "settings": {"type": "webhook", "url": f"{stack.receiver.url}/webhook/{tenant_id}"}},
    )
    assert hook.status == 201, hook.body
    stack.receiver.register_secret(tenant_id, [hook.body["signing_secret"]])
    staff = f"staff@{tenant_id}.example"
    settings = {"staff_emails": [staff], "channel_ids": [hook.body["channel"]["channel_id"]], "page_title": "Teh Segar"}
    assert client.request("PUT", f"{base}/publishing", body=settings).status == 200
    # When a statement is drafted from the template, approved by another person and published
    variables = VARIABLES | {"next_update_id": "pukul 23.00 WIB", "next_update_en": "at 23:00 WIB"}
    # (two people added and signed in with the CLI, each acting with their own token)
    rina = SigapClient(stack.api_url, person_with_cli(stack, tenant_id, "rina@e2e.example", "approver"))
    budi = SigapClient(stack.api_url, person_with_cli(stack, tenant_id, "budi@e2e.example", "approver"))
    draft = rina.request(
        "POST", f"{base}/statements", body={"incident_id": incident_id, "template": "crisis", "variables": variables}
    )
    assert draft.status == 201, draft.body
    statement_id = draft.body["statement"]["statement_id"]
    assert rina.request("POST", f"{base}/statements/{statement_id}/submit", body={}).status == 200
    assert rina.request("POST", f"{base}/statements/{statement_id}/reviews", body={}).status == 403
    # A key never reaches the function here: the route's JWT authorizer answers it, as API Gateway does
    by_key = client.request("POST", f"{base}/statements/{statement_id}/reviews", body={})
    assert (by_key.status, by_key.body) == (401, {"message": "Unauthorized"})
    assert budi.request("POST", f"{base}/statements/{statement_id}/reviews", body={}).status == 200
    assert budi.request("POST", f"{base}/statements/{statement_id}/publish", body={}).status == 202

    # Then the staff e-mail and the signed webhook arrive, once each, and every target reports sent
    def delivered() -> bool:
        view = client.request("GET", f"{base}/statements/{statement_id}").body
        states = {d["target"]: d["state"] for d in view["deliveries"].get("1", [])}
        return len(states) == 4 and all(state in ("sent", "skipped") for state in states.values())

    wait_for(delivered, timeout=90)
    wait_for(lambda: stack.receiver is not None and stack.receiver.received("webhook", tenant_id), timeout=30)
    (webhook,) = stack.receiver.received("webhook", tenant_id)
    assert webhook.accepted, webhook.problem
    assert webhook.body["type"] == "sigap.notification.statement"
    staff_mail = [m for m in sent_emails(stack.endpoints["ses"]) if staff in str(m.get("destinations"))]
    assert len(staff_mail) == 1
    # And a visitor's browser shows the statement in Indonesian, with a switch to English
    page_url = f"{stack.api_url}/status/{tenant_id}/"
    status, content_type, body = _get(page_url)
    assert status == 200
    assert content_type.startswith("text/html")
    assert len(body) < 50_000
    indonesian = _visible(rendered_dom(page_url))
    assert indonesian.scripts == 0, "the page works without JavaScript: it has none"
    assert "Teh Segar: hasil uji menunjukkan produk aman" in indonesian.text
    assert "Sedang diselidiki" in indonesian.text
    assert "Hasil uji BPOM" in indonesian.text
    assert "English" in indonesian.text
    english = _visible(rendered_dom(page_url + "en/"))
    assert "Teh Segar: tests show the product is safe" in english.text
    assert "Investigating" in english.text
    assert "Bahasa Indonesia" in english.text
    # And its stylesheet is allowed by its own Content-Security-Policy (the browser refuses nothing)
    logged = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--dump-dom", page_url],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
    assert "Content Security Policy" not in logged.stderr
    shot = screenshot(page_url, tmp_path / "status.png")
    assert shot.stat().st_size > 10_000
    # And the feeds and JSON say the same
    _, atom_type, atom = _get(page_url + "feed.atom")
    assert atom_type.startswith("application/atom+xml")
    titles = [e.text for e in ET.fromstring(atom).iter("{http://www.w3.org/2005/Atom}title")]  # noqa: S314 - our own feed
    assert "Teh Segar: hasil uji menunjukkan produk aman" in titles
    _, _, feed = _get(page_url + "en/feed.json")
    assert json.loads(feed)["items"][0]["title"] == "Teh Segar: tests show the product is safe"
    _, _, rss = _get(page_url + "feed.rss")
    assert ET.fromstring(rss).find("channel/item/guid") is not None  # noqa: S314 - our own feed
    public = SigapClient(stack.api_url).request("GET", f"/v1/status/{tenant_id}")
    assert public.body["active"] == 1
