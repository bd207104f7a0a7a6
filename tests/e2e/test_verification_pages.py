"""Verification through the pages: the facilitator's versions, links and inbox, and the
verifier's secret link with its headers, refusals and CSRF-protected notes."""

from __future__ import annotations

import datetime as dt
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


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
def test_the_verifier_s_own_pdf_says_whose_copy_it_is_and_until_when(app, linked, tmp_path):
    _facilitator, _demo, token = linked
    response = app.test_client().get(f"/v/{token}/report.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    pdf = tmp_path / "copy.pdf"
    pdf.write_bytes(response.data)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert re.search(
        r"Exemplaret till BUP\. Länken ni fick tar emot kommentarer och rättelser till "
        r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}\.",
        text,
    )
    # the facilitator's copy of a version is nobody's in particular
    facilitator, demo, _ = linked
    version = facilitator.get(base(demo) + "versions/1.pdf").data
    (tmp_path / "v.pdf").write_bytes(version)
    plain = subprocess.run(
        ["pdftotext", str(tmp_path / "v.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Exemplaret till" not in plain


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
