"""The pre-workshop survey through the Flask test client: the participant's pages (plain forms
and the script's JSON), the facilitator's survey page, proposals and the projector comparison."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from db import session_scope
from tests.conftest import Demo, csrf, join_phone, post
from workshops import services, survey, voting
from workshops.models import StatementProposal


def survey_page(phone: FlaskClient, demo: Demo, **params: str) -> str:
    response = phone.get(f"/{demo.code}/survey", query_string=params)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def open_survey(logged_in: FlaskClient, demo: Demo) -> None:
    response = post(logged_in, f"/f/w/{demo.workshop_id}/survey/open", {"open": "1"})
    assert response.status_code == 302


def pressed(page: str, sid: int) -> list[str]:
    """The answers shown as chosen on the card of statement ``sid``."""
    card = re.search(rf'<article[^>]*id="s{sid}".*?</article>', page, re.S)
    assert card is not None
    return re.findall(r'value="(\w+)" aria-pressed="true"', card.group(0))


def statements(page: str) -> list[str]:
    """The statements on the participant's survey page, in order."""
    return re.findall(r'<h3 class="statement-text"[^>]*>(.*?)</h3>', page)


def section(page: str, section_id: str) -> str:
    found = re.search(rf'<section[^>]*id="{section_id}".*?</section>', page, re.S)
    assert found is not None, section_id
    return found.group(0)


def proposal_id(app: Flask, text: str) -> int:
    with session_scope(app) as s:
        found = s.scalar(select(StatementProposal.id).where(StatementProposal.text == text))
        assert found is not None, text
        return found


@pytest.fixture
def surveyed(logged_in: FlaskClient, demo: Demo) -> Demo:
    open_survey(logged_in, demo)
    return demo


def test_the_facilitators_survey_pages_need_a_login(client, demo):
    for url in (f"/f/w/{demo.workshop_id}/survey", f"/f/w/{demo.workshop_id}/survey/compare"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url
    response = post(client, f"/f/w/{demo.workshop_id}/survey/open", {"open": "1"})
    assert response.status_code == 302 and "/login" in response.location
    with session_scope(client.application) as s:
        assert not services.get_workshop(s, demo.workshop_id).survey_open


def test_the_facilitator_opens_and_closes_the_survey_from_its_tab(logged_in, demo):
    prepare = logged_in.get(f"/f/w/{demo.workshop_id}").get_data(as_text=True)
    assert re.search(rf'href="/f/w/{demo.workshop_id}/survey"\s*>Förhandsenkät</a>', prepare)

    open_survey(logged_in, demo)
    page = logged_in.get(f"/f/w/{demo.workshop_id}/survey").get_data(as_text=True)
    assert "Förhandsenkäten är öppen." in page
    assert f"/{demo.code}/survey" in page
    assert "Stäng enkäten" in page

    post(logged_in, f"/f/w/{demo.workshop_id}/survey/open", {"open": "0"})
    page = logged_in.get(f"/f/w/{demo.workshop_id}/survey").get_data(as_text=True)
    assert "Förhandsenkäten är stängd. Svaren finns kvar." in page
    assert "Öppna enkäten" in page


def test_a_ws2_workshop_offers_no_survey_tab(logged_in, ws2):
    page = logged_in.get(f"/f/w/{ws2.workshop_id}").get_data(as_text=True)
    assert "/survey" not in page


def test_the_join_link_leads_to_the_survey_while_it_is_open_and_to_live_voting_after(
    app, logged_in, surveyed
):
    phone = app.test_client()
    response = post(phone, f"/{surveyed.code}", {"organisation_id": surveyed.orgs["BUP"]})
    assert response.location.endswith(f"/{surveyed.code}/survey")
    assert phone.get(f"/{surveyed.code}").location.endswith(f"/{surveyed.code}/survey")
    post(logged_in, f"/f/w/{surveyed.workshop_id}/survey/open", {"open": "0"})
    assert phone.get(f"/{surveyed.code}").location.endswith(f"/{surveyed.code}/p")


def test_a_phone_that_joined_through_the_join_link_finds_its_statements_on_the_survey_page(
    app, surveyed
):
    phone = join_phone(app, surveyed, "BUP")
    page = survey_page(phone, surveyed)
    # others' perception of Habilitering is for Habilitering to answer
    assert statements(page) == ["Barn och unga 0–18 år", "Barn med enbart autism t.o.m. 6 år"]
    assert "0 av 2 besvarade" in page
    assert page.count("Ja, jag håller med om beskrivningen") == 2
    assert page.count("Nej, jag håller inte med om beskrivningen") == 2
    assert page.count("Denna vill jag lyfta vidare") == 2


def test_the_subject_organisation_gets_the_explanations_of_others_perception(app, surveyed):
    page = survey_page(join_phone(app, surveyed, "Habilitering"), surveyed)
    assert statements(page) == ["Stödsamtal", "Utredning"]
    assert "Ingår detta i ert uppdrag?" in page
    assert page.count("Nej, det ingår INTE i vårt uppdrag") == 2


def test_a_visitor_who_has_not_joined_picks_an_organisation_on_the_survey_page_first(
    client, surveyed
):
    page = survey_page(client, surveyed)
    assert "Vilken verksamhet representerar du?" in page and "Börja svara" in page
    response = post(
        client, f"/{surveyed.code}/survey", {"organisation_id": surveyed.orgs["Elevhälsa"]}
    )
    assert response.status_code == 302 and response.location.endswith(f"/{surveyed.code}/survey")
    assert "0 av 2 besvarade" in survey_page(client, surveyed)
    # the same place in the workshop as the join link gives: the live page knows the phone
    assert client.get(f"/{surveyed.code}/p").status_code == 200


def test_picking_no_organisation_on_the_survey_page_is_refused(client, surveyed):
    response = post(client, f"/{surveyed.code}/survey", {})
    assert response.status_code == 400
    assert "Välj vilken verksamhet du representerar." in response.get_data(as_text=True)


def test_an_answer_posted_without_javascript_comes_back_to_its_card(app, surveyed):
    phone = join_phone(app, surveyed, "BUP")
    sid = surveyed.own[1]
    response = post(phone, f"/{surveyed.code}/survey/answer", {"statement_id": sid, "choice": "no"})
    assert response.status_code == 302
    assert response.location.endswith(f"/{surveyed.code}/survey#s{sid}")
    page = survey_page(phone, surveyed)
    assert pressed(page, sid) == ["no"] and pressed(page, surveyed.own[0]) == []
    assert "1 av 2 besvarade" in page


def test_a_participant_can_change_a_survey_answer_until_the_survey_closes(app, logged_in, surveyed):
    phone = join_phone(app, surveyed, "BUP")
    sid = surveyed.own[0]
    for choice in ("yes", "discuss"):
        post(phone, f"/{surveyed.code}/survey/answer", {"statement_id": sid, "choice": choice})
    assert pressed(survey_page(phone, surveyed), sid) == ["discuss"]

    post(logged_in, f"/f/w/{surveyed.workshop_id}/survey/open", {"open": "0"})
    response = post(phone, f"/{surveyed.code}/survey/answer", {"statement_id": sid, "choice": "no"})
    assert response.status_code == 302
    page = survey_page(phone, surveyed)
    assert "Förhandsenkäten är stängd" in page and "Du besvarade 1 påstående" in page
    with session_scope(app) as s:
        assert survey.overview(s, surveyed.workshop_id).statements[0].movement.survey_n == 1


def test_the_script_gets_the_progress_back_as_json(app, surveyed):
    phone = join_phone(app, surveyed, "BUP")
    response = phone.post(
        f"/{surveyed.code}/survey/answer",
        data={"statement_id": surveyed.own[0], "choice": "yes"},
        headers={"Accept": "application/json", "X-CSRF-Token": csrf(phone)},
    )
    assert response.get_json() == {
        "ok": True,
        "choice": "yes",
        "answered": 1,
        "total": 2,
        "progress": "1 av 2 besvarade",
    }


def test_the_script_is_told_why_an_answer_is_refused(app, surveyed):
    phone = join_phone(app, surveyed, "Habilitering")
    response = phone.post(
        f"/{surveyed.code}/survey/answer",
        data={"statement_id": surveyed.own[0], "choice": "yes"},
        headers={"Accept": "application/json", "X-CSRF-Token": csrf(phone)},
    )
    assert response.status_code == 400
    assert response.get_json()["error"].startswith("Det här påståendet besvaras av andra")


def test_an_answer_from_a_phone_that_never_joined_is_refused(client, surveyed):
    response = client.post(
        f"/{surveyed.code}/survey/answer",
        data={"statement_id": surveyed.own[0], "choice": "yes"},
        headers={"Accept": "application/json", "X-CSRF-Token": csrf(client)},
    )
    assert response.status_code == 403


def test_a_closed_survey_tells_a_new_visitor_to_join_the_workshop_instead(client, demo):
    page = survey_page(client, demo)
    assert "Förhandsenkäten är stängd" in page
    assert f'href="/{demo.code}"' in page


def test_a_participant_proposes_a_statement_sees_it_waiting_and_withdraws_it(app, surveyed):
    phone = join_phone(app, surveyed, "BUP")
    page = survey_page(phone, surveyed)
    client_id = re.search(r'name="client_id" value="([^"]+)"', page).group(1)
    assert '<option value="{}"'.format(surveyed.orgs["BUP"]) not in page  # not about oneself
    form = {
        "organisation_id": surveyed.orgs["Habilitering"],
        "topic": "mandate",
        "text": "Stödsamtal för syskon",
        "client_id": client_id,
    }
    response = post(phone, f"/{surveyed.code}/survey/proposals", form)
    assert response.status_code == 302 and response.location.endswith("#my-proposals")
    assert post(phone, f"/{surveyed.code}/survey/proposals", form).status_code == 302  # retried
    page = html.unescape(phone.get(response.location).get_data(as_text=True))
    assert "Tack! Ditt förslag är skickat till facilitatorn." in page
    mine = section(page, "my-proposals")
    assert re.findall(r'class="sv-proposal-text">(.*?)<', mine) == ["Stödsamtal för syskon"]
    assert "Väntar på facilitatorn" in mine

    pid = proposal_id(app, "Stödsamtal för syskon")
    post(phone, f"/{surveyed.code}/survey/proposals/{pid}/withdraw")
    page = survey_page(phone, surveyed)
    mine = section(page, "my-proposals")
    assert "Stödsamtal för syskon" not in mine and "Du har inte föreslagit något ännu." in mine


def test_a_refused_proposal_keeps_what_was_typed_and_says_why(app, surveyed):
    phone = join_phone(app, surveyed, "BUP")
    response = post(
        phone,
        f"/{surveyed.code}/survey/proposals",
        {
            "organisation_id": surveyed.orgs["Habilitering"],
            "topic": "mandate",
            "text": "stödsamtal",
            "client_id": "form-12345678",
        },
    )
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "Det finns redan ett påstående om Habilitering med samma lydelse: ”Stödsamtal”." in page
    assert ">stödsamtal</textarea>" in page and 'value="form-12345678"' in page


def test_a_proposal_without_an_organisation_asks_for_one(app, surveyed):
    phone = join_phone(app, surveyed, "BUP")
    response = post(
        phone,
        f"/{surveyed.code}/survey/proposals",
        {"topic": "mandate", "text": "Hjälpmedel", "client_id": "form-12345678"},
    )
    assert response.status_code == 400
    assert "Välj vilken verksamhet förslaget handlar om." in response.get_data(as_text=True)


def test_the_facilitator_accepts_a_proposal_into_the_running_order(app, logged_in, surveyed):
    phone = join_phone(app, surveyed, "BUP", name="Anna")
    post(
        phone,
        f"/{surveyed.code}/survey/proposals",
        {
            "organisation_id": surveyed.orgs["Habilitering"],
            "topic": "mandate",
            "text": "hjälpmedl",
            "client_id": "form-12345678",
        },
    )
    page = logged_in.get(f"/f/w/{surveyed.workshop_id}/survey").get_data(as_text=True)
    assert "hjälpmedl" in page and "från BUP" in page and "Anna" not in page

    pid = proposal_id(app, "hjälpmedl")
    response = post(
        logged_in,
        f"/f/w/{surveyed.workshop_id}/survey/proposals/{pid}/accept",
        {"text": "Hjälpmedel"},
    )
    assert response.status_code == 302
    page = logged_in.get(response.location).get_data(as_text=True)
    assert "Förslaget är tillagt sist i körordningen." in page
    prepare = logged_in.get(f"/f/w/{surveyed.workshop_id}").get_data(as_text=True)
    rows = re.findall(r'<li id="s\d+" class="statement-row.*?</li>', prepare, re.S)
    assert "Hjälpmedel" in rows[-1] and "Andras uppfattning" in rows[-1]
    assert "Med i workshopen" in survey_page(phone, surveyed)


def test_the_facilitator_declines_a_proposal_once(app, logged_in, surveyed):
    phone = join_phone(app, surveyed, "BUP")
    form = {"organisation_id": surveyed.orgs["Habilitering"], "topic": "mandate"}
    post(
        phone,
        f"/{surveyed.code}/survey/proposals",
        {**form, "text": "X", "client_id": "c-123456789"},
    )
    pid = proposal_id(app, "X")
    url = f"/f/w/{surveyed.workshop_id}/survey/proposals/{pid}"
    post(logged_in, f"{url}/reject")
    response = post(logged_in, f"{url}/accept", follow_redirects=True)
    assert "Facilitatorn har redan tagit ställning till förslaget." in response.get_data(
        as_text=True
    )
    assert "Avböjt" in survey_page(phone, surveyed)


def test_the_facilitator_page_counts_answers_and_withholds_small_distributions(
    app, logged_in, surveyed
):
    phones = [join_phone(app, surveyed, org) for org in ("BUP", "BUP", "Elevhälsa")]
    for phone in phones[:2]:
        post(
            phone,
            f"/{surveyed.code}/survey/answer",
            {"statement_id": surveyed.own[0], "choice": "no"},
        )
    page = html.unescape(
        logged_in.get(f"/f/w/{surveyed.workshop_id}/survey").get_data(as_text=True)
    )
    assert "2 svar" in page and "Färre än 3 svar" in page
    assert 'class="bars"' not in page
    # a side nobody answered says so once, not "0 svar" and "Inga svar ännu"
    assert "0 svar" not in page and "Inga svar ännu" in page

    post(
        phones[2],
        f"/{surveyed.code}/survey/answer",
        {"statement_id": surveyed.own[0], "choice": "yes"},
    )
    page = html.unescape(
        logged_in.get(f"/f/w/{surveyed.workshop_id}/survey").get_data(as_text=True)
    )
    assert 'aria-label="Yes 1, No 2, Let\'s discuss 0"' in page


def test_the_projector_shows_how_one_statement_moved_in_large_text(app, logged_in, surveyed):
    with session_scope(app) as s:
        services.set_anonymity_threshold(s, workshop_id=surveyed.workshop_id, threshold=1)
    phone = join_phone(app, surveyed, "BUP")
    sid = surveyed.own[0]
    post(phone, f"/{surveyed.code}/survey/answer", {"statement_id": sid, "choice": "yes"})
    with session_scope(app) as s:
        pid = voting.participant_for_token(s, phone_token(phone, surveyed)).id
        voting.open_statements(s, workshop_id=surveyed.workshop_id, statement_ids=[sid])
        voting.cast_vote(
            s, participant_id=pid, statement_id=sid, choice="no", ballot_id="ballot-0001"
        )

    page = html.unescape(
        logged_in.get(f"/f/w/{surveyed.workshop_id}/survey/compare?s={sid}").get_data(as_text=True)
    )
    assert 'class="projector-body"' in page
    assert '<h1 class="sv-proj-text">Barn och unga 0–18 år</h1>' in page
    assert 'aria-label="Yes 1, No 0, Let\'s discuss 0"' in page  # ahead
    assert 'aria-label="Yes 0, No 1, Let\'s discuss 0"' in page  # live
    assert "Yes −100" in page and "No +100" in page and "Let's discuss ±0" in page
    assert "1 av 1 som svarade både före och live ändrade sitt svar." in page
    assert 'rel="next"' in page and 'rel="prev"' not in page


def test_the_survey_page_speaks_english_when_asked(app, surveyed):
    phone = join_phone(app, surveyed, "BUP")
    page = survey_page(phone, surveyed, lang="en")
    assert "Pre-workshop survey" in page and "0 of 2 answered" in page
    assert "Yes, I agree with the description" in page


def phone_token(phone: FlaskClient, demo: Demo) -> str:
    with phone.session_transaction() as sess:
        token: str = sess["pt"][demo.code]
    return token
