"""Hostile text in every free-text field, rendered in every view in real Chromium: nothing runs.

Each payload, if it ever ran, would set ``window.__xss`` or open a dialog. The payloads go in
through the real pages: the workshop and statement forms, the CSV import, a phone's join form
and its comment, and then generically every POST form of the facilitator's pages (every text
input and textarea filled with the next payload). Every view is then opened at laptop size and
the phone pages at 390×844; a dialog, the marker, an uncaught error or a CSP violation fails
the test, and the payloads must be visible as text (rendered, not dropped). The PDFs made of
the same texts (drafts, published versions, the verifier's copy, project overviews) must hold
the payloads as text too, and link nowhere and run nothing (pdftotext, pdfinfo -url and -js).
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Dialog, Page, expect
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    Contexts,
    Room,
    Server,
    create_workshop,
    join_by_code,
    log_in,
    start_first_statement,
    tap_vote,
    vote_button,
)

pytestmark = pytest.mark.browser

# Short enough for a name field (60 characters); each would set the marker or open a dialog.
PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=2">',
    "<svg onload=window.__xss=3>",
    '"><img src=x onerror=alert(4)>',
    "'><svg/onload=alert(5)>",
    "</textarea><script>alert(6)</script>",
    "javascript:alert(7)",
    "{{7*7}} ${7*7} #{7*7} <%= 7*7 %>",
    '</style><b style="x:expression(alert(9))">',
    "\u202e<b onmouseover=alert(10)>bidi\u202c",
    '<a href="javascript:alert(11)">l</a>',
    '<iframe srcdoc="<script>parent.__xss=12</script>">',
    "url(javascript:alert(13));}<style>@import'x'</style>",
]
LONG = "A" * 420 + "<script>window.__xss=14</script>"
# Forms not to fill generically: they destroy what the other views need, or leave the page.
SKIP_ACTIONS = re.compile(r"delete|logout|revoke|remove|leave|withdraw|undo|/live/|import")

WATCH_SCRIPT = """
window.__xss = 0;
window.__csp = [];
document.addEventListener('securitypolicyviolation', e =>
    window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@dataclass
class Evidence:
    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)
    texts: str = ""
    pdf_texts: str = ""
    # what a PDF would act on: its link targets (pdfinfo -url) and document scripts (-js)
    pdf_actions: list[str] = field(default_factory=list)


def watch(context: BrowserContext, evidence: Evidence) -> None:
    context.add_init_script(WATCH_SCRIPT)

    def on_page(page: Page) -> None:
        def on_dialog(dialog: Dialog) -> None:
            evidence.dialogs.append(f"{page.url}: {dialog.type} {dialog.message!r}")
            with contextlib.suppress(PlaywrightError):  # the page may be gone meanwhile
                dialog.dismiss()

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                evidence.console_errors.append(f"{page.url}: {message.text}")

        page.on("dialog", on_dialog)
        page.on("console", on_console)

    context.on("page", on_page)


def inspect_view(page: Page, url: str, evidence: Evidence) -> None:
    try:
        response = page.goto(url)
    except PlaywrightTimeoutError as exc:
        # Seen once (the WS2 projector after the WS2 console): say what the browser showed.
        raise AssertionError(f"{url} did not load; dialogs so far: {evidence.dialogs}") from exc
    assert response is not None and response.status < 400, (url, response and response.status)
    page.wait_for_load_state("networkidle")
    marker = page.evaluate("() => window.__xss")
    if marker:
        evidence.markers.append(f"{url}: window.__xss={marker}")
    evidence.csp += [f"{url}: {v}" for v in page.evaluate("() => window.__csp || []")]
    evidence.texts += "\n" + page.evaluate(
        "() => document.documentElement.innerText ?? document.documentElement.textContent"
    )
    # Hovering, focusing and clicking everything gives event-handler attributes their chance to
    # fire. Not clicked: links, forms and the page's own controls. A click on a console's
    # buttons runs the console (opens, closes, reveals, counts the room again), even on a
    # disabled button (a synthetic click reaches its listener), and an answer arriving after
    # the next navigation began once hung it (the "WS2 projector hang": "Öppna markerade"
    # with nothing ticked had answered with an alert). A payload that became a control is
    # caught anyway: it would not be shown as text.
    page.evaluate(
        """() => document.querySelectorAll('body *').forEach(e => {
            const control = e.closest('form, a, button, input, select, textarea, summary');
            for (const t of ['mouseover', 'focus', 'click']) {
                if (t === 'click' && control) continue;
                e.dispatchEvent(new Event(t, {bubbles: false}));
            }})"""
    )
    marker = page.evaluate("() => window.__xss")
    if marker:
        evidence.markers.append(f"{url} (events): window.__xss={marker}")


# pdftotext breaks lines where the page did and leaves bidi controls out
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def squeezed(text: str) -> str:
    """The text without whitespace and bidi controls, to find a payload however it was laid
    out."""
    return "".join(text.translate(BIDI_CONTROLS).split())


def inspect_pdf(page: Page, url: str, evidence: Evidence, folder: Path) -> None:
    """A PDF a view offers, fetched with the page's session: its text, and anything in it that
    a PDF reader would act on (links, scripts). A payload taken as markup by WeasyPrint would
    be missing from the text; one that became a link would be listed by pdfinfo -url."""
    response = page.request.get(url)
    assert response.status == 200, (url, response.status)
    pdf = folder / f"{len(list(folder.glob('*.pdf')))}.pdf"
    pdf.write_bytes(response.body())
    assert pdf.read_bytes().startswith(b"%PDF"), url

    def run(*command: str) -> str:
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout

    evidence.pdf_texts += "\n" + run("pdftotext", "-enc", "UTF-8", str(pdf), "-")
    links = [line for line in run("pdfinfo", "-url", str(pdf)).splitlines()[1:] if line.strip()]
    script = run("pdfinfo", "-js", str(pdf)).strip()
    evidence.pdf_actions += [f"{url}: {line}" for line in links]
    if script:
        evidence.pdf_actions.append(f"{url}: script {script!r}")


def assert_pdfs_inert(evidence: Evidence, texts: list[str], base_url: str) -> None:
    """Every text is in some PDF as text, and the PDFs link nowhere but the app itself."""
    pdf_text = squeezed(evidence.pdf_texts)
    missing = [t for t in texts if squeezed(t) not in pdf_text]
    assert missing == [], "not in any PDF as text: " + repr(missing)
    foreign = [a for a in evidence.pdf_actions if f" {base_url}/" not in a]
    assert foreign == [], "a PDF would act on: " + repr(foreign)


def fill_every_form(page: Page, url: str, payloads: list[str]) -> int:
    """Every POST form of the page with text fields: each field gets the next payload, required
    selects their first real option; the form is submitted as a click would. Returns how many
    forms were sent."""
    page.goto(url)
    total = page.locator("form[method=post]").count()
    sent = 0
    for i in range(total):
        page.goto(url)
        form = page.locator("form[method=post]").nth(i)
        action = form.get_attribute("action") or ""
        fields = form.locator("input[type=text], input:not([type]), input[type=search], textarea")
        if SKIP_ACTIONS.search(action) or fields.count() == 0:
            continue
        form.evaluate("f => { for (const d of f.querySelectorAll('details')) d.open = true; }")
        for j in range(fields.count()):
            payload = payloads[(sent + j) % len(payloads)]
            fields.nth(j).evaluate("(el, v) => { el.value = v; }", payload)
        form.evaluate(
            """f => { for (const s of f.querySelectorAll('select'))
                        if (!s.value && s.options.length > 1) s.selectedIndex = 1;
                      for (const r of f.querySelectorAll('input[type=radio][required]'))
                        if (!f.querySelector(`input[name="${r.name}"]:checked`)) r.checked = true;
                      for (const n of f.querySelectorAll('input[type=number]'))
                        if (!n.value) n.value = n.min || '1';
                      f.noValidate = true; }"""
        )
        with page.expect_navigation():
            form.evaluate("f => f.requestSubmit()")
        sent += 1
    return sent


def project_pages(page: Page) -> list[str]:
    """Every project's page the projects list links to."""
    page.goto("/f/projects/")
    hrefs = page.locator("a[href^='/f/projects/']").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))"
    )
    return sorted({h for h in hrefs if re.fullmatch(r"/f/projects/\d+", h)})


def pdfs_readable() -> None:
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("the PDFs need poppler-utils (make system-deps); the views were checked")


def test_no_payload_runs_in_any_view(server: Server, contexts: Contexts, tmp_path: Path) -> None:
    evidence = Evidence()
    laptop_context = contexts.new(LAPTOP)
    watch(laptop_context, evidence)
    laptop = laptop_context.new_page()
    log_in(laptop)

    # WS1: the workshop, organisations and statements through the usual forms.
    room = create_workshop(
        laptop,
        PAYLOADS[1],
        ["Habilitering", "BUP"],
        [
            ("Habilitering", "Målgrupp", "Egen beskrivning", [*PAYLOADS, LONG]),
            ("Habilitering", "Uppdrag / insatser", "Andras uppfattning", PAYLOADS[:4]),
        ],
        threshold=1,
    )
    wid = room.workshop_id
    prepare = f"/f/w/{wid}"
    laptop.goto(prepare)
    csv = "verksamhet;ämne;perspektiv;text\n" + "\n".join(
        f"Habilitering;målgrupp;andra;CSV {p}" for p in PAYLOADS
    )
    laptop.locator("input[type=file]").first.set_input_files(
        {"name": "s.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    with laptop.expect_navigation():
        laptop.locator("input[type=file]").first.evaluate("i => i.form.requestSubmit()")

    # A phone joins with a hostile name and answers "Let's discuss" on the first statement.
    console = laptop_context.new_page()
    console.goto(room.console)
    start_first_statement(console)
    phone_context = contexts.new(PHONE)
    watch(phone_context, evidence)
    phone = phone_context.new_page()
    join_by_code(phone, room.join_code, "BUP", name=PAYLOADS[3][:60])
    tap_vote(phone, "Let's discuss")
    expect(phone.locator(".statement-card")).to_contain_text(PAYLOADS[0])

    # Every remaining free-text form of the facilitator's pages, WS1, WS2 and projects.
    ws2 = server.ws2_workshop_id
    forms_sent = 0
    for url in [
        prepare,
        f"/f/w/{wid}/discuss",
        f"/f/w/{wid}/survey",
        f"/f/w/{wid}/verification/",
        f"/f/w/{ws2}/roles/",
        f"/f/w/{ws2}/journey",
        f"/f/w/{ws2}/map/",
        "/f/projects/",
    ]:
        forms_sent += fill_every_form(laptop, url, [*PAYLOADS, LONG])
    # The moderator's edit pages of one placement and one handoff (their notes and modes).
    laptop.goto(f"/f/w/{ws2}/board")
    edit_pages = [
        laptop.locator(f"a[href*='/board/{kind}/']").first.get_attribute("href") or ""
        for kind in ("placements", "handoffs")
    ]
    assert all(edit_pages), f"the demo board links to its placements and handoffs: {edit_pages}"
    for url in edit_pages:
        forms_sent += fill_every_form(laptop, url, PAYLOADS)
    assert forms_sent >= 10, f"only {forms_sent} forms could be filled"

    # The verifier: publish, make a link for Habilitering, comment from a phone.
    laptop.goto(f"/f/w/{wid}/verification/")
    link_form = laptop.locator("form[action$='/verification/links']").first
    with laptop.expect_navigation():
        link_form.evaluate("f => f.requestSubmit()")
    token = re.search(r"/v/([A-Za-z0-9_\-]{20,})", laptop.locator("#new-link-url").input_value())
    assert token, "the new verification link is shown once, right after it is made"
    verifier_urls = [f"/v/{token.group(1)}"]
    verifier = phone_context.new_page()
    verifier.goto(verifier_urls[0])
    forms_sent += fill_every_form(verifier, verifier_urls[0], PAYLOADS)

    views = [
        prepare,
        room.console,
        room.projector,
        f"/f/w/{wid}/results",
        f"/f/w/{wid}/discuss",
        f"/f/w/{wid}/report",
        f"/f/w/{wid}/verification/",
        f"/f/w/{wid}/data/",
        f"/f/w/{wid}/survey",
        "/f/",
        "/f/projects/",
        f"/f/w/{ws2}",
        f"/f/w/{ws2}/board",
        *edit_pages,
        f"/f/w/{ws2}/roles/",
        f"/f/w/{ws2}/journey",
        f"/f/w/{ws2}/map/",
        f"/f/w/{ws2}/map/preview.svg",  # the downloads are attachments; the same drawing
        f"/f/w/{ws2}/report",
    ]
    for url in views:
        inspect_view(laptop, url, evidence)
    phone_views = [f"/{room.join_code}/p", *verifier_urls]
    for url in phone_views:
        inspect_view(phone, url, evidence)
    if verifier_urls:
        inspect_view(laptop, verifier_urls[0], evidence)

    # A payload's alert() says its number; the console's own messages are evidence only.
    ran = [d for d in evidence.dialogs if re.search(r": \d+$", d)]
    assert ran == [], ran
    assert evidence.markers == [], evidence.markers
    assert evidence.csp == [], "CSP violations (a payload tried something):\n" + "\n".join(
        evidence.csp
    )
    contexts.assert_no_page_errors()
    shown = [p for p in PAYLOADS if p.strip() in evidence.texts]
    assert len(shown) == len(PAYLOADS), "payloads not rendered as text anywhere: " + repr(
        [p for p in PAYLOADS if p not in shown]
    )
    assert not [e for e in evidence.console_errors if "xss" in e.lower()], evidence.console_errors

    # The PDFs made of the same texts: the drafts, the published version, the verifier's copy
    # and every project's overview. WeasyPrint lays out what the views escaped.
    pdfs_readable()
    for url in [
        f"/f/w/{wid}/report/report.pdf?language=sv",
        f"/f/w/{wid}/verification/versions/1.pdf",
        f"{verifier_urls[0]}/report.pdf",
        f"/f/w/{ws2}/report/report.pdf?language=en",
        *[f"{project}/overview.pdf" for project in project_pages(laptop)],
    ]:
        inspect_pdf(laptop, url, evidence, tmp_path)
    assert_pdfs_inert(evidence, PAYLOADS, server.base_url)


def test_no_payload_a_participant_writes_runs_in_any_view(
    server: Server, contexts: Contexts, tmp_path: Path
) -> None:
    """What phones write: survey proposals and role-validation comments, then every view that
    shows them (phone, facilitator, projector, report, project overview). Journey notes are
    written hostile in test_journey_phone.py and checked on the phone and the board there."""
    from tests.browser.test_survey import join_survey, propose, survey_room

    evidence = Evidence()
    laptop_context = contexts.new(LAPTOP)
    watch(laptop_context, evidence)
    laptop = laptop_context.new_page()
    log_in(laptop)
    phone_context = contexts.new(PHONE)
    watch(phone_context, evidence)
    phone = phone_context.new_page()

    # WS1 survey: proposals with hostile wording, one taken into the workshop.
    room = survey_room(laptop, "XSS-enkät")
    join_survey(phone, room, "BUP")
    for payload in PAYLOADS[:6]:
        propose(phone, "Habilitering", "Målgrupp", f"Förslag {payload}")
        mine = phone.locator("#my-proposals .sv-proposal-text")
        expect(mine.filter(has_text=f"Förslag {payload}")).to_have_count(1)
    laptop.goto(f"/f/w/{room.workshop_id}/survey")
    review = laptop.locator("#proposals .sv-review-item").first
    with laptop.expect_navigation():
        review.get_by_role("button", name="Ta med i workshopen").click()

    # WS2: a role answered with a hostile comment, and a hostile placement note.
    ws2 = Room(server.ws2_workshop_id, server.ws2_join_code)
    laptop.goto(f"/f/w/{ws2.workshop_id}/roles/")
    create = laptop.get_by_role("button", name="Skapa rollvalidering")
    if create.is_enabled():  # another test may have made the validation statements already
        with laptop.expect_navigation():
            create.click()
    console = laptop_context.new_page()
    console.goto(ws2.console)
    expect(console.locator("#conn")).to_have_attribute("data-state", "online")
    console.locator("#order .order-item").first.get_by_role("button", name="Öppna").click()
    ws2_phone = contexts.new(PHONE)
    watch(ws2_phone, evidence)
    voter = ws2_phone.new_page()
    join_by_code(voter, ws2.join_code, "Habilitering", name=PAYLOADS[4][:60])
    statement = voter.locator(".statement-card")
    statement.get_by_label("Kommentar (frivillig)").fill(f"Kommentar {PAYLOADS[1]}")
    vote_button(voter, "No").tap()
    expect(statement.locator(".vote-status")).to_have_text(
        re.compile("^Ditt svar och din kommentar")
    )
    # One tab of the site at a time while the views are inspected (an alert in a second tab
    # of the same context could hold up the laptop's navigation).
    console.close()

    views = [
        f"/f/w/{room.workshop_id}/survey",
        f"/f/w/{room.workshop_id}/survey/compare",
        f"/f/w/{room.workshop_id}",
        f"/f/w/{room.workshop_id}/report",
        f"/f/w/{ws2.workshop_id}/roles/validation",
        ws2.console,
        ws2.projector,
        f"/f/w/{ws2.workshop_id}/board",
        f"/f/w/{ws2.workshop_id}/report",
    ]
    projects = project_pages(laptop)
    views += projects
    for url in views:
        inspect_view(laptop, url, evidence)
    for url in [f"/{room.join_code}/survey", f"/{ws2.join_code}/p", f"/{ws2.join_code}/journey"]:
        inspect_view(phone if "survey" in url else voter, url, evidence)

    ran = [d for d in evidence.dialogs if re.search(r": \d+$", d)]
    assert ran == [], ran
    assert evidence.markers == [], evidence.markers
    assert evidence.csp == [], evidence.csp
    contexts.assert_no_page_errors()
    written = [f"Förslag {p}" for p in PAYLOADS[:6]] + [f"Kommentar {PAYLOADS[1]}"]
    for text in written:
        assert text in evidence.texts, f"{text!r} is not shown as text anywhere"

    # The PDFs of the same: the WS1 draft (the proposal taken in), the WS2 draft (the comment)
    # and the overviews
    pdfs_readable()
    for url in [
        f"/f/w/{room.workshop_id}/report/report.pdf?language=sv",
        f"/f/w/{ws2.workshop_id}/report/report.pdf?language=sv",
        *[f"{project}/overview.pdf" for project in projects],
    ]:
        inspect_pdf(laptop, url, evidence, tmp_path)
    assert_pdfs_inert(evidence, [written[0], written[-1]], server.base_url)
