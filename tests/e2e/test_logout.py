"""Logging out ends the login on the server, not only in the browser: a copy of the session
cookie opens nothing afterwards, and the live pages that login opened, in any tab, close."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Demo, join_phone, live, live_socket, login_as, post
from tests.e2e.test_live_closing import closings, sync
from workshops.live import login_room
from workshops.voting import hash_token


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie."""
    copy = app.test_client()
    cookie = client.get_cookie("brygga")
    assert cookie is not None
    copy.set_cookie("brygga", cookie.value)
    return copy


def logout(client: FlaskClient) -> None:
    response = post(client, "/logout")
    assert response.status_code == 302 and response.location.endswith("/login")


def test_a_copy_of_the_cookie_opens_nothing_after_logging_out(app, logged_in, demo: Demo):
    copy = copy_of(app, logged_in)
    console = f"/f/w/{demo.workshop_id}/console"
    results = f"/api/v1/workshops/{demo.workshop_id}/results"
    assert copy.get(console).status_code == 200
    assert copy.get(results).status_code == 200

    logout(logged_in)

    assert copy.get(console).status_code == 302
    assert "/login" in copy.get(console).location
    assert copy.get(results).status_code == 401
    assert not live_socket(
        app, copy, role="facilitator", workshop_id=demo.workshop_id
    ).is_connected("/live")


def test_logging_out_closes_the_screens_that_login_opened_and_no_others(app, logged_in, demo: Demo):
    console = live(app, logged_in, role="facilitator", workshop_id=demo.workshop_id)
    projector = live(app, logged_in, role="projector", workshop_id=demo.workshop_id)
    elsewhere = login_as(app, "fac@example.org")  # the same account on another computer
    other_console = live(app, elsewhere, role="facilitator", workshop_id=demo.workshop_id)
    phone = live(app, join_phone(app, demo, "BUP"), role="participant", code=demo.code)
    for sio in (console, projector, other_console, phone):
        sio.get_received("/live")

    logout(logged_in)

    assert closings(console) == closings(projector) == [{"reason": "access"}]
    assert closings(other_console) == closings(phone) == []
    # A page that ignored the message and asks for the state gets an answer, not the state
    assert sync(console)["code"] == sync(projector)["code"] == "error.no_longer_allowed"
    assert sync(other_console)["ok"] and sync(phone)["ok"]
    # and the page, connecting again as told, is refused (it then loads the login page)
    assert not live_socket(
        app, logged_in, role="facilitator", workshop_id=demo.workshop_id
    ).is_connected("/live")
    assert elsewhere.get(f"/f/w/{demo.workshop_id}/console").status_code == 200


def test_the_login_s_room_is_emptied(app, logged_in, demo: Demo):
    live(app, logged_in, role="facilitator", workshop_id=demo.workshop_id)
    with logged_in.session_transaction() as sess:
        token = sess["login"]
    manager = app.extensions["socketio"].server.manager
    assert list(manager.get_participants("/live", login_room(hash_token(token))))

    logout(logged_in)

    assert not list(manager.get_participants("/live", login_room(hash_token(token))))


def test_logging_out_without_a_login_is_harmless(client):
    logout(client)
    assert client.get("/f/").status_code == 302
