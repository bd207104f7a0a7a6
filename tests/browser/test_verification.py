"""Verification in a real browser: the facilitator publishes and sends a link from a laptop, an
invited organisation comments and corrects from a phone, the facilitator decides and publishes
again, and the phone sees the new version with the changed item marked."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    SCREENSHOTS,
    Contexts,
    Server,
    log_in,
    screenshot,
)
from workshops.demo import HELD_TITLE

pytestmark = pytest.mark.browser

ORG = "BUP inkl. En väg in"
CORRECTED = "Stödsamtal kopplat till funktionsnedsättningen, inte vid psykisk ohälsa i övrigt"


def assert_fits(page: Page, width: int, scope: str = ".verify-bar, .verify-intro") -> None:
    """Nothing of the verification parts sticks out sideways on a phone (the report's own
    tables are the report page's business)."""
    wide = page.evaluate(
        """([scope, w]) => [...document.querySelectorAll(scope)]
            .flatMap(e => [e, ...e.querySelectorAll('*')])
            .filter(e => e.getBoundingClientRect().right > w + 0.5)
            .slice(0, 5).map(e => e.tagName + '.' + e.className)""",
        [scope, width],
    )
    assert wide == [], f"{page.url}: wider than {width}px: {wide}"


def toast_screenshot(page: Page, name: str) -> None:
    """The viewport as the verifier sees it, with the message that fades after a while."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


def send_note(
    item: Locator, *, text: str, proposed: str | None = None, shot: str | None = None
) -> None:
    item.locator("summary").click()
    if proposed is not None:
        item.get_by_role("radio", name="Föreslå en rättelse").check()
        item.get_by_label("Föreslagen lydelse").fill(proposed)
    item.get_by_label("Din kommentar eller motivering").fill(text)
    if shot:
        item.locator("form").scroll_into_view_if_needed()
        toast_screenshot(item.page, shot)
    item.get_by_role("button", name="Skicka").click()


def test_an_organisation_verifies_the_report_through_its_link(
    server: Server, contexts: Contexts
) -> None:
    laptop = contexts.new(LAPTOP, permissions=["clipboard-read", "clipboard-write"])
    facilitator = laptop.new_page()
    log_in(facilitator)
    facilitator.get_by_role("link", name=HELD_TITLE).click()
    found = re.search(r"/f/w/(\d+)$", facilitator.url)
    assert found is not None
    page_url = f"/f/w/{found.group(1)}/verification/"

    # The facilitator publishes version 1 and creates a link for one organisation.
    facilitator.get_by_role("link", name="Verifiering", exact=True).click()
    expect(facilitator).to_have_url(re.compile(re.escape(page_url) + "$"))
    expect(facilitator.locator("#versions .notice")).to_contain_text("Inget är publicerat ännu")
    facilitator.get_by_label("Kort anteckning om versionen").fill("Första utskicket")
    facilitator.get_by_role("button", name="Publicera version 1").click()
    expect(facilitator.locator(".flash-ok")).to_have_text("Version 1 är publicerad.")
    facilitator.get_by_role("button", name=f"Skapa länk till {ORG}").click()
    box = facilitator.locator("#new-link")
    expect(box).to_contain_text(f"Ny länk till {ORG}")
    link = box.get_by_role("textbox").input_value()
    assert re.fullmatch(re.escape(server.base_url) + r"/v/[A-Za-z0-9_-]{43}", link), link
    box.get_by_role("button", name="Kopiera länken").click()
    expect(box.get_by_role("button", name="Kopierad")).to_be_visible()
    assert facilitator.evaluate("() => navigator.clipboard.readText()") == link
    row = facilitator.locator("tr", has_text=ORG)
    expect(row.locator(".lstate-active")).to_have_text("Aktiv")
    screenshot(facilitator, "verification-laptop-link.png")
    facilitator.reload()
    expect(facilitator.locator("#new-link")).to_have_count(0)

    # Before sending, the facilitator looks at the copy Habilitering will read: it opens with
    # what concerns them, each part a link to where it stands.
    facilitator.get_by_role("link", name="Visa exemplaret till Habilitering").click()
    expect(facilitator.locator(".report-toolbar .vt-title")).to_have_text(
        "Version 1 · Exemplaret till Habilitering"
    )
    theirs = facilitator.locator("section.concerns")
    expect(theirs.get_by_role("heading", level=2)).to_have_text("Det här gäller Habilitering")
    first = theirs.get_by_role("link").first
    target = first.get_attribute("href") or ""
    assert target.startswith("#item-statement-"), target
    first.click()
    expect(facilitator).to_have_url(re.compile(re.escape(target) + "$"))
    expect(facilitator.locator(target)).to_be_in_viewport()
    expect(facilitator.locator("article.org.yours h3 .flag-yours")).to_have_text("Gäller er")
    screenshot(facilitator, "verification-laptop-their-copy.png")
    # the facilitator's pages hold together on a phone, the versions table included
    small = contexts.page(PHONE)
    log_in(small)
    small.goto(page_url)
    expect(small.locator("#versions .vtable")).to_be_visible()
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    facilitator.goto(page_url)

    # The verifier opens the link on a phone, comments on one item and corrects another.
    phone = contexts.page(PHONE)
    phone.goto(link)
    expect(phone.locator(".verify-for")).to_have_text(f"Verifiering för {ORG}")
    expect(phone.locator(".verify-version")).to_have_text("Version 1")
    expect(phone.locator(".item.changed")).to_have_count(0)
    # the held demo's statements are all about Habilitering: nothing in particular for BUP
    expect(phone.locator("section.concerns")).to_contain_text(
        f"Inget i dokumentationen handlar särskilt om {ORG}."
    )
    assert_fits(phone, 390)
    toast_screenshot(phone, "verification-phone-open.png")

    items = phone.locator("li.item.statement")
    commented = items.nth(0)
    commented_id = commented.get_attribute("id")
    send_note(commented, text="Vi tar också emot unga vuxna upp till 20 år i vissa fall.")
    expect(phone.locator(".verify-toast-ok p")).to_have_text("Tack, din kommentar är skickad.")
    assert phone.url.endswith(f"#{commented_id}")
    toast_screenshot(phone, "verification-phone-sent.png")

    corrected = phone.locator("li.item.statement", has_text="Stödsamtal").first
    corrected_id = corrected.get_attribute("id")
    send_note(
        corrected,
        text="Bara vid funktionsnedsättning.",
        proposed=CORRECTED,
        shot="verification-phone-form.png",
    )
    expect(phone.locator(".verify-toast-ok p")).to_have_text("Tack, din kommentar är skickad.")
    expect(phone.locator(".verify-notes summary")).to_have_text("Dina kommentarer (2)")

    # The facilitator accepts the correction, rejects the comment, publishes version 2.
    facilitator.reload()
    facilitator.locator(".jump").get_by_role("link", name=re.compile("Kommentarer")).click()
    expect(facilitator.locator(".jump .count-open")).to_have_text("2")
    notes = facilitator.locator(".vnote")
    expect(notes).to_have_count(2)
    correction = notes.filter(has_text=CORRECTED)
    expect(correction.locator(".ba-before del")).to_have_text("Stödsamtal")
    expect(correction.locator(".ba-after ins")).to_have_text(CORRECTED)
    screenshot(facilitator, "verification-laptop-inbox.png")
    correction.get_by_role("button", name="Godta rättelsen").click()
    expect(facilitator.locator(".flash-ok")).to_contain_text("Godtagen")
    comment = facilitator.locator(".vnote", has_text="unga vuxna")
    comment.get_by_label("Svar till verksamheten").fill("Det gäller inte Habiliteringen i stort.")
    comment.get_by_role("button", name="Avvisa").click()
    expect(facilitator.locator(".flash-ok")).to_have_text("Avvisad.")
    expect(facilitator.locator(".vstate-accepted")).to_have_count(1)
    expect(facilitator.locator(".vstate-rejected")).to_have_count(1)
    expect(facilitator.locator(".draft-changed")).to_contain_text("sedan version 1: 1.")
    facilitator.get_by_label("Kort anteckning om versionen").fill("Rättelse från BUP")
    facilitator.get_by_role("button", name="Publicera version 2").click()
    expect(facilitator.locator(".flash-ok")).to_have_text("Version 2 är publicerad.")
    expect(facilitator.locator(".link-table tr", has_text=ORG)).to_contain_text("Version 1")
    screenshot(facilitator, "verification-laptop-decided.png")
    facilitator.locator(".vtable tr", has_text="Version 2").get_by_role(
        "link", name="Öppna"
    ).click()
    expect(facilitator.locator(".report-toolbar .vt-title")).to_have_text("Version 2")
    toolbar_changes = facilitator.locator(".vt-changes")
    toolbar_changes.locator("summary").click()
    expect(toolbar_changes.locator("summary")).to_have_text("Ändrade punkter sedan version 1: 1")
    # people answered "Stödsamtal": the item keeps that wording, the correction beside it
    expect(toolbar_changes.get_by_role("link")).to_have_text("Stödsamtal")
    expect(facilitator.locator(".item.changed .corrected ins")).to_have_text(CORRECTED)
    toast_screenshot(facilitator, "verification-laptop-version2.png")

    # The verifier reloads: version 2, and the corrected item marked as changed.
    phone.goto(link)
    expect(phone.locator(".verify-version")).to_contain_text("Version 2")
    expect(phone.locator(".verify-since")).to_contain_text(
        "ändrat sedan du senast tittade (version 1)"
    )
    changes = phone.locator(".verify-changes li")
    expect(changes).to_have_count(1)
    expect(changes).to_contain_text("Stödsamtal")
    marked = phone.locator(f"#{corrected_id}")
    expect(marked).to_have_class(re.compile(r"\bchanged\b"))
    expect(marked.locator(".item-text")).to_contain_text("Stödsamtal")
    expect(marked.locator(".corrected")).to_contain_text("Svaren ovan gäller lydelsen")
    expect(marked.locator(".corrected ins")).to_have_text(CORRECTED)
    expect(phone.locator(".item.changed")).to_have_count(1)
    phone.locator(".verify-notes summary").click()
    expect(phone.locator(".verify-notes")).to_contain_text("Det gäller inte Habiliteringen")
    assert_fits(phone, 390)
    toast_screenshot(phone, "verification-phone-version2.png")
    changes.get_by_role("link").click()
    expect(phone).to_have_url(re.compile(f"#{corrected_id}$"))
    toast_screenshot(phone, "verification-phone-changed-item.png")
    screenshot(phone, "verification-phone-full.png")

    # The facilitator revokes the link: the phone gets a page without any of the report.
    facilitator.goto(page_url)
    facilitator.get_by_role("button", name=f"Återkalla länken till {ORG}").click()
    expect(facilitator.locator(".flash-ok")).to_contain_text("Länken är återkallad")
    response = phone.goto(link)
    assert response is not None and response.status == 410
    expect(phone.get_by_role("heading", level=1)).to_have_text("Länken har dragits tillbaka.")
    expect(phone.locator("body")).not_to_contain_text("Habilitering")
    toast_screenshot(phone, "verification-phone-revoked.png")
    contexts.assert_no_page_errors()
