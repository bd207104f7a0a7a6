"""The participant's journey page through the Flask test client: who gets it and what it holds."""

from __future__ import annotations

import re

from flask import Flask

from db import session_scope
from journey_maps.placing import HANDOFF_MODES
from tests.conftest import Ws2, join_ws2, page_data, post
from workshops import services

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_a_joined_phone_gets_the_journey_page_with_its_own_organisation(
    app: Flask, ws2: Ws2
) -> None:
    phone, _ = join_ws2(app, ws2, "Elevhälsa")
    response = phone.get(f"/{ws2.code}/journey")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ta ett rollkort" in html and "Elevhälsa" in html
    assert f'href="/{ws2.code}/p"' in html  # back to the voting page
    assert "js/journey_phone.js" in html and "css/journey_phone.css" in html
    data = page_data(html)
    assert data["code"] == ws2.code
    assert data["org_id"] == ws2.orgs["Elevhälsa"]
    assert data["lang"] == "sv"
    assert data["modes"] == list(HANDOFF_MODES)
    assert data["t"]["pj.agree"] == "Instämmer"


def test_the_code_in_the_address_may_be_typed_in_lower_case(app: Flask, ws2: Ws2) -> None:
    phone, _ = join_ws2(app, ws2, "BUP")
    assert phone.get(f"/{ws2.code.lower()}/journey").status_code == 200


def test_the_page_speaks_english_when_asked(app: Flask, ws2: Ws2) -> None:
    phone, _ = join_ws2(app, ws2, "BUP")
    html = phone.get(f"/{ws2.code}/journey?lang=en").get_data(as_text=True)
    assert "Take a role card" in html
    assert page_data(html)["t"]["pj.agree"] == "Agree"


def test_a_phone_that_has_not_joined_is_sent_to_pick_its_organisation(app: Flask, ws2: Ws2) -> None:
    response = app.test_client().get(f"/{ws2.code}/journey")
    assert response.status_code == 302
    assert response.location.endswith(f"/{ws2.code}")


def test_hostile_names_are_escaped_in_the_page_and_in_its_data(app: Flask, ws2: Ws2) -> None:
    with session_scope(app) as s:
        org = services.add_organisation(
            s, workshop_id=ws2.workshop_id, name=HOSTILE[:60], principal="region"
        )
    phone = app.test_client()
    response = post(phone, f"/{ws2.code}", {"organisation_id": org, "display_name": HOSTILE[:60]})
    assert response.status_code == 302
    html = phone.get(f"/{ws2.code}/journey").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html
    # no inline script other than the JSON page data, no inline styles (the CSP forbids both)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [
        '<script type="application/json" id="page-data">'
    ]
    assert "style=" not in html


def test_joining_while_the_journey_is_open_leads_to_the_journey_unless_a_role_is_voted_on(
    app: Flask, ws2: Ws2
) -> None:
    from roles import services as role_services
    from workshops import voting

    first = app.test_client()
    response = post(first, f"/{ws2.code}", {"organisation_id": ws2.orgs["BUP"]})
    assert response.location.endswith(f"/{ws2.code}/journey")
    with session_scope(app) as s:
        role_services.create_validation_statements(s, workshop_id=ws2.workshop_id)
        statement = services.get_workshop(s, ws2.workshop_id).statements[0]
        voting.open_statements(s, workshop_id=ws2.workshop_id, statement_ids=[statement.id])
    second = app.test_client()
    response = post(second, f"/{ws2.code}", {"organisation_id": ws2.orgs["BUP"]})
    assert response.location.endswith(f"/{ws2.code}/p")  # the room is voting on a role
