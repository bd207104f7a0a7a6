"""A facilitator's own account page: a new password of their own (every other login ends),
and logging out on every other device (its open screens close); and a project lead's new
password for someone else's account (every login of it ends)."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from db import session_scope
from tests.conftest import PASSWORD, Demo, account, live, login_as, post
from tests.e2e.test_live_closing import closings
from workshops import services
from workshops.models import AuditEvent

EMAIL = "fac@example.org"
NEW = "a-new-long-password"


def page(client: FlaskClient) -> str:
    response = client.get("/f/me")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def change(client: FlaskClient, current: str, new: str, repeated: str | None = None) -> object:
    return post(
        client,
        "/f/me/password",
        {"current": current, "new": new, "repeated": new if repeated is None else repeated},
    )


def logs_in(app: Flask, password: str) -> bool:
    response = post(app.test_client(), "/login", {"email": EMAIL, "password": password})
    return response.status_code == 302


def actions(app: Flask) -> list[str]:
    with session_scope(app) as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_page_shows_the_account_and_whether_it_is_logged_in_elsewhere(app, logged_in):
    html = page(logged_in)
    assert "Mitt konto" in html and EMAIL in html and "Facilitator" in html
    assert "Du är bara inloggad här." in html
    assert "Logga ut på alla andra enheter" not in html

    login_as(app, EMAIL)
    html = page(logged_in)
    assert (
        "1 annan inloggning, i en annan webbläsare eller på en annan enhet, är inte utloggad"
        in html
    )
    login_as(app, EMAIL)
    assert (
        "2 andra inloggningar, i andra webbläsare eller på andra enheter, är inte utloggade"
        in page(logged_in)
    )
    assert "Logga ut på alla andra enheter" in page(logged_in)


def test_a_new_password_ends_every_other_login_and_this_one_holds(app, logged_in, demo: Demo):
    elsewhere = login_as(app, EMAIL)
    mine = live(app, logged_in, role="facilitator", workshop_id=demo.workshop_id)
    theirs = live(app, elsewhere, role="projector", workshop_id=demo.workshop_id)
    for sio in (mine, theirs):
        sio.get_received("/live")

    response = change(logged_in, PASSWORD, NEW)

    assert response.status_code == 302 and response.location.endswith("/f/me")
    html = logged_in.get("/f/me").get_data(as_text=True)
    assert "Lösenordet är bytt." in html and "1 annan inloggning avslutades." in html
    assert "Du är bara inloggad här." in html
    assert elsewhere.get("/f/").status_code == 302  # to the login page
    assert closings(theirs) == [{"reason": "access"}] and closings(mine) == []
    assert logs_in(app, NEW) and not logs_in(app, PASSWORD)
    assert actions(app)[-3:] == ["auth.change_password", "auth.login", "auth.login_failed"]


def test_a_refused_password_says_why_and_changes_nothing(app, logged_in):
    elsewhere = login_as(app, EMAIL)
    cases = (
        (("wrong-current-password", NEW), "Det nuvarande lösenordet stämmer inte."),
        ((PASSWORD, "kort"), "Lösenordet måste ha minst 10 tecken."),
        ((PASSWORD, NEW, NEW + "x"), "De två nya lösenorden är olika."),
    )
    for args, message in cases:
        response = change(logged_in, *args)
        assert response.status_code == 400, message
        assert message in response.get_data(as_text=True)
    assert logs_in(app, PASSWORD) and not logs_in(app, NEW)
    assert elsewhere.get("/f/").status_code == 200
    assert "auth.change_password" not in actions(app)


def test_guessing_the_current_password_is_slowed_down(app, logged_in):
    for _ in range(10):
        assert change(logged_in, "a-wrong-guess-here", NEW).status_code == 400
    response = change(logged_in, PASSWORD, NEW)
    assert response.status_code == 429
    assert logs_in(app, PASSWORD)


def test_logging_out_everywhere_else_ends_the_other_logins_and_closes_their_screens(
    app, logged_in, demo: Demo
):
    elsewhere = login_as(app, EMAIL)
    another = login_as(app, EMAIL)
    theirs = live(app, elsewhere, role="facilitator", workshop_id=demo.workshop_id)
    mine = live(app, logged_in, role="facilitator", workshop_id=demo.workshop_id)
    for sio in (mine, theirs):
        sio.get_received("/live")

    response = post(logged_in, "/f/me/logins", follow_redirects=True)

    assert "2 andra inloggningar avslutades." in response.get_data(as_text=True)
    assert elsewhere.get("/f/").status_code == another.get("/f/").status_code == 302
    assert logged_in.get("/f/").status_code == 200
    assert closings(theirs) == [{"reason": "access"}] and closings(mine) == []
    assert "auth.end_other_logins" in actions(app)

    response = post(logged_in, "/f/me/logins", follow_redirects=True)
    assert "Det fanns inga andra inloggningar." in response.get_data(as_text=True)


def test_another_account_s_logins_are_left_alone(app, logged_in):
    account(app, "kim@example.org")
    kim = login_as(app, "kim@example.org")
    post(logged_in, "/f/me/logins")
    change(logged_in, PASSWORD, NEW)
    assert kim.get("/f/").status_code == 200


def reset(lead: FlaskClient, facilitator_id: int, password: str = NEW) -> str:
    response = post(
        lead,
        "/f/accounts/password",
        {"facilitator_id": facilitator_id, "password": password},
        follow_redirects=True,
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.lead
def test_a_lead_sets_another_account_s_password_and_every_login_of_it_ends(
    app, logged_in, demo: Demo
):
    kim_id = account(app, "kim@example.org")
    kim, kim_elsewhere = login_as(app, "kim@example.org"), login_as(app, "kim@example.org")
    with session_scope(app) as s:
        services.hand_over_workshop(s, workshop_id=demo.workshop_id, owner_id=kim_id)
    screen = live(app, kim, role="projector", workshop_id=demo.workshop_id)
    mine = live(app, logged_in, role="facilitator", workshop_id=demo.workshop_id)
    for sio in (screen, mine):
        sio.get_received("/live")

    html = reset(logged_in, kim_id)

    assert "Nytt lösenord för kim." in html and "2 inloggningar för kontot avslutades." in html
    assert kim.get("/f/").status_code == kim_elsewhere.get("/f/").status_code == 302
    assert closings(screen) == [{"reason": "access"}] and closings(mine) == []
    assert logged_in.get("/f/").status_code == 200
    kim_logs_in = post(app.test_client(), "/login", {"email": "kim@example.org", "password": NEW})
    assert kim_logs_in.status_code == 302
    with session_scope(app) as s:
        line = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "accounts.reset_password")
        ).one()
        assert json.loads(line.detail) == {"facilitator_id": kim_id}


@pytest.mark.lead
def test_a_lead_s_reset_that_is_refused_says_why_and_changes_nothing(app, logged_in, facilitator):
    kim_id = account(app, "kim@example.org")
    kim = login_as(app, "kim@example.org")
    cases = (
        (kim_id, "kort", "Lösenordet måste ha minst 10 tecken."),
        (facilitator, NEW, "Ditt eget lösenord byter du under Mitt konto"),
        (kim_id + 100, NEW, "Kontot finns inte."),
    )
    for target, password, message in cases:
        assert message in reset(logged_in, target, password), message
    assert kim.get("/f/").status_code == 200
    assert logged_in.get("/f/").status_code == 200
    assert "accounts.reset_password" not in actions(app)


def test_only_a_lead_sets_another_account_s_password(app, logged_in):
    kim_id = account(app, "kim@example.org")
    response = post(logged_in, "/f/accounts/password", {"facilitator_id": kim_id, "password": NEW})
    assert response.status_code == 404
    assert login_as(app, "kim@example.org").get("/f/").status_code == 200
