"""Pages and the JSON API through the Flask test client: login, joining, preparing, results."""

from __future__ import annotations

import io
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from db import session_scope
from tests.conftest import Demo, csrf, join_phone, live_socket, post
from workshops import services, voting
from workshops.models import Facilitator, Participant


def test_facilitator_pages_require_login(client, demo):
    for url in (
        "/f/",
        f"/f/w/{demo.workshop_id}",
        f"/f/w/{demo.workshop_id}/console",
        f"/f/w/{demo.workshop_id}/projector",
        f"/f/w/{demo.workshop_id}/results",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url


def test_a_wrong_password_is_refused_with_a_message(client, facilitator):
    response = post(client, "/login", {"email": "fac@example.org", "password": "nope-nope-nope"})
    assert response.status_code == 401
    assert "Fel e-post eller lösenord" in response.get_data(as_text=True)


def test_a_form_without_the_csrf_token_is_refused(logged_in, demo):
    response = logged_in.post(f"/f/w/{demo.workshop_id}/live/close-all")
    assert response.status_code == 400


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(client, facilitator):
    token = csrf(client)
    data = {"email": "fac@example.org", "password": "a-long-test-password", "csrf_token": token}
    response = client.post("/login", data={**data, "next": "//evil.example/x"})
    assert response.location == "/f/"


def test_a_facilitator_creates_a_workshop_with_organisations_and_pasted_statements(logged_in):
    response = post(
        logged_in, "/f/new", {"title": "WS1 Vuxna", "date": "2026-12-01", "target_group": "adults"}
    )
    wid = int(re.search(r"/f/w/(\d+)", response.location).group(1))
    post(logged_in, f"/f/w/{wid}/organisations", {"suggested": ["NSPH", "VC Närhälsan"]})
    post(
        logged_in,
        f"/f/w/{wid}/organisations",
        {"name": "Brukarrådet", "principal": "civil_society"},
    )
    page = logged_in.get(f"/f/w/{wid}").get_data(as_text=True)
    assert "VC Närhälsan" in page and "Brukarrådet" in page and "Civilsamhälle" in page
    org = re.search(r'<option value="(\d+)"[^>]*>NSPH</option>', page).group(1)
    response = post(
        logged_in,
        f"/f/w/{wid}/statements",
        {
            "organisation_id": org,
            "topic": "mandate",
            "perspective": "others",
            "texts": "• Stödsamtal\n\n• Anhörigstöd\n",
        },
    )
    page = logged_in.get(response.location).get_data(as_text=True)
    add_card = page[page.index('id="add"') : page.index('id="statements"')]
    assert "2 påståenden tillagda" in add_card  # said in the card, where the page opens
    assert "tillagda" not in logged_in.get(response.location).get_data(as_text=True)  # once
    assert page.index("Stödsamtal") < page.index("Anhörigstöd")
    # the next list is often for the same organisation: the form keeps what was chosen
    assert re.search(rf'<option value="{org}" selected>NSPH</option>', add_card)
    assert '<option value="mandate" selected>' in add_card
    assert '<option value="others" selected>' in add_card

    # A refused list comes back with its text, its choices and the reason in the card.
    refused = post(
        logged_in,
        f"/f/w/{wid}/statements",
        {"organisation_id": org, "topic": "mandate", "perspective": "others", "texts": "x" * 501},
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    add_card = page[page.index('id="add"') : page.index('id="statements"')]
    assert "högst 500 tecken" in add_card and "x" * 501 + "</textarea>" in add_card
    assert re.search(r'aria-current="page">Förbered<', page)
    assert re.search(rf'<option value="{org}" selected>NSPH</option>', add_card)


def test_a_broken_csv_is_reported_line_by_line_and_nothing_is_imported(logged_in, demo):
    data = "verksamhet;ämne;perspektiv;text\nBUP;färg;egen;x\n".encode()
    response = post(
        logged_in,
        f"/f/w/{demo.workshop_id}/statements/import",
        {"file": (io.BytesIO(data), "s.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Filen importerades inte: line 2: unknown topic &#39;färg&#39;" in page


def test_a_csv_saved_by_excel_in_windows_1252_is_imported(logged_in, demo):
    data = "verksamhet;ämne;perspektiv;text\nBUP;målgrupp;andra;Barn 0–6 år\n".encode("cp1252")
    response = post(
        logged_in,
        f"/f/w/{demo.workshop_id}/statements/import",
        {"file": (io.BytesIO(data), "s.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Barn 0–6 år" in response.get_data(as_text=True)


def test_statement_text_with_html_is_shown_as_text(logged_in, demo):
    post(
        logged_in,
        f"/f/w/{demo.workshop_id}/statements",
        {
            "organisation_id": demo.orgs["BUP"],
            "topic": "mandate",
            "perspective": "own",
            "texts": "<script>alert(1)</script>",
        },
    )
    page = logged_in.get(f"/f/w/{demo.workshop_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_every_page_sends_a_content_security_policy_without_inline_scripts(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_a_phone_joins_by_code_and_stays_the_same_participant_on_reload(app, client, demo):
    response = post(client, "/", {"code": demo.code.lower()[:3] + " " + demo.code[3:].lower()})
    assert response.location.endswith(f"/{demo.code}")
    page = client.get(response.location).get_data(as_text=True)
    assert "Vilken verksamhet representerar du?" in page and "Elevhälsa" in page
    response = post(client, f"/{demo.code}", {"organisation_id": demo.orgs["BUP"]})
    assert response.location.endswith(f"/{demo.code}/p")
    assert client.get(f"/{demo.code}").location.endswith(f"/{demo.code}/p")
    assert "BUP" in client.get(f"/{demo.code}/p").get_data(as_text=True)


def test_joining_without_picking_an_organisation_says_so(client, demo):
    response = post(client, f"/{demo.code}", {"display_name": "Anna"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Välj vilken verksamhet du representerar" in page and 'value="Anna"' in page


def test_an_unknown_code_is_explained_and_then_rate_limited(client, demo):
    for _ in range(voting.JOIN_FAILURES_ALLOWED):
        response = post(client, "/", {"code": "XXXXXX"})
        assert response.status_code == 404
        assert "Ingen workshop har den koden" in response.get_data(as_text=True)
    response = post(client, "/", {"code": demo.code})
    assert response.status_code == 429
    assert "För många försök" in response.get_data(as_text=True)


def test_the_interface_switches_to_english_and_remembers_it(client):
    assert "Join a workshop" in client.get("/?lang=en").get_data(as_text=True)
    assert "Join a workshop" in client.get("/").get_data(as_text=True)
    assert "Delta i en workshop" in client.get("/?lang=sv").get_data(as_text=True)


def test_the_qr_code_is_an_svg_drawn_by_the_server(client, demo):
    response = client.get(f"/qr/{demo.code}.svg")
    assert response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<svg")


def test_deleting_a_workshop_needs_its_code_typed(logged_in, demo):
    post(logged_in, f"/f/w/{demo.workshop_id}/delete", {"confirm": "WRONG1"})
    assert logged_in.get(f"/f/w/{demo.workshop_id}").status_code == 200
    post(logged_in, f"/f/w/{demo.workshop_id}/delete", {"confirm": demo.code.lower()})
    assert logged_in.get(f"/f/w/{demo.workshop_id}").status_code == 404


def test_the_results_page_lists_expectation_gaps(app, logged_in, demo: Demo):
    hab = join_phone(app, demo, "Habilitering")
    sio = live_socket(app, hab, role="participant", code=demo.code)
    post(logged_in, f"/f/w/{demo.workshop_id}/live/open", {"statement_id": demo.others[0]})
    ack = sio.emit(
        "cast_vote",
        {"statement_id": demo.others[0], "choice": "no", "ballot_id": "ballot-gap-01"},
        namespace="/live",
        callback=True,
    )
    assert ack["ok"]
    page = logged_in.get(f"/f/w/{demo.workshop_id}/results").get_data(as_text=True)
    assert "färre än 3 har svarat" in page  # one answer: under the anonymity threshold
    assert "Förväntningar utanför uppdraget" not in page
    api = logged_in.get(f"/api/v1/workshops/{demo.workshop_id}/results").get_json()
    assert api["expectation_gaps"] == [] and api["withheld"][0]["answers"] == 1

    settings = {"title": "Demo", "target_group": "children", "anonymity_threshold": "1"}
    post(logged_in, f"/f/w/{demo.workshop_id}/settings", settings)
    page = logged_in.get(f"/f/w/{demo.workshop_id}/results").get_data(as_text=True)
    gaps = page[page.index("Förväntningar utanför uppdraget") :]
    assert "Stödsamtal" in gaps
    api = logged_in.get(f"/api/v1/workshops/{demo.workshop_id}/results").get_json()
    assert [g["text"] for g in api["expectation_gaps"]] == ["Stödsamtal"]
    assert "participant" not in str(api).lower()

    # hidden: taken out of the analysis, and the page says where its answer went
    post(logged_in, f"/f/w/{demo.workshop_id}/statements/{demo.others[0]}/hide", {"hidden": "1"})
    page = logged_in.get(f"/f/w/{demo.workshop_id}/results").get_data(as_text=True)
    assert "1 dolt påstående har svar" in page and "Förväntningar utanför uppdraget" not in page
    api = logged_in.get(f"/api/v1/workshops/{demo.workshop_id}/results").get_json()
    assert api["expectation_gaps"] == []


def test_another_client_can_join_and_read_statements_through_the_api(client, demo):
    info = client.get(f"/api/v1/workshops/{demo.code}").get_json()
    org = next(o["id"] for o in info["organisations"] if o["name"] == "BUP")
    joined = client.post("/api/v1/join", json={"code": demo.code, "organisation_id": org})
    assert joined.status_code == 201
    token = joined.get_json()["participant_token"]
    statements = client.get(
        f"/api/v1/workshops/{demo.code}/statements", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert [s["text"] for s in statements["statements"]][:2] == [
        "Barn och unga 0–18 år",
        "Barn med enbart autism t.o.m. 6 år",
    ]
    state = client.get(
        f"/api/v1/workshops/{demo.code}/state", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert state["state"]["me"]["votes"] == {}


@pytest.mark.parametrize(
    "body",
    [None, {"code": "XXXXXX", "organisation_id": 1}, {"code": "ABCDEF"}, {"organisation_id": "x"}],
)
def test_a_bad_api_join_gets_a_clear_error(client, demo, body):
    response = client.post("/api/v1/join", json=body)
    assert response.status_code in (400, 404)
    assert response.get_json()["ok"] is False and response.get_json()["error"]


def test_the_api_results_need_a_facilitator(client, demo):
    assert client.get(f"/api/v1/workshops/{demo.workshop_id}/results").status_code == 401


def _topnav(html: str) -> list[tuple[str, str, bool]]:
    """The top bar's links: (href, label, marked as the current page)."""
    nav = re.search(r'<nav class="topnav".*?</nav>', html, re.S)
    assert nav is not None, "no top bar navigation"
    links = re.findall(r"<a ([^>]*)>([^<]+)</a>", nav.group(0))
    return [
        (re.search(r'href="([^"]*)"', attrs).group(1), label.strip(), "aria-current" in attrs)  # type: ignore[union-attr]
        for attrs, label in links
    ]


def test_every_facilitator_page_has_the_same_top_bar_and_marks_the_page_you_are_on(
    app, logged_in, demo
):
    pages = {
        "/f/": "Workshoppar",
        "/f/audit": "Logg",
        "/f/me": "Mitt konto",
        f"/f/w/{demo.workshop_id}": None,
        f"/f/w/{demo.workshop_id}/results": None,
    }
    for url, current in pages.items():
        response = logged_in.get(url)
        assert response.status_code == 200, url
        links = _topnav(response.get_data(as_text=True))
        labels = [label for _, label, _ in links]
        assert labels == ["Workshoppar", "Logg", "Mitt konto", "English"], (url, labels)
        marked = [label for _, label, on in links if on]
        assert marked == ([current] if current else []), (url, marked)


def test_a_project_lead_also_finds_projects_and_accounts_in_the_top_bar(app, logged_in, demo):
    with session_scope(app) as session:
        session.execute(update(Facilitator).values(is_lead=True))
        session.commit()
    for url, current in (("/f/projects/", "Projekt"), ("/f/accounts/", "Konton")):
        links = _topnav(logged_in.get(url).get_data(as_text=True))
        assert [label for _, label, _ in links] == [
            "Workshoppar",
            "Projekt",
            "Konton",
            "Logg",
            "Mitt konto",
            "English",
        ], url
        assert [label for _, label, on in links if on] == [current], url
    # a participant's page has no facilitator menu, even in the facilitator's own browser
    joined = post(logged_in, f"/{demo.code}", {"organisation_id": demo.orgs["BUP"]})
    assert joined.status_code == 302
    phone_page = logged_in.get(f"/{demo.code}/p").get_data(as_text=True)
    assert 'class="topnav"' not in phone_page and 'href="/f/"' not in phone_page


def test_the_error_page_after_a_database_failure_does_not_ask_the_database_again(
    app, logged_in, monkeypatch
):
    """The top bar asks whether the facilitator is a project lead; after a server error the
    database may be what failed, so the 500 page leaves the menu out and still renders."""
    from sqlalchemy.exc import OperationalError

    import web

    def broken(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    app.config["PROPAGATE_EXCEPTIONS"] = False  # serve the error page as in production
    monkeypatch.setattr(web.services, "list_workshops", broken)
    monkeypatch.setattr(web.services, "is_lead", broken)
    response = logged_in.get("/f/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Något gick fel hos oss" in page and 'class="topnav"' in page
    assert "Workshoppar" not in page
    monkeypatch.undo()
    missing = logged_in.get("/f/no-such-page")  # a 404 keeps the menu
    assert missing.status_code == 404 and "Workshoppar" in missing.get_data(as_text=True)


def test_leaving_asks_first_then_takes_the_phone_out_of_the_room_and_keeps_its_answer(app, demo):
    phone = a_phone_answers(app, demo, "no")
    footer = phone.get(f"/{demo.code}/p").get_data(as_text=True)
    assert f'<a href="/{demo.code}/leave">Lämna workshopen</a>' in footer  # a page, not a POST

    page = phone.get(f"/{demo.code}/leave").get_data(as_text=True)
    assert "Lämna workshopen?" in page
    assert "Går du med igen räknas du som en ny deltagare" in page
    assert f'href="/{demo.code}/withdraw"' in page
    assert "BUP" in page  # still joined: nothing happened yet
    assert phone.get(f"/{demo.code}").location.endswith(f"/{demo.code}/p")

    response = post(phone, f"/{demo.code}/leave", follow_redirects=True)
    assert "Du har lämnat workshopen." in response.get_data(as_text=True)
    assert phone.get(f"/{demo.code}/p").location.endswith(f"/{demo.code}")  # forgotten
    with session_scope(app) as s:
        state = voting.room_state(s, demo.workshop_id, audience="projector")
        assert (state["joined"], state["current"]["voted"]) == (0, 1)
        assert state["current"]["eligible"] == 1  # the answer stays one of its "m"


def test_a_refused_discussion_form_keeps_what_was_typed_and_says_why_in_its_card(
    app, logged_in, demo
):
    with session_scope(app) as s:
        services.set_anonymity_threshold(s, workshop_id=demo.workshop_id, threshold=1)
    a_phone_answers(app, demo, "discuss")
    sid = demo.own[0]
    queue = logged_in.get(f"/f/w/{demo.workshop_id}/discuss").get_data(as_text=True)
    assert f'action="/f/w/{demo.workshop_id}/discuss/{sid}#d{sid}"' in queue

    typed = {"note": "Gränsen oklar", "outcome": "reworded", "new_text": ""}
    response = post(logged_in, f"/f/w/{demo.workshop_id}/discuss/{sid}", typed)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    card = page[page.index(f'id="d{sid}"') :]
    assert "Skriv den nya lydelsen för att omformulera påståendet." in card.split("</section>")[0]
    assert ">Gränsen oklar</textarea>" in card
    assert 'value="reworded" checked' in card
    # the empty new-wording box looks empty: the old wording is the card's heading, not a
    # placeholder that reads as filled in beside the error
    assert '<textarea name="new_text" rows="2" maxlength="500"></textarea>' in card
    assert page.count("Skriv den nya lydelsen för att omformulera påståendet.") == 1
    assert re.search(r'aria-current="page">Diskussionskö<', page)  # still on that tab

    # A statement no longer in the queue: the reason is said at the top of the page
    other = demo.own[1]
    response = post(logged_in, f"/f/w/{demo.workshop_id}/discuss/{other}", typed)
    assert response.status_code == 400
    assert 'class="flash flash-error" role="alert">Skriv den nya lydelsen' in response.get_data(
        as_text=True
    )


def test_the_queue_says_how_far_the_room_has_come_and_folds_what_has_an_outcome(
    app, logged_in, demo
):
    with session_scope(app) as s:
        services.set_anonymity_threshold(s, workshop_id=demo.workshop_id, threshold=1)
    first, second = demo.own[0], demo.own[1]
    a_phone_answers(app, demo, "discuss", statements=[first, second])
    queue_url = f"/f/w/{demo.workshop_id}/discuss"

    def card(page: str, sid: int) -> str:
        return page[page.index(f'id="d{sid}"') :].split("</section>")[0]

    page = logged_in.get(queue_url).get_data(as_text=True)
    assert re.search(r">0/2</span> lyfta påståenden har fått ett utfall", page)
    assert f'<a href="#d{first}">Nästa: ' in page
    assert "<details" not in card(page, first)

    post(logged_in, f"{queue_url}/{first}", {"note": "Gränsen\noklar", "outcome": "agreed"})
    page = logged_in.get(queue_url).get_data(as_text=True)
    assert ">1/2</span>" in page and f'<a href="#d{second}">Nästa: ' in page
    done = card(page, first)
    assert "✓ Överens" in done and f'class="card discuss-item is-done" id="d{first}"' in page
    # what the room came to reads as text; the form to change it is folded under it
    assert '<p class="discuss-note">Gränsen\noklar</p>' in done
    assert done.index("discuss-note") < done.index("<summary>Ändra</summary>") < done.index("<form")
    assert "<details" not in card(page, second)

    post(logged_in, f"{queue_url}/{second}", {"note": "", "outcome": "parked"})
    page = logged_in.get(queue_url).get_data(as_text=True)
    assert ">2/2</span>" in page and "Alla har fått ett utfall." in page and "Nästa" not in page
    assert "discuss-note" not in card(page, second)  # no note: nothing to read

    # a refused change to a statement with an outcome comes back open, with what was typed
    typed = {"note": "Ny", "outcome": "reworded", "new_text": ""}
    refused = post(logged_in, f"{queue_url}/{first}", typed).get_data(as_text=True)
    assert "<details" not in card(refused, first) and ">Ny</textarea>" in card(refused, first)

    # an outcome set by mistake is taken back: the statement is waiting again, its note kept
    assert '<input type="radio" name="outcome" value="" > Inget utfall' in card(page, first)
    post(logged_in, f"{queue_url}/{first}", {"note": "Gränsen\noklar", "outcome": ""})
    page = logged_in.get(queue_url).get_data(as_text=True)
    assert ">1/2</span>" in page and f'<a href="#d{first}">Nästa: ' in page
    waiting = card(page, first)
    assert "is-done" not in waiting and "✓" not in waiting and "<details" not in waiting
    assert ">Gränsen\noklar</textarea>" in waiting
    assert "Inget utfall" not in waiting  # nothing to take back


def test_results_with_only_withheld_statements_do_not_also_say_there_are_no_answers(
    app, logged_in, demo
):
    a_phone_answers(app, demo, "yes")
    page = logged_in.get(f"/f/w/{demo.workshop_id}/results").get_data(as_text=True)
    assert "1 påstående redovisas inte" in page
    assert "Inga svar ännu" not in page


def a_phone_answers(
    app, demo: Demo, choice: str, statements: list[int] | None = None
) -> FlaskClient:
    """A BUP phone joins through the pages, is in the room and answers ``statements`` (the
    first own description unless given; opened for it); returns the phone's client."""
    phone = join_phone(app, demo, "BUP")
    sids = statements or [demo.own[0]]
    with session_scope(app) as s:
        pid = s.scalars(select(Participant.id).order_by(Participant.id.desc())).first()
        voting.arrive(s, pid)
        voting.open_statements(s, workshop_id=demo.workshop_id, statement_ids=sids)
        for sid in sids:
            voting.cast_vote(
                s, participant_id=pid, statement_id=sid, choice=choice, ballot_id=f"ph-{sid}"
            )
    return phone


def test_the_error_page_renders_when_the_database_fails_at_the_login_check(
    app, logged_in, monkeypatch
):
    """Every facilitator page asks the database whether the cookie's login still holds; when
    that fails, the page is a 500 that still renders (without the facilitator's menu)."""
    from sqlalchemy.exc import OperationalError

    import web

    def broken(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    app.config["PROPAGATE_EXCEPTIONS"] = False  # serve the error page as in production
    monkeypatch.setattr(web.services, "login_holds", broken)
    response = logged_in.get("/f/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Något gick fel hos oss" in page and "Logga ut" not in page
    monkeypatch.undo()
    assert logged_in.get("/f/").status_code == 200  # the login itself was never lost
