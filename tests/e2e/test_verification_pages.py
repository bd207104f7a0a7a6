"""Verification through the pages: the facilitator's versions, links and inbox, and the
verifier's secret link with its headers, refusals and CSRF-protected notes."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import subprocess

import pytest
from flask.testing import FlaskClient

from db import session_scope
from reports import verification
from reports.models import VerificationNote
from tests.conftest import Demo, post
from workshops.models import utcnow

PRIVATE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


def base(demo: Demo) -> str:
    return f"/f/w/{demo.workshop_id}/verification/"


def publish(client: FlaskClient, demo: Demo, note: str = "") -> None:
    response = post(client, base(demo) + "publish", {"note": note})
    assert response.status_code == 302, response.data


def new_link(client: FlaskClient, demo: Demo, org: str = "BUP", days: int = 30) -> str:
    """Create a link through the page and read it off the page it is shown on (once)."""
    response = post(client, base(demo) + "links", {"organisation_id": demo.orgs[org], "days": days})
    assert response.status_code == 302
    page = client.get(base(demo)).get_data(as_text=True)
    found = re.search(r'value="http://localhost/v/([A-Za-z0-9_-]{43})"', page)
    assert found, page
    return found.group(1)


NEEDS_PDFTOTEXT = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)"
)


def pdf_text(data: bytes, folder) -> str:
    """A PDF's text with its whitespace made single spaces (pdftotext)."""
    assert data.startswith(b"%PDF")
    pdf = folder / "copy.pdf"
    pdf.write_bytes(data)
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def assert_private(response) -> None:
    for name, value in PRIVATE_HEADERS.items():
        assert response.headers.get(name) == value, name


def assert_no_workshop_data(text: str) -> None:
    for secret in ("WS1 test", "Habilitering", "BUP", "Elevhälsa", "Stödsamtal", "0–18"):
        assert secret not in text, secret


@pytest.fixture
def linked(logged_in: FlaskClient, demo: Demo) -> tuple[FlaskClient, Demo, str]:
    publish(logged_in, demo, "Första utskicket")
    return logged_in, demo, new_link(logged_in, demo)


def test_the_verification_pages_need_a_facilitator(client, demo):
    for url in (base(demo), base(demo) + "versions/1", base(demo) + "versions/1.pdf"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url


def test_a_new_link_is_shown_once_and_then_only_its_status(linked):
    facilitator, demo, token = linked
    page = facilitator.get(base(demo)).get_data(as_text=True)
    assert token not in page
    assert "Aktiv" in page and "Inte öppnad än" in page
    assert "Version 1" in page and "Första utskicket" in page


def test_a_link_needs_a_published_version(logged_in, demo):
    response = post(
        logged_in,
        base(demo) + "links",
        {"organisation_id": demo.orgs["BUP"], "days": 30},
        follow_redirects=True,
    )
    assert "Publicera en version av rapporten innan du skapar länkar." in response.get_data(
        as_text=True
    )


def test_publishing_an_unchanged_report_says_so(linked):
    facilitator, demo, _token = linked
    response = post(facilitator, base(demo) + "publish", {}, follow_redirects=True)
    assert "Rapporten är likadan som version 1" in response.get_data(as_text=True)


def test_the_verifier_reads_the_report_with_private_headers_and_note_forms(app, linked):
    _facilitator, _demo, token = linked
    verifier = app.test_client()
    response = verifier.get(f"/v/{token}")
    assert response.status_code == 200
    assert_private(response)
    page = response.get_data(as_text=True)
    assert "Verifiering för BUP" in page and "WS1 test" in page
    assert page.count('name="item_key"') >= 5
    assert f'action="/v/{token}/notes"' in page


def test_unknown_expired_and_revoked_links_show_a_clear_page_without_data(app, linked):
    facilitator, demo, token = linked
    verifier = app.test_client()

    unknown = verifier.get("/v/" + "x" * 43)
    assert unknown.status_code == 404
    assert "Länken finns inte." in unknown.get_data(as_text=True)

    with session_scope(app) as s:
        old = verification.create_link(
            s,
            workshop_id=demo.workshop_id,
            organisation_id=demo.orgs["Elevhälsa"],
            days=1,
            now=utcnow() - dt.timedelta(days=2),
        )
    expired = verifier.get(f"/v/{old}")
    assert expired.status_code == 410
    assert "Länken har gått ut." in expired.get_data(as_text=True)

    [info] = [i for i in verification_links(app, demo) if i.organisation == "BUP"]
    post(facilitator, base(demo) + f"links/{info.id}/revoke")
    revoked = verifier.get(f"/v/{token}")
    assert revoked.status_code == 410
    assert "Länken har dragits tillbaka." in revoked.get_data(as_text=True)
    assert verifier.get(f"/v/{token}/report.pdf").status_code == 410

    for response in (unknown, expired, revoked):
        assert_private(response)
        assert_no_workshop_data(response.get_data(as_text=True))


def verification_links(app, demo):
    with session_scope(app) as s:
        return verification.links(s, demo.workshop_id)


def test_a_note_without_the_csrf_token_is_refused(app, linked):
    _facilitator, _demo, token = linked
    verifier = app.test_client()
    verifier.get(f"/v/{token}")
    response = verifier.post(
        f"/v/{token}/notes",
        data={"item_key": "attendance", "kind": "comment", "text": "Hej", "version": "1"},
    )
    assert response.status_code == 400
    assert_private(response)
    with session_scope(app) as s:
        assert s.query(VerificationNote).count() == 0


def send_note(verifier: FlaskClient, token: str, **fields: str):
    return verifier.post(
        f"/v/{token}/notes",
        data={
            "version": "1",
            "text": "",
            "proposed_text": "",
            **fields,
            "csrf_token": csrf_of(verifier),
        },
    )


def csrf_of(client: FlaskClient) -> str:
    with client.session_transaction() as sess:
        return str(sess["csrf"])


def test_the_whole_round_through_the_pages(app, linked):
    facilitator, demo, token = linked
    verifier = app.test_client()
    verifier.get(f"/v/{token}")
    key = f"statement:{demo.others[0]}"

    sent = send_note(
        verifier,
        token,
        item_key=key,
        kind="correction",
        text="Bara vid funktionsnedsättning",
        proposed_text="Stödsamtal vid funktionsnedsättning",
    )
    assert sent.status_code == 302
    assert sent.location.endswith(f"/v/{token}#item-statement-{demo.others[0]}")
    assert_private(sent)
    back = verifier.get(f"/v/{token}").get_data(as_text=True)
    assert "Tack, din kommentar är skickad." in back
    assert "Dina kommentarer (1)" in back

    refused = send_note(
        verifier, token, item_key=key, kind="correction", proposed_text="Stödsamtal"
    )
    assert refused.status_code == 302
    assert "likadan som texten i rapporten" in verifier.get(f"/v/{token}").get_data(as_text=True)

    inbox = facilitator.get(base(demo)).get_data(as_text=True)
    assert "Stödsamtal vid funktionsnedsättning" in inbox and "Godta rättelsen" in inbox
    note_id = int(re.search(r'id="note-(\d+)"', inbox).group(1))
    decided = post(
        facilitator,
        base(demo) + f"notes/{note_id}/decide",
        {"decision": "accept", "response": "Tack!"},
        follow_redirects=True,
    )
    assert "Den kommer med i nästa version du publicerar." in decided.get_data(as_text=True)
    assert "Ändrade punkter i utkastet sedan version 1: 1." in decided.get_data(as_text=True)
    publish(facilitator, demo, "Rättelse från BUP")

    page = verifier.get(f"/v/{token}").get_data(as_text=True)
    assert "Version 2" in page and "ändrat sedan du senast tittade (version 1)" in page
    assert re.search(rf'class="item [^"]*changed[^"]*" id="item-statement-{demo.others[0]}"', page)
    assert "Tack!" in page
    # reloading keeps what changed since the version read before
    again = verifier.get(f"/v/{token}").get_data(as_text=True)
    assert "ändrat sedan du senast tittade (version 1)" in again

    version = facilitator.get(base(demo) + "versions/2").get_data(as_text=True)
    assert "Stödsamtal vid funktionsnedsättning" in version and "Stödsamtal</del>" in version
    listing = facilitator.get(base(demo)).get_data(as_text=True)
    assert "Version 2" in listing and "BUP" in listing


def test_a_published_version_downloads_as_a_pdf(linked):
    facilitator, demo, _token = linked
    response = facilitator.get(base(demo) + "versions/1.pdf?language=en")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    assert re.search(r'filename="ws1-test-v1-en\.pdf"', response.headers["Content-Disposition"])


@NEEDS_PDFTOTEXT
def test_the_verifier_s_own_pdf_says_whose_copy_it_is_and_until_when(app, linked, tmp_path):
    _facilitator, _demo, token = linked
    response = app.test_client().get(f"/v/{token}/report.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    assert re.search(
        r"Exemplaret till BUP\. Länken ni fick tar emot kommentarer och rättelser till "
        r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}\.",
        text,
    )
    # the facilitator's copy of a version is nobody's in particular
    facilitator, demo, _ = linked
    plain = pdf_text(facilitator.get(base(demo) + "versions/1.pdf").data, tmp_path)
    assert "Exemplaret till" not in plain and "Det här gäller" not in plain


def test_an_unknown_version_is_a_404(logged_in, demo):
    assert logged_in.get(base(demo) + "versions/7").status_code == 404


def test_the_verifier_page_speaks_english_when_asked(app, linked):
    _facilitator, _demo, token = linked
    page = app.test_client().get(f"/v/{token}?lang=en").get_data(as_text=True)
    assert "Verification for BUP" in page and "The link is valid until" in page
    assert '<html lang="en">' in page


def test_every_message_key_of_the_verification_code_exists_in_both_languages():
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    # and the keys made at run time: a decision's flash, a refused link's reason
    used = {
        "verification.flash.accepted",
        "verification.flash.rejected",
        "verify.error.expired",
        "verify.error.revoked",
    }
    for name in ("verification.py", "verification_views.py"):
        text = (root / "reports" / name).read_text("utf-8")
        used |= set(
            re.findall(r'"((?:verification|verify)\.(?:error|flash)\.[a-z0-9_.]*[a-z0-9_])"', text)
        )
    for lang in ("sv", "en"):
        catalogue = json.loads((root / "translations" / f"verification.{lang}.json").read_text())
        assert sorted(used - set(catalogue)) == [], lang
    assert len(used) > 25


def concerns_section(page: str) -> str:
    found = re.search(r'<section class="block concerns".*?</section>', page, re.S)
    assert found, "no 'what concerns you' section"
    return found.group(0)


def test_the_verifier_sees_first_what_concerns_their_organisation(app, linked):
    facilitator, demo, bup_token = linked
    token = new_link(facilitator, demo, "Habilitering")
    page = app.test_client().get(f"/v/{token}").get_data(as_text=True)
    box = concerns_section(page)
    assert "Det här gäller Habilitering" in box
    assert "2 påståenden i er egen beskrivning" in box
    assert "2 påståenden om hur andra uppfattar er" in box
    # every link of the box leads to an item on the page
    links = re.findall(r'href="#([^"]+)"', box)
    assert links == [f"item-statement-{demo.own[0]}", f"item-statement-{demo.others[0]}"]
    for target in links:
        assert f'id="{target}"' in page
    # and the organisation's part of the report says so where it stands
    assert re.search(r'<h3>Habilitering <span class="flag flag-yours">Gäller er</span></h3>', page)
    # an organisation the report says nothing particular about is told so, not shown an empty box
    other = concerns_section(app.test_client().get(f"/v/{bup_token}").get_data(as_text=True))
    assert "Inget i dokumentationen handlar särskilt om BUP." in other
    assert "flag-yours" not in app.test_client().get(f"/v/{bup_token}").get_data(as_text=True)


def test_the_facilitator_s_copies_are_nobody_s_in_particular(linked):
    facilitator, demo, _token = linked
    for url in (base(demo) + "versions/1", f"/f/w/{demo.workshop_id}/report/"):
        page = facilitator.get(url).get_data(as_text=True)
        assert 'class="block concerns"' not in page and "flag-yours" not in page, url


@NEEDS_PDFTOTEXT
def test_the_verifier_s_pdf_lists_what_concerns_them(app, linked, tmp_path):
    facilitator, demo, _token = linked
    token = new_link(facilitator, demo, "Habilitering")
    response = app.test_client().get(f"/v/{token}/report.pdf?language=en")
    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    assert "What concerns Habilitering" in text
    assert "2 statements of your own description" in text
    assert "Concerns you" in text


def bup_on_a_published_map(app, logged_in, ws2) -> str:
    """BUP (role 4, second stage) and Elevhälsa (role 3, first stage) placed on the map, a
    version published, and BUP's link (its token)."""
    from journey_maps import placing
    from tests.conftest import join_ws2

    _phone, bup = join_ws2(app, ws2, "BUP")
    _phone2, school = join_ws2(app, ws2, "Elevhälsa")
    first, second = ws2.stages[0], ws2.stages[1]
    with session_scope(app) as s:
        placing.place_role(
            s, participant_id=school, role_id=ws2.roles["3"], stage_id=first, client_id="c-school-1"
        )
        placing.place_role(
            s, participant_id=bup, role_id=ws2.roles["4"], stage_id=second, client_id="c-bup-0001"
        )
    wid = ws2.workshop_id
    assert post(logged_in, f"/f/w/{wid}/verification/publish", {}).status_code == 302
    response = post(
        logged_in,
        f"/f/w/{wid}/verification/links",
        {"organisation_id": ws2.orgs["BUP"], "days": 30},
    )
    assert response.status_code == 302
    listing = logged_in.get(f"/f/w/{wid}/verification/").get_data(as_text=True)
    return re.search(r'value="http://localhost/v/([A-Za-z0-9_-]{43})"', listing).group(1)


def test_a_ws2_verifier_sees_the_findings_about_the_roles_they_fill(app, logged_in, ws2):
    token = bup_on_a_published_map(app, logged_in, ws2)
    page = app.test_client().get(f"/v/{token}").get_data(as_text=True)
    box = concerns_section(page)
    assert (
        "På patientresan finns ni i roll 4 ”Den som bedömer och styr vidare (eller tillbaka)”."
        in html.unescape(box)
    )
    listed = re.findall(r'href="#(item-finding-[^"]+)"', box)
    assert listed, box
    for target in listed:
        assert re.search(rf'id="{target}"', page)
    # BUP fills role 4 at the second stage: the transitions into and out of it, the loops
    # through it and role 4's own finding; not role 3 (Elevhälsa's), nor roles nobody placed
    assert listed == [
        "item-finding-s1-s2-unbridged",
        "item-finding-s2-s3-unbridged",
        "item-finding-s3-s2-unbridged",
        "item-finding-s5-s2-unbridged",
        "item-finding-s1-s2-boundary_unbridged",
        "item-finding-loop-s2-s3-loop_without_holder",
        "item-finding-loop-s2-s3-s4-s5-loop_without_holder",
        "item-finding-role-4-isolated_role",
    ]
    assert 'id="item-finding-role-3-isolated_role"' in page
    # each finding of the report is flagged where it stands exactly when it is listed
    findings = re.findall(
        r'<li class="item finding[^"]*" id="(item-finding-[^"]+)">\s*'
        r'<p class="item-text">(.*?)</p>',
        page,
        re.S,
    )
    assert len(findings) > len(listed)
    for target, text in findings:
        assert ("Gäller er" in text) == (target in listed), target


def test_a_published_version_reads_with_the_analysis_it_was_published_with(
    app, logged_in, ws2, monkeypatch
):
    from reports import journey_part
    from reports.models import ReportVersion

    token = bup_on_a_published_map(app, logged_in, ws2)
    before = app.test_client().get(f"/v/{token}").get_data(as_text=True)
    listed = re.findall(r'href="#(item-finding-[^"]+)"', concerns_section(before))
    assert "item-finding-role-4-isolated_role" in listed

    # a later release analyses maps differently: the version still reads as it was published
    def another_analysis(journey):
        raise AssertionError("a published version is analysed again")

    monkeypatch.setattr(journey_part, "gap_report", another_analysis)
    again = app.test_client().get(f"/v/{token}").get_data(as_text=True)
    assert re.findall(r'href="#(item-finding-[^"]+)"', concerns_section(again)) == listed
    if shutil.which("dot"):
        assert 'src="data:image/svg+xml;base64,' in again  # the diagram, from the stored analysis
    monkeypatch.undo()

    def stored(change) -> None:
        with session_scope(app) as s:
            version = s.query(ReportVersion).filter_by(workshop_id=ws2.workshop_id).one()
            document = json.loads(version.document)
            change(document["journey"])
            version.document = json.dumps(document)
            s.commit()

    # what concerns BUP follows the stored analysis: one that put role 4's finding nowhere
    def role_4_isolated_nowhere(journey) -> None:
        for finding in journey["analysis"]["findings"]:
            if finding["fingerprint"] == "role:4:isolated_role":
                finding["roles"] = ["99"]

    stored(role_4_isolated_nowhere)
    page = app.test_client().get(f"/v/{token}").get_data(as_text=True)
    assert re.findall(r'href="#(item-finding-[^"]+)"', concerns_section(page)) == [
        target for target in listed if target != "item-finding-role-4-isolated_role"
    ]

    # a version published before documents kept their analysis is analysed when it is read
    stored(lambda journey: journey.pop("analysis"))
    older = app.test_client().get(f"/v/{token}").get_data(as_text=True)
    assert re.findall(r'href="#(item-finding-[^"]+)"', concerns_section(older)) == listed
    # and republishing it unchanged is refused as before: only the analysis would differ
    url = f"/f/w/{ws2.workshop_id}/verification/publish"
    response = post(logged_in, url, {}, follow_redirects=True)
    assert "Rapporten är likadan som version 1" in response.get_data(as_text=True)


def test_the_facilitator_sees_and_downloads_each_organisation_s_copy(app, linked, tmp_path):
    facilitator, demo, _token = linked
    hab = demo.orgs["Habilitering"]
    listing = facilitator.get(base(demo)).get_data(as_text=True)
    assert f'href="{base(demo)}versions/1?for={hab}"' in listing
    assert 'aria-label="Visa exemplaret till Habilitering"' in listing

    page = facilitator.get(base(demo) + f"versions/1?for={hab}").get_data(as_text=True)
    assert "Version 1 · Exemplaret till Habilitering" in page
    assert "Det här gäller Habilitering" in concerns_section(page)
    assert f"versions/1.pdf?language=sv&amp;for={hab}" in page

    pdf = facilitator.get(base(demo) + f"versions/1.pdf?for={hab}")
    assert pdf.status_code == 200
    assert 'filename="ws1-test-v1-habilitering-sv.pdf"' in pdf.headers["Content-Disposition"]
    if shutil.which("pdftotext"):
        text = pdf_text(pdf.data, tmp_path)
        # no link of theirs, so no closing date: only whose copy it is
        assert "Exemplaret till Habilitering." in text and "Det här gäller Habilitering" in text
        assert "Länken ni fick" not in text


def test_a_copy_for_an_organisation_not_invited_to_the_workshop_is_a_404(app, linked):
    facilitator, demo, _token = linked
    with session_scope(app) as s:
        from workshops import services

        other = services.create_workshop(
            s, owner_id=1, title="Annan", date=None, target_group="adults"
        )
        stranger = services.add_organisation(
            s, workshop_id=other, name="Främling", principal="region"
        )
    for query in (f"?for={stranger}", "?for=999999", "?for=x"):
        assert facilitator.get(base(demo) + "versions/1" + query).status_code == 404, query
        assert facilitator.get(base(demo) + "versions/1.pdf" + query).status_code == 404, query
