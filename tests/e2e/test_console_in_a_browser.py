"""The console in a real browser (Playwright driving Debian's Chromium; no browser is downloaded), on the local
stack, at desktop and phone width, as the crisis team uses it: the "View alert" link asks to sign in and lands on
the alert; Now shows the crisis; the inbox acknowledges; a rushed statement's findings appear as it is typed; the
fixed statement is submitted, approved by a second person and published; the status page and the report open.
Every page is checked for accessibility with axe-core (vendored, offline), and fits a phone's width."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api as playwright_api

from sigap.detection.store import AlertsTable
from sigap.incidents.store import IncidentsTable
from sigap_tools.local.stack import LocalStack
from tests.e2e.browser import chromium
from tests.e2e.conftest import create_tenant_with_cli, sigap_cli
from tests.integration.notify_harness import make_alert
from tests.unit.publishing_fakes import VARIABLES, incident

pytestmark = pytest.mark.xdist_group("e2e")

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
RUSHED = "TIDAK BENAR!!! Kami akan melaporkan para penyebar hoaks ke polisi."
# Where `SIGAP_CONSOLE_SHOTS=<folder>` asks the test to leave a screenshot of each page (the README's and the
# closing note's pictures), with each page's size and first-render time in measurements.json.
SHOTS = os.environ.get("SIGAP_CONSOLE_SHOTS")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def crisis(stack: LocalStack) -> dict[str, str]:
    """A brand in the middle of the hoax: a critical alert, its incident, and two people of the crisis team."""
    tenant_id, _ = create_tenant_with_cli(stack, "console-brand")
    people = {}
    for name, role in (("rina", "responder"), ("budi", "approver")):
        email, password = f"{name}@{tenant_id}.example", f"{name.capitalize()}-passw0rd-1"
        sigap_cli(
            stack, "people", "add", "--tenant", tenant_id, "--email", email, "--role", role, "--password", password
        )
        people[name] = email
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    alert = make_alert(tenant=tenant_id, fired_at=now - timedelta(minutes=12))
    AlertsTable(stack.outputs["AlertsTableName"], client=stack.client("dynamodb")).save(alert, 0, None)
    opened = incident(tenant_id=tenant_id, opened_at=now, first_mention_at=now, detected_at=now)
    IncidentsTable(stack.outputs["NotificationsTableName"], client=stack.client("dynamodb")).save_incident(
        opened, 0, []
    )
    return {
        "tenant": tenant_id,
        "alert": alert.alert_id,
        "incident": opened.incident_id,
        "summary": alert.summary,
    } | people


class Visitor:
    """One person's browser tab: pages opened and checked the same way each time."""

    def __init__(self, browser: Any, stack: LocalStack, viewport: dict[str, int], language: str = "en-GB") -> None:
        # bypass_csp only so the test can inject axe-core; the pages' own CSP is asserted from their headers.
        self.context = browser.new_context(viewport=viewport, locale=language, bypass_csp=True)
        self.page = self.context.new_page()
        self.api = stack.api_url
        self.viewport = viewport
        self.measurements: list[dict[str, Any]] = []

    def open(self, path: str) -> Any:
        started = time.monotonic()
        answer = self.page.goto(self.api + path)
        self.page.wait_for_load_state("load")
        self.measurements.append(
            {
                "path": path.split("?")[0],
                "status": answer.status if answer else None,
                "ms": round((time.monotonic() - started) * 1000),
                "bytes": len(self.page.content().encode()),
            }
        )
        return answer

    def sign_in(self, email: str, password: str) -> None:
        self.page.get_by_label("E-mail address").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state("load")

    def accessible(self) -> list[str]:
        """axe-core's serious and critical findings on the page as it is now."""
        self.page.add_script_tag(path=str(AXE))
        found = self.page.evaluate("async () => (await axe.run(document)).violations")
        return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in found if v["impact"] in ("serious", "critical")]

    def fits(self) -> bool:
        return bool(self.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"))

    def shoot(self, name: str) -> None:
        if SHOTS:
            folder = Path(SHOTS)
            folder.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


def _check(visitor: Visitor, name: str) -> None:
    assert visitor.accessible() == [], name
    assert visitor.fits(), f"{name} is wider than {visitor.viewport['width']} px"
    visitor.shoot(name)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_crisis_team_works_the_crisis_in_the_console(
    stack: LocalStack, browser: Any, crisis: dict[str, str], viewport: dict[str, int]
) -> None:
    width = "desktop" if viewport == DESKTOP else "phone"
    tenant = crisis["tenant"]
    base = f"/console/tenants/{tenant}"
    rina = Visitor(browser, stack, viewport)
    # Given the alert e-mail's "View alert" link, opened without a session: the sign-in page, then the alert
    rina.open(f"{base}/alerts/{crisis['alert']}")
    assert "/console/sign-in" in rina.page.url
    _check(rina, f"{width}-sign-in")
    rina.sign_in(crisis["rina"], "Rina-passw0rd-1")
    assert rina.page.url.endswith(f"{base}/alerts/{crisis['alert']}")
    assert rina.page.get_by_role("heading", level=1).inner_text().startswith("Story spreading")
    _check(rina, f"{width}-alert")
    # Now shows the crisis: its chart, and the open alert
    response = rina.open(base)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert rina.page.locator("svg.chart").is_visible()
    assert rina.page.get_by_text(crisis["summary"]).first.is_visible()
    _check(rina, f"{width}-now")
    # The inbox acknowledges in one click (whichever width runs second finds it acknowledged already)
    rina.open(f"{base}/alerts?status=all")
    _check(rina, f"{width}-inbox")
    if rina.page.get_by_role("button", name="Acknowledge").count():
        rina.page.get_by_role("button", name="Acknowledge").first.click()
        rina.page.wait_for_load_state("load")
        assert rina.page.get_by_role("status").inner_text().startswith("Acknowledged")
    assert rina.page.get_by_text(f"Acknowledged by {crisis['rina']}").first.is_visible()
    # A statement from the incident's page: the template, then a rushed text whose findings appear as it is typed
    rina.open(f"{base}/incidents/{crisis['incident']}")
    _check(rina, f"{width}-incident")
    rina.page.get_by_role("link", name="Draft a statement").click()
    rina.page.wait_for_load_state("load")
    for name, value in VARIABLES.items():
        field = rina.page.locator(f"#var-{name}")
        if field.count():
            field.fill(value)
    rina.page.get_by_role("button", name="Draft a statement").click()
    rina.page.wait_for_load_state("load")
    assert "/statements/st-" in rina.page.url
    statement = rina.page.url.removeprefix(stack.api_url)
    body = rina.page.locator("#id-body")
    calm = body.input_value()
    body.fill(RUSHED)
    rina.page.locator("#findings-id .finding").first.wait_for(timeout=15_000)
    assert "legal" in rina.page.locator("#findings-id").inner_text().lower()
    _check(rina, f"{width}-statement-findings")
    body.fill(calm)
    rina.page.get_by_role("button", name="Save draft").click()
    rina.page.wait_for_load_state("load")
    rina.page.get_by_role("button", name="Submit for approval").click()
    rina.page.wait_for_load_state("load")
    assert rina.page.get_by_role("status").inner_text().startswith("Submitted")
    assert rina.page.get_by_role("button", name="Approve").count() == 0  # the author cannot approve
    # A second person approves and publishes
    budi = Visitor(browser, stack, viewport)
    budi.open(statement)
    budi.sign_in(crisis["budi"], "Budi-passw0rd-1")
    budi.page.get_by_role("button", name="Approve").click()
    budi.page.wait_for_load_state("load")
    budi.page.get_by_role("button", name="Publish").click()
    budi.page.wait_for_load_state("load")
    assert budi.page.get_by_role("status").inner_text().startswith("Published")
    _check(budi, f"{width}-statement-published")
    # The status page shows it, and the report opens
    status_link = budi.page.get_by_role("link", name="Status page").get_attribute("href")
    assert status_link
    title = VARIABLES["brand"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        budi.open(status_link.removeprefix(stack.api_url))
        if title in budi.page.content():
            break
        time.sleep(0.5)
    assert title in budi.page.content()
    budi.open(f"{base}/incidents/{crisis['incident']}/report")
    assert budi.page.get_by_role("heading", level=1).count() == 1
    budi.shoot(f"{width}-report")
    # Every section once more, as a person moving around the console (its functions warm): each one accessible,
    # fitting the screen, and timed to its first render
    cold = rina.measurements + budi.measurements
    rina.measurements = []
    for section in ("", "/mentions", "/alerts", "/incidents", "/statements", f"/incidents/{crisis['incident']}"):
        rina.open(base + section)
        _check(rina, f"{width}-section{section.replace('/', '-')}")
    rina.open(statement)
    if SHOTS:
        measured = Path(SHOTS) / f"measurements-{width}.json"
        measured.write_text(json.dumps({"first_visits": cold, "warm": rina.measurements}, indent=1))
    rina.close()
    budi.close()
